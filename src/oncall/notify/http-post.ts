/**
 * One try of POSTing JSON to a webhook (generic or Slack-compatible), judged
 * as a page delivery: 2xx delivered; 408, 429, 5xx, timeouts and network
 * errors worth another try; other answers final.
 */
import { errorMessage } from './retry.ts';
import type { AttemptResult } from './types.ts';

/** How much of a failing answer's body goes into the error (receivers often explain themselves there). */
const ERROR_BODY_MAX = 200;

/** 4xx answers that may go away on their own: request timeout, rate limited. */
const RETRYABLE_4XX = new Set([408, 429]);

/**
 * POSTs `body` as JSON to `url`, giving up after `timeoutMs` (connect to last
 * byte). Never throws. Redirects are not followed: a page (with its signed
 * links) goes only where it was configured to go.
 */
export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<AttemptResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, error: 'invalid URL', retryable: false };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, error: `unsupported URL scheme ${parsed.protocol}`, retryable: false };
  }
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(parsed, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Ballast-Notifier' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal,
    });
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel();
      return { ok: true };
    }
    const snippet = await readSnippet(res, ERROR_BODY_MAX);
    const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    const error = snippet ? `${status}: ${snippet}` : status;
    if (res.status >= 300 && res.status < 400) {
      return { ok: false, error: `${error} (redirects are not followed)`, retryable: false };
    }
    const retryable = res.status >= 500 || RETRYABLE_4XX.has(res.status);
    return { ok: false, error, retryable };
  } catch (err) {
    if (signal.aborted) return { ok: false, error: `timed out after ${timeoutMs} ms`, retryable: true };
    return { ok: false, error: errorMessage(err), retryable: true };
  }
}

/** The start of a response body as one line, reading no more than needed. */
async function readSnippet(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    // Bounded: stops once `max` characters are in, or at the end of the body.
    while (text.length < max) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut short still leaves the status to report.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
