import {
  type ChaosBadge,
  formatBudgetShare,
  formatClock,
  formatValue,
  hypothesisBadge,
  type ReportView,
} from '../chaos-data.ts';
import { formatBudget, formatTimestamp } from '../format.ts';
import { formatMs } from '../load-data.ts';
import { Stat } from './Stat.tsx';

function Badge({ badge, testId }: { badge: ChaosBadge; testId?: string }) {
  return (
    <span className={`badge badge-${badge.tone}`} data-testid={testId}>
      {badge.label}
    </span>
  );
}

/** Recovery as the report has it: a time, never (the faults went but the steady state did not return), or not measured. */
function recovery(report: ReportView): string {
  if (report.recoveryMs !== null) return formatMs(report.recoveryMs);
  return report.hypothesis.after === false ? 'did not recover' : '—';
}

/**
 * A finished run's report: the hypothesis before, during and after the
 * faults, recovery, the fault window, reverts, the error budget each SLO
 * spent, what the probes saw while the faults were held, and errors.
 */
export function ChaosReport({ report }: { report: ReportView }) {
  const w = report.faultWindow;
  return (
    <section className="panel chaos-report" data-testid="chaos-report">
      <header className="panel-head">
        <h3>Report</h3>
        <span className="muted small">what the run found</span>
      </header>
      <div className="stats chaos-stats">
        <Stat label="Steady state before">
          <Badge badge={hypothesisBadge(report.hypothesis.before)} testId="hypothesis-before" />
        </Stat>
        <Stat label="During the faults">
          <Badge badge={hypothesisBadge(report.hypothesis.during)} testId="hypothesis-during" />
        </Stat>
        <Stat label="After (recovered)">
          <Badge badge={hypothesisBadge(report.hypothesis.after)} testId="hypothesis-after" />
        </Stat>
        <Stat label="Recovery time" testId="report-recovery">
          {recovery(report)}
        </Stat>
        <Stat label="Fault window" testId="report-window">
          {w ? (
            <span title={`${formatTimestamp(w.start)} – ${formatTimestamp(w.end)}`}>
              {formatMs(w.end - w.start)}{' '}
              <span className="muted small">
                ({formatClock(w.start)} – {formatClock(w.end)})
              </span>
            </span>
          ) : (
            <span className="muted">no fault applied</span>
          )}
        </Stat>
        <Stat label="Reverts ok / failed" testId="report-reverts">
          {report.reverts ? (
            <>
              {report.reverts.ok} /{' '}
              <span className={report.reverts.failed > 0 ? 'hot' : ''}>{report.reverts.failed}</span>
            </>
          ) : (
            '—'
          )}
        </Stat>
      </div>
      {report.abortReason && (
        <p className="notice-error" data-testid="report-abort">
          Aborted: {report.abortReason}
        </p>
      )}
      <div className="chaos-columns">
        <div>
          <h4>Error budget</h4>
          {report.budget.length === 0 ? (
            <div className="empty muted small">No SLO budget was read.</div>
          ) : (
            <table className="grid" data-testid="report-budget">
              <thead>
                <tr>
                  <th>SLO</th>
                  <th className="r">Before</th>
                  <th className="r">After</th>
                  <th className="r">Spent</th>
                </tr>
              </thead>
              <tbody>
                {report.budget.map((b) => (
                  <tr key={b.slo}>
                    <td className="mono">{b.slo}</td>
                    <td className="r num">{formatBudget(b.before)}</td>
                    <td className="r num">{formatBudget(b.after)}</td>
                    <td className="r num" data-testid="budget-consumed">
                      {formatBudgetShare(b.consumed)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h4>Probes while the faults were held</h4>
          {report.probes.length === 0 ? (
            <div className="empty muted small">No probe ran during the faults.</div>
          ) : (
            <table className="grid" data-testid="report-probes">
              <thead>
                <tr>
                  <th>Probe</th>
                  <th className="r">Failed / read</th>
                  <th className="r">Min</th>
                  <th className="r">Max</th>
                  <th className="r">Last</th>
                </tr>
              </thead>
              <tbody>
                {report.probes.map((p) => (
                  <tr key={p.probe} className={p.during.failures > 0 ? 'row-page' : ''}>
                    <td className="mono">{p.probe}</td>
                    <td className={`r num ${p.during.failures > 0 ? 'hot' : ''}`}>
                      {p.during.failures} / {p.during.samples}
                    </td>
                    <td className="r num">{formatValue(p.during.min)}</td>
                    <td className="r num">{formatValue(p.during.max)}</td>
                    <td className="r num">{formatValue(p.during.last)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
      {report.errors.length > 0 && (
        <div className="notice-error" data-testid="report-errors">
          <h4>Errors</h4>
          <ul>
            {report.errors.map((e) => (
              <li key={e} className="mono small">
                {e}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
