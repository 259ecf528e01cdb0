import { parseWindowLabel } from '../chart-data.ts';
import { AlertBadge } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { alertLabel, formatBurn, formatTimestamp } from '../format.ts';
import { useAlerts } from '../queries.ts';

/** Alert state changes of one SLO, newest first. */
export function AlertHistory({ slo }: { slo: string }) {
  const alerts = useAlerts(slo);
  return (
    <section className="panel" data-testid="alert-history">
      <header className="panel-head">
        <h3>Alert history</h3>
        <span className="muted small">state changes of the burn-rate alerts</span>
      </header>
      {alerts.error ? <ErrorPanel error={alerts.error} /> : null}
      {alerts.data && alerts.data.length === 0 && <p className="empty">No alert has changed state yet.</p>}
      {alerts.data && alerts.data.length > 0 && (
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th>Time</th>
                <th>Severity</th>
                <th>State</th>
                <th>Change</th>
                <th>Reason</th>
                <th className="r">Burn rates at the change</th>
              </tr>
            </thead>
            <tbody>
              {[...alerts.data]
                .sort((a, b) => b.at - a.at)
                .map((a) => (
                  <tr key={a.id} data-testid="alert-event" data-to={a.to} data-severity={a.severity}>
                    <td className="num mono">{formatTimestamp(a.at)}</td>
                    <td className="mono">{a.severity}</td>
                    <td>
                      <AlertBadge state={a.to === 'firing' ? a.severity : a.to} />
                    </td>
                    <td>
                      <span className="muted">{alertLabel(a.from)}</span> →{' '}
                      <strong>{alertLabel(a.to)}</strong>
                    </td>
                    <td className="muted">{a.reason ?? ''}</td>
                    <td className="r num small">
                      {Object.entries(a.burnRates)
                        .filter(([, v]) => v !== null)
                        .sort(([a], [b]) => parseWindowLabel(a) - parseWindowLabel(b))
                        .map(([w, v]) => `${w} ${formatBurn(v)}`)
                        .join('  ·  ')}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
