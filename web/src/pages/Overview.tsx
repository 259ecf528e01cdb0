import { Link } from 'react-router';
import type { CapacityDto, ServiceSummary, SloSummary } from '../../../src/server/schemas.ts';
import { AlertBadge, BudgetBar } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import {
  alertTone,
  formatBurn,
  formatDuration,
  formatObjective,
  formatSli,
  formatTimestamp,
} from '../format.ts';
import { formatRate } from '../load-data.ts';
import { useCapacities } from '../load-queries.ts';
import { useServices } from '../queries.ts';

/** `/`: every service with its SLOs, in the order the server lists them (spec order). */
export function Overview() {
  const services = useServices();
  const capacities = useCapacities();
  const capacityOf = new Map((capacities.data ?? []).map((c) => [c.service, c]));
  if (services.error) return <ErrorPanel error={services.error} />;
  if (!services.data) return <div className="loading">Loading services…</div>;
  if (services.data.length === 0) {
    return (
      <div className="panel notice">
        No services yet. Apply a spec directory with <code>ballast apply DIR</code>.
      </div>
    );
  }
  return (
    <>
      <Totals services={services.data} />
      {services.data.map((s) => (
        <ServiceCard key={s.name} service={s} capacity={capacityOf.get(s.name)} />
      ))}
    </>
  );
}

/** Counts by alert state across all SLOs: the first thing on call reads. */
function Totals({ services }: { services: ServiceSummary[] }) {
  const slos = services.flatMap((s) => s.slos);
  const count = (tone: string) => slos.filter((s) => alertTone(s.alertState) === tone).length;
  const tiles = [
    { label: 'SLOs', value: slos.length, tone: 'neutral' },
    { label: 'Paging', value: count('page'), tone: 'page' },
    { label: 'Ticket', value: count('ticket'), tone: 'ticket' },
    { label: 'No data', value: count('nodata'), tone: 'nodata' },
    { label: 'OK', value: count('ok'), tone: 'ok' },
  ];
  return (
    <section className="tiles" data-testid="totals">
      <h1 className="page-title">Services</h1>
      {tiles.map((t) => (
        <div key={t.label} className={`tile tile-${t.tone} ${t.value > 0 ? 'tile-active' : ''}`}>
          <span className="tile-value num">{t.value}</span>
          <span className="tile-label">{t.label}</span>
        </div>
      ))}
    </section>
  );
}

function ServiceCard({ service, capacity }: { service: ServiceSummary; capacity: CapacityDto | undefined }) {
  return (
    <section className="panel service" data-testid="service" data-service={service.name}>
      <header className="panel-head">
        <h2>{service.displayName ?? service.name}</h2>
        {service.displayName && <span className="muted mono">{service.name}</span>}
        {service.description && <span className="muted">{service.description}</span>}
        {capacity && <CapacityTag capacity={capacity} />}
      </header>
      <div className="table-wrap">
        <table className="grid slo-table">
          <thead>
            <tr>
              <th>SLO</th>
              <th className="r w-objective">Objective</th>
              <th className="w-window">Window</th>
              <th className="r w-sli">SLI</th>
              <th className="w-budget">Error budget</th>
              <th className="r w-burn">Fastest burn</th>
              <th className="r w-exhaust">Exhausted in</th>
              <th className="w-alert">Alert</th>
            </tr>
          </thead>
          <tbody>
            {service.slos.map((slo) => (
              <SloRow key={slo.name} slo={slo} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The service's latest measured capacity at SLO (`ballast load capacity`). */
function CapacityTag({ capacity }: { capacity: CapacityDto }) {
  const when = formatTimestamp(capacity.measuredAt);
  const slo = capacity.slo ? ` at SLO ${capacity.slo}` : '';
  return (
    <span className="capacity" data-testid="capacity" title={`measured ${when}${slo}`}>
      capacity <strong className="num">{formatRate(capacity.ratePerSecond)}</strong>
      <span className="muted small">
        {slo} · {when}
      </span>
    </span>
  );
}

function SloRow({ slo }: { slo: SloSummary }) {
  return (
    <tr data-testid="slo-row" data-slo={slo.name} className={`row-${alertTone(slo.alertState)}`}>
      <td>
        <Link to={`/slos/${encodeURIComponent(slo.name)}`} className="slo-link" data-testid="slo-name">
          {slo.displayName ?? slo.name}
        </Link>
        {slo.displayName && <div className="muted mono small">{slo.name}</div>}
      </td>
      <td className="r num" data-testid="objective">
        {formatObjective(slo.objective)}
      </td>
      <td className="muted" data-testid="window">
        {slo.window}
      </td>
      <td className="r num" data-testid="sli">
        {formatSli(slo.status.sli)}
      </td>
      <td>
        <BudgetBar remaining={slo.status.budget.remainingRatio} />
      </td>
      <td className="r num" data-testid="burn">
        {slo.fastestBurn ? (
          <>
            {formatBurn(slo.fastestBurn.rate)} <span className="muted">{slo.fastestBurn.window}</span>
          </>
        ) : (
          '—'
        )}
      </td>
      <td className="r num muted">{formatDuration(slo.status.exhaustionInMs)}</td>
      <td>
        <AlertBadge state={slo.alertState} />
      </td>
    </tr>
  );
}
