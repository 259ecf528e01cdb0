import { useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { CheckResultItem } from '../../../src/server/schemas.ts';
import { getToken, HttpError } from '../api.ts';
import {
  checkState,
  formatAgo,
  formatUptime,
  PHASES,
  phaseColumns,
  uptimeBars,
  uptimeOf,
} from '../check-data.ts';
import {
  type CheckDetail as Detail,
  useCheck,
  useCheckResults,
  useChecksLive,
  useCheckUptime,
  useNow,
  useRunCheck,
} from '../check-queries.ts';
import { ChartCard } from '../components/ChartCard.tsx';
import { History } from '../components/CheckResultHistory.tsx';
import { CheckStateLabel, OutcomeMark, ResultBadge } from '../components/CheckStatus.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { PhaseChart } from '../components/PhaseChart.tsx';
import { Stat } from '../components/Stat.tsx';
import { UptimeBars } from '../components/UptimeBars.tsx';
import { formatDuration, formatTimestamp } from '../format.ts';
import { formatMs } from '../load-data.ts';

/** How many recent results the chart and the history show; `?n=` picks one. */
const LIMITS = [20, 50, 100, 200] as const;
const DEFAULT_LIMIT = 50;
const UPTIME_DAYS = 90;

function limitFrom(param: string | null): number {
  const n = Number(param);
  return (LIMITS as readonly number[]).includes(n) ? n : DEFAULT_LIMIT;
}

/** `/checks/:name`: the check's definition and state, phase timings, result history and uptime. */
export function CheckDetail() {
  const { name = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const limit = limitFrom(params.get('n'));
  useChecksLive();
  const now = useNow();
  const check = useCheck(name);
  const results = useCheckResults(name, limit);
  if (!check.data)
    return check.error ? <ErrorPanel error={check.error} /> : <div className="loading">Loading {name}…</div>;
  const detail = check.data;
  return (
    <>
      <Header detail={detail} now={now} />
      <Conditions detail={detail} />
      <div className="range-bar">
        <span className="muted small">Results</span>
        <fieldset className="segmented" aria-label="Results shown">
          {LIMITS.map((n) => (
            <button
              key={n}
              type="button"
              className={n === limit ? 'active' : ''}
              aria-pressed={n === limit}
              onClick={() => setParams({ n: String(n) }, { replace: true })}
            >
              last {n}
            </button>
          ))}
        </fieldset>
      </div>
      {results.error && !results.data && <ErrorPanel error={results.error} />}
      {results.data && <PhaseTimings results={results.data} />}
      <Uptime name={detail.name} now={now} />
      {results.data && <History check={detail.name} results={results.data} now={now} />}
    </>
  );
}

function Header({ detail, now }: { detail: Detail; now: number }) {
  const latest = detail.latest;
  return (
    <section className="slo-header" data-testid="check-header">
      <div className="crumbs muted small">
        <Link to="/checks">Checks</Link> / {detail.service}
      </div>
      <div className="slo-title">
        <h1>{detail.displayName ?? detail.name}</h1>
        <CheckStateLabel state={checkState(detail)} />
        <RunNow detail={detail} />
      </div>
      {detail.description && <p className="muted">{detail.description}</p>}
      <section className="stats check-stats">
        <Stat label="Target" testId="check-target" wide>
          <span className="mono">{detail.target}</span>
        </Stat>
        <Stat label="Type">{detail.type}</Stat>
        <Stat label="Schedule" testId="check-schedule">
          {detail.schedule}
          {!detail.enabled && <span className="muted"> (paused)</span>}
        </Stat>
        <Stat label="Timeout">{formatDuration(detail.timeoutMs)}</Stat>
        <Stat label="Failing after">
          {detail.failAfter} {detail.failAfter === 1 ? 'failure' : 'failures'}, recovers after{' '}
          {detail.recoverAfter} {detail.recoverAfter === 1 ? 'pass' : 'passes'}
        </Stat>
        <Stat label="Alert">{detail.alertSeverity ?? 'none'}</Stat>
        <Stat label="Uptime 30d" testId="check-uptime-30d">
          <span className="num">{formatUptime(detail.uptime30d)}</span>
        </Stat>
        <Stat label="Last result">
          {latest ? (
            <span className="num" title={formatTimestamp(latest.startedAt)}>
              {formatAgo(latest.startedAt, now)} · {formatMs(latest.durationMs)}
            </span>
          ) : (
            <span className="muted">no runs yet</span>
          )}
        </Stat>
      </section>
    </section>
  );
}

/**
 * "Run now" for a token that may run checks (responder or admin). Without a
 * token there is no button, just the reason; a weaker token gets the server's
 * 403 message.
 */
function RunNow({ detail }: { detail: Detail }) {
  const run = useRunCheck(detail.name);
  if (detail.type === 'heartbeat')
    return <span className="muted small">judged from pings: nothing to run</span>;
  if (!getToken()) {
    return (
      <span className="muted small run-now-hint">Run now needs an API token with the responder role.</span>
    );
  }
  const err = run.error;
  return (
    <span className="run-now">
      <button
        type="button"
        className="run-now-button"
        onClick={() => run.mutate()}
        disabled={run.isPending}
        data-testid="run-now"
      >
        {run.isPending ? 'Running…' : 'Run now'}
      </button>
      {err && (
        <span className="notice-error small" role="alert" data-testid="run-now-error">
          Run now failed: {err instanceof HttpError ? `HTTP ${err.status}: ` : ''}
          {err.message}
        </span>
      )}
      {run.data && !run.isPending && !err && (
        <span className="muted small" data-testid="run-now-result">
          ran: <ResultBadge status={run.data.status} />
        </span>
      )}
    </span>
  );
}

/** The conditions as written, degraded ones marked, each with how it came out in the latest result. */
function Conditions({ detail }: { detail: Detail }) {
  const outcomes = new Map((detail.latest?.conditions ?? []).map((c) => [c.condition, c]));
  const rows = [
    ...detail.conditions.map((c) => ({ text: c, degraded: false })),
    ...detail.degradedConditions.map((c) => ({ text: c, degraded: true })),
  ];
  return (
    <section className="panel">
      <header className="panel-head">
        <h3>Conditions</h3>
        <span className="muted small">
          all must hold; a failed <em>degraded</em> condition only lowers the result to degraded
        </span>
      </header>
      {rows.length === 0 ? (
        <div className="empty muted">No conditions: the check passes when it completes.</div>
      ) : (
        <ul className="cond-list" data-testid="check-conditions">
          {rows.map((row) => {
            const outcome = outcomes.get(row.text);
            return (
              <li
                key={`${row.degraded}:${row.text}`}
                data-testid="check-condition"
                data-degraded={row.degraded}
              >
                <OutcomeMark ok={outcome?.ok} />
                <code>{row.text}</code>
                {row.degraded && <span className="tag tag-degraded">degraded</span>}
                {outcome && <span className="muted small mono">last: {outcome.shown}</span>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function PhaseTimings({ results }: { results: CheckResultItem[] }) {
  const columns = useMemo(() => phaseColumns(results), [results]);
  return (
    <ChartCard
      title="Phase timings"
      hint={`last ${results.length} results, oldest left; stacked by phase (${PHASES.join(', ')}), line: whole duration, red: failed`}
    >
      {results.length === 0 ? (
        <div className="empty muted">No results yet.</div>
      ) : (
        <PhaseChart columns={columns} testId="chart-phases" />
      )}
    </ChartCard>
  );
}

function Uptime({ name, now }: { name: string; now: number }) {
  const uptime = useCheckUptime(name, UPTIME_DAYS);
  const bars = useMemo(() => uptimeBars(uptime.data ?? [], UPTIME_DAYS, now), [uptime.data, now]);
  return (
    <section className="panel">
      <header className="panel-head">
        <h3>Uptime, {UPTIME_DAYS} days</h3>
        <span className="num" data-testid="check-uptime-90d">
          {uptime.data ? formatUptime(uptimeOf(uptime.data)) : '—'}
        </span>
        <span className="muted small">UTC days; degraded runs count as up</span>
      </header>
      {uptime.error && !uptime.data ? (
        <ErrorPanel error={uptime.error} />
      ) : (
        <UptimeBars bars={bars} testId="check-bars-90d" large />
      )}
    </section>
  );
}
