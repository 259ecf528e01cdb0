import { type MouseEvent, useEffect, useState } from 'react';
import { authHeaders } from '../api.ts';

/** Path of a kept artifact of a check (screenshot or trace). */
export function artifactPath(check: string, file: string): string {
  return `/api/v1/checks/${encodeURIComponent(check)}/artifacts/${encodeURIComponent(file)}`;
}

/**
 * Fetches an artifact with the API token and returns it as a Blob. An `<img
 * src>` or a plain link cannot send the Authorization header, and putting
 * the token in the URL (`?access_token=`) would leave it in history and
 * access logs.
 */
async function fetchArtifact(path: string, signal?: AbortSignal): Promise<Blob> {
  const res = await fetch(path, { headers: authHeaders(), signal });
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return res.blob();
}

/** The screenshot a failed browser check kept, shown inline (fetched with the token, shown via an object URL). */
export function ArtifactScreenshot({ check, file }: { check: string; file: string }) {
  const [url, setUrl] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const abort = new AbortController();
    let objectUrl: string | undefined;
    fetchArtifact(artifactPath(check, file), abort.signal).then(
      (blob) => {
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      },
      (err: unknown) => {
        if (!abort.signal.aborted) setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      abort.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [check, file]);
  if (error)
    return (
      <div className="notice-error small">
        Screenshot {file}: {error}
      </div>
    );
  if (!url) return <div className="muted small">Loading screenshot…</div>;
  return (
    <a href={url} target="_blank" rel="noreferrer" className="artifact-shot">
      <img src={url} alt={`Screenshot of the failed run (${file})`} data-testid="result-screenshot" />
    </a>
  );
}

/**
 * A download link for a kept Playwright trace. The href works where reads are
 * public; a click fetches the zip with the token and saves it from a Blob.
 */
export function TraceLink({ check, file }: { check: string; file: string }) {
  const path = artifactPath(check, file);
  const [error, setError] = useState<string>();
  const download = async (e: MouseEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const url = URL.createObjectURL(await fetchArtifact(path));
      const a = document.createElement('a');
      a.href = url;
      a.download = file;
      a.click();
      // The click has handed the Blob to the download; the URL is not needed after this task.
      setTimeout(() => URL.revokeObjectURL(url), 0);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <span>
      <a href={path} download={file} onClick={download} data-testid="result-trace">
        Download trace ({file})
      </a>{' '}
      <span className="muted small">(open it in Playwright's trace viewer)</span>
      {error && <span className="notice-error small"> {error}</span>}
    </span>
  );
}
