/**
 * Applying one stored alert event to the incidents, inside the transaction
 * that also marks the event applied: a trigger joins an incident (grouping)
 * or opens one (routing), an acknowledge acknowledges it, a resolve goes on
 * its timeline and resolves it once all its alerts are resolved.
 */
import {
  chooseIncident,
  type GroupingCandidate,
  type GroupingRules,
  type RoutingFallback,
  type RoutingRule,
  route,
} from './grouping.ts';
import { ACTIVE_STATES, acknowledge, move, type NewTimelineEntry } from './lifecycle.ts';
import type { IncidentRepo } from './ports.ts';
import type { AlertRecord, Incident, IncidentState, IncomingAlert, TimelineEntry } from './types.ts';

export interface ApplyContext {
  repo: IncidentRepo;
  at: number;
  grouping: GroupingRules;
  /**
   * Routing for a new incident, read before the transaction (on PGlite a read
   * outside it would wait for it to end). Undefined: not read yet, because most
   * events join an incident; `applyAlert` then throws `RoutingNeeded` and the
   * caller reads it and applies again.
   */
  routing?: { rules: readonly RoutingRule[]; fallback: RoutingFallback };
}

/** Thrown inside the transaction when a new incident needs the routing that was not read. */
export class RoutingNeeded extends Error {}

export interface Applied {
  incident?: Incident;
  entries: TimelineEntry[];
}

/** A merged incident's alerts moved to its target when merged; older data may still point at it. */
const MAX_MERGE_HOPS = 10;

/** Applies `alert` (already stored, its alert record moved) to the incidents. */
export async function applyAlert(ctx: ApplyContext, alert: IncomingAlert): Promise<Applied> {
  const { repo, at } = ctx;
  const record = await repo.getAlert(alert.dedupKey);
  if (!record) throw new Error(`alert ${alert.dedupKey} is not stored: it cannot be applied`);
  // An alert already on an incident (this episode) goes to it directly: no scan of every open incident.
  const linked = record.incidentId !== undefined ? await followMerges(repo, record.incidentId) : undefined;
  const candidates = linked ? [] : await candidatesOf(repo);
  const decision: ReturnType<typeof chooseIncident> = linked
    ? { kind: 'existing', incidentId: linked.id, reason: 'dedup', reopen: false }
    : chooseIncident(alert, candidates, ctx.grouping, at);
  if (decision.kind === 'none') return { entries: [] };
  const actor = alert.integration ? `integration:${alert.origin}` : 'ballast';
  if (decision.kind === 'new') return openIncident(ctx, alert, record, actor);

  let incident =
    linked ??
    candidates.find((c) => c.incident.id === decision.incidentId)?.incident ??
    (await repo.getIncident(decision.incidentId));
  if (!incident) return { entries: [] };
  if (record.incidentId !== incident.id && alert.action === 'trigger')
    await repo.linkAlert(record.id, incident.id);
  const entries: NewTimelineEntry[] = [];
  const moved = (to: IncidentState, by: string, why?: string) => {
    const r = move(incident as Incident, to, at, by);
    if ('error' in r) return; // an impossible move leaves the incident as it was
    for (const e of r.entries) entries.push(why ? { ...e, text: `${e.text} (${why})` } : e);
    incident = r.incident;
  };
  if (alert.action === 'trigger') {
    // A repeat of a firing alert (Alertmanager resends its groups) is not news for the timeline.
    if (!linked) entries.push(await firingEntry(repo, alert, actor, at, alert.service ?? incident.service));
    if (alert.service && !incident.services.includes(alert.service))
      incident = { ...incident, services: [...incident.services, alert.service] };
    if (decision.reopen) moved('investigating', actor);
  } else if (alert.action === 'acknowledge') {
    const r = acknowledge(incident, at, actor);
    if (!('error' in r)) {
      entries.push(...r.entries);
      incident = r.incident;
      entries.push(...(await pagesAnswered(repo, incident.id, at, actor)));
    }
  } else if (record.resolvedAt === alert.receivedAt) {
    // (Resolved before this event: a repeat, nothing new for the timeline.)
    entries.push({
      at,
      kind: 'alert-resolved',
      actor,
      text: `alert resolved: ${alert.summary || record.summary}`,
      data: alertData(alert),
    });
    if (!(await repo.hasUnresolvedAlerts(incident.id)) && ACTIVE_STATES.includes(incident.state))
      moved('resolved', 'ballast', 'all alerts resolved');
  }
  if (entries.length === 0 && incident === linked) return { incident, entries: [] };
  const saved = (await repo.updateIncident({ ...incident, updatedAt: at })) ?? incident;
  return { incident: saved, entries: await fileEntries(repo, saved.id, entries) };
}

