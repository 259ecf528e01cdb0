import { Link } from 'react-router';
import type { CheckSummary } from '../../../src/server/schemas.ts';
import {
  checkState,
  countByTone,
  dailyBars,
  formatAgo,
  formatUptime,
  groupByService,
  resultReason,
} from '../check-data.ts';
import { useChecks, useChecksLive, useNow } from '../check-queries.ts';
import { CheckStateLabel } from '../components/CheckStatus.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { UptimeBars } from '../components/UptimeBars.tsx';
import { formatTimestamp } from '../format.ts';
import { formatMs } from '../load-data.ts';

/** `/checks`: every synthetic check, grouped by service, live as results arrive. */
export function Checks() {
  useChecksLive();
  const checks = useChecks();
  const now = useNow();
  // A failed background refresh keeps the rows shown; events may still be updating them.
  if (!checks.data)
    return checks.error ? (
      <ErrorPanel error={checks.error} />
    ) : (
      <div className="loading">Loading checks…</div>
    );
  if (checks.data.length === 0) {
    return (
      <>
        <h1 className="page-title">Checks</h1>
        <div className="panel notice">
          No checks yet. Add a <code>kind: Check</code> spec (<code>apiVersion: ballast.dev/v1</code>) and
          apply it with <code>ballast apply DIR</code>.
        </div>
      </>
    );
  }
  return (
    <>
      <Totals checks={checks.data} />
      {groupByService(checks.data).map((g) => (
        <section key={g.service} className="panel" data-testid="check-service" data-service={g.service}>
          <header className="panel-head">
            <h2>{g.service}</h2>
            <span className="muted small">
              {g.checks.length} {g.checks.length === 1 ? 'check' : 'checks'}
            </span>
          </header>
          <div className="table-wrap">
            <table className="grid check-table">
              <thead>
                <tr>
                  <th className="w-check-state">State</th>
                  <th>Check</th>
                  <th className="w-check-type">Type</th>
                  <th className="w-check-schedule">Schedule</th>
                  <th>Last result</th>
                  <th className="r w-check-uptime">Uptime 30d</th>
                  <th className="w-check-bars">Last 30 days</th>
                </tr>
              </thead>
              <tbody>
                {g.checks.map((c) => (
                  <CheckRow key={c.name} check={c} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </>
  );
}

/** Counts by state: on call reads the failing number first. */
function Totals({ checks }: { checks: CheckSummary[] }) {
  const counts = countByTone(checks);
  const tiles = [
    { label: 'Checks', value: checks.length, tone: 'neutral' },
    { label: 'Failing', value: counts.fail, tone: 'page' },
    { label: 'Degraded', value: counts.degraded, tone: 'ticket' },
    { label: 'No data', value: counts.nodata, tone: 'nodata' },
    { label: 'Paused', value: counts.paused, tone: 'nodata' },
    { label: 'Passing', value: counts.ok, tone: 'ok' },
  ];
  return (
    <section className="tiles" data-testid="check-totals">
      <h1 className="page-title">Checks</h1>
      {tiles.map((t) => (
        <div key={t.label} className={`tile tile-${t.tone} ${t.value > 0 ? 'tile-active' : ''}`}>
          <span className="tile-value num" data-testid={`total-${t.label.toLowerCase().replace(' ', '-')}`}>
            {t.value}
          </span>
          <span className="tile-label">{t.label}</span>
        </div>
      ))}
    </section>
  );
}

function CheckRow({ check, now }: { check: CheckSummary; now: number }) {
  const state = checkState(check);
  const latest = check.latest;
  const reason = latest ? resultReason(latest) : undefined;
  return (
    <tr
      data-testid="check-row"
      data-check={check.name}
      data-latest={latest?.id ?? ''}
      className={state.alarm ? 'row-page' : state.tone === 'degraded' ? 'row-ticket' : ''}
    >
      <td>
        <CheckStateLabel state={state} />
      </td>
      <td>
        <Link to={`/checks/${encodeURIComponent(check.name)}`} className="slo-link" data-testid="check-name">
          {check.displayName ?? check.name}
        </Link>
        {check.displayName && <div className="muted mono small">{check.name}</div>}
      </td>
      <td className="muted">{check.type}</td>
      <td className="muted small">{check.schedule}</td>
      <td data-testid="check-last">
        {latest ? (
          <>
            <span className="num" title={formatTimestamp(latest.startedAt)}>
              {formatAgo(latest.startedAt, now)}
            </span>
            <span className="muted num"> · {formatMs(latest.durationMs)}</span>
            {reason && (
              <div
                className={`small reason reason-${latest.status}`}
                data-testid="check-reason"
                title={reason}
              >
                {reason}
              </div>
            )}
          </>
        ) : (
          <span className="muted">no runs yet</span>
        )}
      </td>
      <td className="r num" data-testid="check-uptime">
        {formatUptime(check.uptime30d)}
      </td>
      <td>
        <UptimeBars bars={dailyBars(check.daily, now)} testId="check-bars" />
      </td>
    </tr>
  );
}
