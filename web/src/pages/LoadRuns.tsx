import { Link } from 'react-router';
import type { LoadRunListItem } from '../../../src/server/schemas.ts';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { formatDuration, formatTimestamp } from '../format.ts';
import { formatErrorRate, formatMs, formatRate, runVerdict } from '../load-data.ts';
import { useLoadLive, useLoadRuns } from '../load-queries.ts';

/** `/load`: load-test runs sent with `ballast load run --server`, newest first. */
export function LoadRuns() {
  useLoadLive();
  const runs = useLoadRuns();
  if (runs.error) return <ErrorPanel error={runs.error} />;
  if (!runs.data) return <div className="loading">Loading runs…</div>;
  return (
    <>
      <h1 className="page-title">Load tests</h1>
      {runs.data.length === 0 ? (
        <div className="panel notice">
          No runs yet. Send one with <code>ballast load run FILE --server URL</code>.
        </div>
      ) : (
        <section className="panel">
          <div className="table-wrap">
            <table className="grid load-table" data-testid="load-runs">
              <thead>
                <tr>
                  <th>Run</th>
                  <th>Service</th>
                  <th>Result</th>
                  <th>Started</th>
                  <th className="r">Duration</th>
                  <th className="r">Requests</th>
                  <th className="r">Errors</th>
                  <th className="r">Rate (achieved / target)</th>
                  <th className="r">p50</th>
                  <th className="r">p99</th>
                  <th className="r">Thresholds</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.map((r) => (
                  <RunRow key={r.id} run={r} />
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}

function RunRow({ run }: { run: LoadRunListItem }) {
  const verdict = runVerdict(run);
  const k = run.key;
  return (
    <tr data-testid="load-run-row" data-run={run.id} className={verdict.tone === 'page' ? 'row-page' : ''}>
      <td>
        <Link to={`/load/${encodeURIComponent(run.id)}`} className="slo-link" data-testid="load-run-name">
          {run.name}
        </Link>
        {k && <div className="muted small">{k.executor}</div>}
      </td>
      <td className="muted">{run.service ?? '—'}</td>
      <td>
        <span className={`badge badge-${verdict.tone}`} data-testid="load-run-verdict">
          {verdict.label}
        </span>
      </td>
      <td className="muted num">{formatTimestamp(run.startedAt)}</td>
      <td className="r num">{k ? formatDuration(k.durationMs) : '—'}</td>
      <td className="r num" data-testid="load-run-requests">
        {k ? k.requests.toLocaleString('en-US') : '—'}
      </td>
      <td className={`r num ${k && k.failed > 0 ? 'hot' : ''}`}>{k ? formatErrorRate(k.errorRate) : '—'}</td>
      <td className="r num">{k ? `${formatRate(k.achievedRate)} / ${formatRate(k.targetRate)}` : '—'}</td>
      <td className="r num">{k ? formatMs(k.p50_ms) : '—'}</td>
      <td className="r num" data-testid="load-run-p99">
        {k ? formatMs(k.p99_ms) : '—'}
      </td>
      <td className="r num">
        {k && k.thresholdsTotal > 0 ? `${k.thresholdsPassed}/${k.thresholdsTotal}` : '—'}
      </td>
    </tr>
  );
}