async function openIncident(
  ctx: ApplyContext,
  alert: IncomingAlert,
  record: AlertRecord,
  actor: string,
): Promise<Applied> {
  const { repo, at } = ctx;
  if (!ctx.routing) throw new RoutingNeeded('a new incident needs its routing');
  const r = route(alert, ctx.routing.rules, ctx.routing.fallback);
  const incident = await repo.createIncident({
    title: alert.summary,
    state: 'triggered',
    severity: r.severity,
    urgency: r.urgency,
    ...(r.service !== undefined ? { service: r.service } : {}),
    services: r.service !== undefined ? [r.service] : [],
    ...(r.escalationPolicy !== undefined ? { escalationPolicy: r.escalationPolicy } : {}),
    createdAt: at,
    updatedAt: at,
    milestones: {
      impactStartedAt: Math.min(alert.startsAt, alert.receivedAt),
      detectedAt: alert.receivedAt,
    },
    roles: {},
    impact: {},
    tasks: [],
    publicUpdates: [],
  });
  await repo.linkAlert(record.id, incident.id);
  const entry = await firingEntry(repo, alert, actor, at, r.service, r.rule);
  return { incident, entries: await fileEntries(repo, incident.id, [entry]) };
}

/**
 * The `alert-firing` entry; an alert for a service in maintenance says so
 * (it is recorded, and the paging engine pages nobody for it).
 */
async function firingEntry(
  repo: IncidentRepo,
  alert: IncomingAlert,
  actor: string,
  at: number,
  service: string | undefined,
  rule?: string,
): Promise<NewTimelineEntry> {
  const data = alertData(alert, rule);
  let text = `alert fired: ${alert.summary}`;
  if (service !== undefined) {
    const window = (await repo.listMaintenance({ service, from: at, to: at + 1 }))[0];
    if (window) {
      data.maintenance = window.id;
      text += ` (during maintenance of ${service} until ${new Date(window.end).toISOString()}: nobody is paged)`;
    }
  }
  return { at, kind: 'alert-firing', actor, text, data };
}

/** Marks the pages of an incident answered; an entry says how many, when any were. */
export async function pagesAnswered(
  repo: IncidentRepo,
  incidentId: number,
  at: number,
  actor: string,
  user?: string,
): Promise<NewTimelineEntry[]> {
  const n = await repo.acknowledgePages(incidentId, at, user);
  if (n === 0) return [];
  return [
    {
      at,
      kind: 'page-acknowledged',
      actor,
      text: `${n} page${n === 1 ? '' : 's'} acknowledged by ${actor}`,
      data: { pages: n, ...(user !== undefined ? { user } : {}) },
    },
  ];
}

async function followMerges(repo: IncidentRepo, id: number): Promise<Incident | undefined> {
  let incident = await repo.getIncident(id);
  for (let hop = 0; hop < MAX_MERGE_HOPS && incident?.state === 'merged'; hop++) {
    if (incident.mergedInto === undefined) break;
    incident = await repo.getIncident(incident.mergedInto);
  }
  return incident;
}

async function candidatesOf(repo: IncidentRepo): Promise<GroupingCandidate[]> {
  const incidents = await repo.listIncidents({ states: [...ACTIVE_STATES, 'resolved'], limit: 200 });
  const alerts = await repo.groupingAlerts(
    incidents.map((i) => i.id),
    200,
  );
  return incidents.map((incident) => ({ incident, alerts: alerts.get(incident.id) ?? [] }));
}

/** Files entries under an incident, in order. */
export async function fileEntries(
  repo: IncidentRepo,
  incidentId: number,
  entries: readonly NewTimelineEntry[],
): Promise<TimelineEntry[]> {
  const out: TimelineEntry[] = [];
  for (const e of entries) out.push(await repo.addTimelineEntry({ ...e, incidentId }));
  return out;
}
function alertData(alert: IncomingAlert, rule?: string): Record<string, unknown> {
  const data: Record<string, unknown> = {
    dedupKey: alert.dedupKey,
    origin: alert.origin,
    severity: alert.severity,
    labels: alert.labels,
  };
  if (alert.service) data.service = alert.service;
  if (rule) data.routedBy = rule;
  return data;
}
