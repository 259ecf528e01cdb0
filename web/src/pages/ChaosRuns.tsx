import { Link } from 'react-router';
import type { ChaosRun } from '../../../src/server/schemas-chaos.ts';
import { anyRunning, guardsOf, reportOf, runDurationMs, statusBadge } from '../chaos-data.ts';
import { useChaosLive, useChaosRuns } from '../chaos-queries.ts';
import { useNow } from '../check-queries.ts';
import { HaltButton } from '../components/ChaosHalt.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { formatDuration, formatTimestamp } from '../format.ts';

/** `/chaos`: chaos experiment runs (`ballast chaos run --server`), newest first, and Halt all. */
export function ChaosRuns() {
  useChaosLive();
  const runs = useChaosRuns();
  const now = useNow(1_000);
  if (!runs.data)
    return runs.error ? <ErrorPanel error={runs.error} /> : <div className="loading">Loading runs…</div>;
  const running = runs.data.filter((r) => r.status === 'running').length;
  return (
    <>
      <div className="chaos-head">
        <h1 className="page-title">Chaos experiments</h1>
        {running > 0 && (
          <span className="muted" data-testid="chaos-running">
            {running} running
          </span>
        )}
        <HaltButton running={anyRunning(runs.data)} label="Halt all" />
      </div>
      {runs.data.length === 0 ? (
        <div className="panel notice" data-testid="chaos-empty">
          No runs yet. Start one with <code>ballast chaos run FILE --server URL</code>.
        </div>
      ) : (
        <section className="panel">
          <div className="table-wrap">
            <table className="grid chaos-table" data-testid="chaos-runs">
              <thead>
                <tr>
                  <th>Experiment</th>
                  <th>Service</th>
                  <th>Status</th>
                  <th>Started</th>
                  <th className="r">Duration</th>
                  <th>Headline</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.map((r) => (
                  <RunRow key={r.id} run={r} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}

function RunRow({ run, now }: { run: ChaosRun; now: number }) {
  const badge = statusBadge(run);
  const headline = reportOf(run.report)?.headline || refusal(run);
  return (
    <tr
      data-testid="chaos-run-row"
      data-run={run.id}
      data-status={run.status}
      className={badge.tone === 'page' ? 'row-page' : badge.tone === 'ticket' ? 'row-ticket' : ''}
    >
      <td>
        <Link to={`/chaos/${encodeURIComponent(run.id)}`} className="slo-link" data-testid="chaos-run-name">
          {run.experiment}
        </Link>
      </td>
      <td className="muted">{run.service}</td>
      <td>
        <span className={`badge badge-${badge.tone}`} data-testid="chaos-run-status">
          {badge.label}
        </span>
      </td>
      <td className="muted num">{formatTimestamp(run.startedAt)}</td>
      <td className="r num" data-testid="chaos-run-duration">
        {formatDuration(runDurationMs(run, now))}
      </td>
      <td className="chaos-headline" data-testid="chaos-run-headline">
        {headline || <span className="muted">{run.status === 'running' ? 'in progress' : '—'}</span>}
      </td>
    </tr>
  );
}

/** Why the guards held a refused run back (it has no report to give a headline). */
function refusal(run: ChaosRun): string | undefined {
  if (run.status !== 'refused') return undefined;
  const failed = guardsOf(run.guards)?.reasons.filter((r) => !r.ok) ?? [];
  return failed.length > 0 ? `refused: ${failed.map((r) => r.message).join('; ')}` : 'refused by the guards';
}
