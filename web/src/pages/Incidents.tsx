import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { getToken } from '../api.ts';
import { formatAgo } from '../check-data.ts';
import { useNow } from '../check-queries.ts';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { FilterSelect, useServiceNames } from '../components/FilterSelect.tsx';
import { IncidentStateBadge, SeverityBadge } from '../components/IncidentBadges.tsx';
import { WriteError } from '../components/WriteError.tsx';
import { formatDuration, formatTimestamp } from '../format.ts';
import {
  filtersFromParams,
  type Incident,
  type IncidentFilters,
  OPEN_STATES,
  paramsFromFilters,
  SEVERITIES,
  type Severity,
  STATE_FILTERS,
  type StateFilter,
  timeToAcknowledge,
} from '../incident-data.ts';
import { LIST_LIMIT, useDeclareIncident, useIncidents, useIncidentsLive } from '../incident-queries.ts';
import { useServices } from '../queries.ts';

/** `/incidents`: incidents newest first, filtered by state, severity and service (in the query string), live. */
export function Incidents() {
  useIncidentsLive();
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const incidents = useIncidents(filters);
  const now = useNow();
  const setFilters = (next: IncidentFilters) => setParams(paramsFromFilters(next), { replace: true });
  return (
    <>
      <section className="tiles">
        <h1 className="page-title">Incidents</h1>
        <OpenCount incidents={incidents.data} filters={filters} />
      </section>
      <Declare />
      <section className="panel">
        <Filters filters={filters} incidents={incidents.data ?? []} onChange={setFilters} />
        {!incidents.data ? (
          incidents.error ? (
            <ErrorPanel error={incidents.error} />
          ) : (
            <div className="loading">Loading incidents…</div>
          )
        ) : incidents.data.length === 0 ? (
          <div className="empty muted" data-testid="incidents-empty">
            No incidents match these filters.
          </div>
        ) : (
          <IncidentTable incidents={incidents.data} now={now} />
        )}
        {incidents.data?.length === LIST_LIMIT && (
          <p className="muted small">
            Showing the newest {LIST_LIMIT}; narrow the filters to see older ones.
          </p>
        )}
      </section>
    </>
  );
}

/** The number on call reads first: how many incidents nobody has acknowledged yet. */
function OpenCount({ incidents, filters }: { incidents: Incident[] | undefined; filters: IncidentFilters }) {
  if (!incidents) return null;
  const triggered = incidents.filter((i) => i.state === 'triggered').length;
  const open = incidents.filter((i) => OPEN_STATES.includes(i.state)).length;
  const tiles = [
    { label: 'Unacknowledged', value: triggered, tone: 'page' },
    { label: 'Open', value: open, tone: 'ticket' },
    { label: filters.state === 'open' ? 'Shown' : 'Matching', value: incidents.length, tone: 'neutral' },
  ];
  return (
    <>
      {tiles.map((t) => (
        <div key={t.label} className={`tile tile-${t.tone} ${t.value > 0 ? 'tile-active' : ''}`}>
          <span className="tile-value num" data-testid={`incidents-${t.label.toLowerCase()}`}>
            {t.value}
          </span>
          <span className="tile-label">{t.label}</span>
        </div>
      ))}
    </>
  );
}

