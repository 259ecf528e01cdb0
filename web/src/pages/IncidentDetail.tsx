import { Link, useParams } from 'react-router';
import { getToken } from '../api.ts';
import { formatAgo } from '../check-data.ts';
import { useNow } from '../check-queries.ts';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { IncidentStateBadge, SeverityBadge } from '../components/IncidentBadges.tsx';
import { ImpactPanel, PublicUpdatesPanel, RolesPanel, TasksPanel } from '../components/IncidentEditors.tsx';
import { IncidentTimeline } from '../components/IncidentTimeline.tsx';
import { PostmortemEditor } from '../components/PostmortemEditor.tsx';
import { Stat } from '../components/Stat.tsx';
import { WriteError } from '../components/WriteError.tsx';
import { formatDuration, formatTimestamp } from '../format.ts';
import {
  type IncidentDetail as Detail,
  type Incident,
  incidentDurations,
  MILESTONES,
  moveButtons,
} from '../incident-data.ts';
import { useEscalate, useIncident, useIncidentsLive, useTransition } from '../incident-queries.ts';

/** `/incidents/:id`: state and moves, milestones, roles, impact, tasks, alerts, timeline, updates, postmortem. */
export function IncidentDetail() {
  const { id: param = '' } = useParams();
  const id = Number(param);
  useIncidentsLive();
  const now = useNow();
  const detail = useIncident(id);
  if (!Number.isInteger(id) || id < 1) return <div className="panel notice">No incident “{param}”.</div>;
  if (!detail.data)
    return detail.error ? (
      <ErrorPanel error={detail.error} />
    ) : (
      <div className="loading">Loading incident #{id}…</div>
    );
  const { incident, alerts, timeline } = detail.data;
  return (
    <>
      <Header detail={detail.data} now={now} />
      <Milestones incident={incident} now={now} />
      <div className="inc-columns">
        <RolesPanel key={`roles:${JSON.stringify(incident.roles)}`} incident={incident} />
        <ImpactPanel key={`impact:${JSON.stringify(incident.impact)}`} incident={incident} />
      </div>
      <TasksPanel incident={incident} />
      <Alerts alerts={alerts} now={now} />
      <IncidentTimeline incidentId={incident.id} entries={timeline} />
      <PublicUpdatesPanel incident={incident} />
      <PostmortemEditor
        incidentId={incident.id}
        stored={incident.postmortem}
        edited={incident.postmortemEdit}
      />
    </>
  );
}

function Header({ detail, now }: { detail: Detail; now: number }) {
  const { incident } = detail;
  const services = [...new Set([incident.service, ...incident.services].filter((s): s is string => !!s))];
  return (
    <section className="slo-header" data-testid="incident-header" data-incident={incident.id}>
      <div className="crumbs muted small">
        <Link to="/incidents">Incidents</Link> / #{incident.id}
      </div>
      <div className="slo-title inc-title">
        <SeverityBadge severity={incident.severity} />
        <h1 data-testid="incident-title">{incident.title}</h1>
        <IncidentStateBadge state={incident.state} />
      </div>
      <p className="muted small">
        {services.length > 0 ? services.join(', ') : 'no service'} · {incident.urgency} urgency · opened{' '}
        <span title={formatTimestamp(incident.createdAt)}>{formatAgo(incident.createdAt, now)}</span>
        {incident.declaredBy && <> · declared by {incident.declaredBy}</>}
        {incident.escalationPolicy && <> · escalation policy {incident.escalationPolicy}</>}
        {incident.mergedInto !== undefined && (
          <>
            {' '}
            · merged into <Link to={`/incidents/${incident.mergedInto}`}>#{incident.mergedInto}</Link>
          </>
        )}
      </p>
      <Moves detail={detail} />
    </section>
  );
}

