import { Link, useSearchParams } from 'react-router';
import type { ChaosRun } from '../../../src/server/schemas-chaos.ts';
import { anyRunning, guardsOf, reportOf, runDurationMs, STATUS_BADGES, statusBadge } from '../chaos-data.ts';
import {
  CHAOS_STATUSES,
  type ChaosFilters,
  chaosFiltersFromParams,
  chaosParamsFromFilters,
  hasChaosFilters,
} from '../chaos-filters.ts';
import { CHAOS_LIST_LIMIT, useChaosLive, useChaosRuns } from '../chaos-queries.ts';
import { useNow } from '../check-queries.ts';
import { HaltButton } from '../components/ChaosHalt.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { FilterSelect, useServiceNames } from '../components/FilterSelect.tsx';
import { formatDuration, formatTimestamp } from '../format.ts';

/**
 * `/chaos`: chaos experiment runs (`ballast chaos run --server`), newest first,
 * filtered by status and service (in the query string), and Halt all.
 */
export function ChaosRuns() {
  useChaosLive();
  const [params, setParams] = useSearchParams();
  const filters = chaosFiltersFromParams(params);
  // The head (running count, Halt all) is about every run; the table shows the filtered ones.
  const all = useChaosRuns();
  const runs = useChaosRuns(filters);
  const now = useNow(1_000);
  const setFilters = (next: ChaosFilters) => setParams(chaosParamsFromFilters(next), { replace: true });
  if (!all.data || !runs.data) {
    const error = all.error ?? runs.error;
    return error ? <ErrorPanel error={error} /> : <div className="loading">Loading runs…</div>;
  }
  const running = all.data.filter((r) => r.status === 'running').length;
  return (
    <>
      <div className="chaos-head">
        <h1 className="page-title">Chaos experiments</h1>
        {running > 0 && (
          <span className="muted" data-testid="chaos-running">
            {running} running
          </span>
        )}
        <HaltButton running={anyRunning(all.data)} label="Halt all" />
      </div>
      {all.data.length === 0 ? (
        <div className="panel notice" data-testid="chaos-empty">
          No runs yet. Start one with <code>ballast chaos run FILE --server URL</code>.
        </div>
      ) : (
        <>
          <Filters filters={filters} runs={all.data} onChange={setFilters} />
          {runs.data.length === 0 ? (
            <div className="panel notice" data-testid="chaos-none-match">
              No runs match these filters.
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
              {runs.data.length >= CHAOS_LIST_LIMIT && (
                <p className="muted">
                  Showing the newest {CHAOS_LIST_LIMIT}; narrow the filters to see older ones.
                </p>
              )}
            </section>
          )}
        </>
      )}
    </>
  );
}

function Filters(props: { filters: ChaosFilters; runs: ChaosRun[]; onChange: (f: ChaosFilters) => void }) {
  const { filters, runs, onChange } = props;
  const names = useServiceNames(
    runs.map((r) => r.service),
    filters.service,
  );
  return (
    <form className="filter-bar" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <FilterSelect
        label="Status"
        testId="chaos-filter-status"
        value={filters.status}
        options={CHAOS_STATUSES}
        labelOf={(s) => STATUS_BADGES[s]?.label ?? s}
        onChange={(status) => onChange({ ...filters, status })}
      />
      <FilterSelect
        label="Service"
        testId="chaos-filter-service"
        value={filters.service}
        options={names}
        onChange={(service) => onChange({ ...filters, service })}
      />
      {hasChaosFilters(filters) && (
        <button type="button" className="ghost" data-testid="chaos-filter-clear" onClick={() => onChange({})}>
          Clear
        </button>
      )}
    </form>
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