function Filters(props: {
  filters: IncidentFilters;
  incidents: Incident[];
  onChange: (f: IncidentFilters) => void;
}) {
  const { filters, incidents, onChange } = props;
  const names = useServiceNames(
    incidents.flatMap((i) => [i.service, ...i.services]),
    filters.service,
  );
  return (
    <form className="filter-bar" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      <label>
        State{' '}
        <select
          data-testid="filter-state"
          value={filters.state}
          onChange={(e) => onChange({ ...filters, state: e.target.value as StateFilter })}
        >
          {STATE_FILTERS.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <FilterSelect
        label="Severity"
        testId="filter-severity"
        value={filters.severity}
        options={SEVERITIES}
        onChange={(severity) => onChange({ ...filters, severity })}
      />
      <FilterSelect
        label="Service"
        testId="filter-service"
        value={filters.service}
        options={names}
        onChange={(service) => onChange({ ...filters, service })}
      />
    </form>
  );
}

function IncidentTable({ incidents, now }: { incidents: Incident[]; now: number }) {
  return (
    <div className="table-wrap">
      <table className="grid incident-table" data-testid="incidents">
        <thead>
          <tr>
            <th className="w-inc-id">#</th>
            <th className="w-inc-sev">Severity</th>
            <th>Title</th>
            <th className="w-inc-state">State</th>
            <th className="w-inc-service">Service</th>
            <th className="w-inc-created">Created</th>
            <th className="r w-inc-tta">Time to ack</th>
          </tr>
        </thead>
        <tbody>
          {incidents.map((i) => {
            const tta = timeToAcknowledge(i);
            return (
              <tr
                key={i.id}
                data-testid="incident-row"
                data-incident={i.id}
                className={i.state === 'triggered' ? 'row-page' : ''}
              >
                <td className="num muted">{i.id}</td>
                <td>
                  <SeverityBadge severity={i.severity} />
                </td>
                <td>
                  <Link to={`/incidents/${i.id}`} className="slo-link" data-testid="incident-title">
                    {i.title}
                  </Link>
                  {i.declaredBy && <span className="muted small"> · declared by {i.declaredBy}</span>}
                </td>
                <td>
                  <IncidentStateBadge state={i.state} />
                </td>
                <td data-testid="incident-service">{i.service ?? <span className="muted">—</span>}</td>
                <td className="num" title={formatTimestamp(i.createdAt)}>
                  {formatAgo(i.createdAt, now)}
                </td>
                <td className="r num" data-testid="incident-tta">
                  {tta === undefined ? <span className="muted">—</span> : formatDuration(tta)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** "Declare incident": a form for a responder token; the new incident opens on success. */
function Declare() {
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState<Severity>('SEV3');
  const [service, setService] = useState('');
  const declare = useDeclareIncident();
  const services = useServices();
  const navigate = useNavigate();
  if (!open) {
    return (
      <div className="declare-bar">
        <button
          type="button"
          className="primary-button"
          data-testid="declare-open"
          onClick={() => setOpen(true)}
        >
          Declare incident
        </button>
        {!getToken() && (
          <span className="muted small">Declaring needs an API token with the responder role.</span>
        )}
      </div>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (title.trim() === '') return;
    declare.mutate(
      { title: title.trim(), severity, ...(service ? { service } : {}) },
      { onSuccess: (incident) => navigate(`/incidents/${incident.id}`) },
    );
  };
  return (
    <form className="panel declare-form" onSubmit={submit} data-testid="declare-form">
      <header className="panel-head">
        <h3>Declare incident</h3>
        <span className="muted small">starts as investigating, with you as commander</span>
      </header>
      <div className="form-row">
        <label className="grow">
          Title
          <input
            data-testid="declare-title"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            placeholder="What is broken, for whom"
            maxLength={500}
            required
          />
        </label>
        <label>
          Severity
          <select
            data-testid="declare-severity"
            value={severity}
            onChange={(e) => setSeverity(e.target.value as Severity)}
          >
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Service
          <select data-testid="declare-service" value={service} onChange={(e) => setService(e.target.value)}>
            <option value="">none</option>
            {(services.data ?? []).map((s) => (
              <option key={s.name} value={s.name}>
                {s.displayName ?? s.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="form-actions">
        <button
          type="submit"
          className="primary-button"
          disabled={declare.isPending}
          data-testid="declare-submit"
        >
          {declare.isPending ? 'Declaring…' : 'Declare'}
        </button>
        <button type="button" className="ghost" onClick={() => setOpen(false)}>
          Cancel
        </button>
        <WriteError error={declare.error} testId="declare-error" />
      </div>
    </form>
  );
}