/** The allowed moves as buttons, then Escalate; a refused write shows the server's reason. */
function Moves({ detail }: { detail: Detail }) {
  const { incident, allowedMoves } = detail;
  const transition = useTransition(incident.id);
  const escalate = useEscalate(incident.id);
  const buttons = moveButtons(incident.state, allowedMoves);
  const busy = transition.isPending || escalate.isPending;
  const open = buttons.length > 0;
  return (
    <div className="moves" data-testid="moves">
      {buttons.map((b) => (
        <button
          key={b.to}
          type="button"
          className={b.kind === 'primary' ? 'primary-button' : b.kind === 'danger' ? 'danger-button' : ''}
          disabled={busy}
          data-testid={`move-${b.to}`}
          onClick={() => {
            escalate.reset();
            transition.mutate(b.to);
          }}
        >
          {b.label}
        </button>
      ))}
      {open && (
        <button
          type="button"
          className="escalate-button"
          disabled={busy}
          data-testid="escalate"
          title="Page the next step of the escalation policy now"
          onClick={() => {
            transition.reset();
            escalate.mutate(undefined);
          }}
        >
          Escalate
        </button>
      )}
      {!open && <span className="muted small">No further moves: this incident is {incident.state}.</span>}
      {!getToken() && <span className="muted small">Changes need an API token with the responder role.</span>}
      <WriteError error={transition.error ?? escalate.error} testId="move-error" />
      {escalate.data && !escalate.error && (
        <span className="muted small" data-testid="escalate-result">
          paged escalation step {escalate.data.step}
        </span>
      )}
    </div>
  );
}

function Milestones({ incident, now }: { incident: Incident; now: number }) {
  const d = incidentDurations(incident, now);
  const time = (ms: number | undefined) =>
    ms === undefined ? <span className="muted">—</span> : <span className="num">{formatTimestamp(ms)}</span>;
  return (
    <section className="panel">
      <header className="panel-head">
        <h3>Milestones</h3>
        <span className="muted small">times in your zone</span>
      </header>
      <div className="stats inc-stats" data-testid="milestones">
        {MILESTONES.map((m) => (
          <Stat key={m.name} label={m.label} testId={`milestone-${m.name}`}>
            {time(incident.milestones[m.name])}
          </Stat>
        ))}
      </div>
      <div className="stats inc-stats durations">
        <Stat label="Time to detect">{formatDuration(d.toDetect)}</Stat>
        <Stat label="Time to acknowledge" testId="duration-tta">
          {formatDuration(d.toAcknowledge)}
        </Stat>
        <Stat label="Time to recover">{formatDuration(d.toRecover)}</Stat>
        <Stat label="Time to resolve">{formatDuration(d.toResolve)}</Stat>
        <Stat label={incident.milestones.resolvedAt === undefined ? 'Open for' : 'Was open'}>
          {formatDuration(d.open)}
        </Stat>
      </div>
    </section>
  );
}

function Alerts({ alerts, now }: { alerts: Detail['alerts']; now: number }) {
  return (
    <section className="panel" data-testid="alerts">
      <header className="panel-head">
        <h3>Alerts</h3>
        <span className="muted small">{alerts.length} grouped into this incident</span>
      </header>
      {alerts.length === 0 ? (
        <div className="empty muted small">No alert: this incident was declared by hand.</div>
      ) : (
        <div className="table-wrap">
          <table className="grid">
            <thead>
              <tr>
                <th>Status</th>
                <th>Summary</th>
                <th>Severity</th>
                <th>Origin</th>
                <th>First seen</th>
                <th>Last seen</th>
                <th>Dedup key</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((a) => (
                <tr key={a.id} data-testid="alert-row" className={a.status === 'firing' ? 'row-page' : ''}>
                  <td>
                    <span className={`alert-status alert-status-${a.status}`}>{a.status}</span>
                  </td>
                  <td>{a.summary}</td>
                  <td className="muted">{a.severity}</td>
                  <td className="muted">{a.origin}</td>
                  <td className="num" title={formatTimestamp(a.firstSeenAt)}>
                    {formatAgo(a.firstSeenAt, now)}
                  </td>
                  <td className="num" title={formatTimestamp(a.lastSeenAt)}>
                    {formatAgo(a.lastSeenAt, now)}
                  </td>
                  <td className="mono small muted">{a.dedupKey}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
