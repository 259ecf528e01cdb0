/**
 * The server's incidents: every alert event (Alertmanager, Events v2, the SLO
 * engine, checks) is stored first, then applied: a trigger joins an incident
 * (grouping) or opens one (routing), an acknowledge acknowledges it, a
 * resolve is put on its timeline and resolves it once all its alerts are
 * resolved. People declare, move and annotate incidents through the same
 * service, so every change lands on the timeline.
 */
import { createHash } from 'node:crypto';
import type { AlertTransition } from '../slo/model.ts';
import type { Store } from '../store/types.ts';
import {
  chooseIncident,
  DEFAULT_GROUPING,
  type GroupingCandidate,
  type GroupingRules,
  type RoutingRule,
  route,
} from './grouping.ts';
import { ACTIVE_STATES, type MoveError, move, type NewTimelineEntry } from './lifecycle.ts';
import type {
  AlertRecord,
  Incident,
  IncidentState,
  IncomingAlert,
  Severity,
  TimelineEntry,
} from './types.ts';

export interface IncidentServiceOptions {
  store: Store;
  now: () => number;
  grouping?: GroupingRules;
  routing?: RoutingRule[];
  /** More routing rules, read for each new incident (escalation policies' `routes`), after `routing`. */
  routingFrom?: () => Promise<RoutingRule[]>;
  /** Told about every incident that was opened or changed (the bus, SSE). */
  onChange?: (incident: Incident, entries: TimelineEntry[]) => void;
  log?: (level: 'info' | 'warn' | 'error', msg: string, err?: unknown) => void;
}

export interface IntakeOutcome {
  record: AlertRecord;
  duplicate: boolean;
  incident?: Incident;
}

export interface Declaration {
  title: string;
  severity: Severity;
  service?: string;
  actor: string;
  summary?: string;
}

export class IncidentService {
  readonly #opts: IncidentServiceOptions;
  /** Applying alerts is serial: two triggers for one service must not both open an incident. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(opts: IncidentServiceOptions) {
    this.#opts = opts;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => {});
    return run;
  }

  /**
   * Stores an alert event (durably: the caller answers 2xx only after this
   * resolves) and applies it. A replay changes nothing.
   */
  intake(
    alert: IncomingAlert,
    eventKey: string,
    fallback: { service?: string; escalationPolicy?: string } = {},
  ): Promise<IntakeOutcome> {
    return this.#serial(async () => {
      const { record, duplicate } = await this.#opts.store.ingestAlert(alert, eventKey);
      if (duplicate) return { record, duplicate };
      const incident = await this.#apply(alert, record, fallback);
      return incident ? { record, duplicate, incident } : { record, duplicate };
    });
  }

  /** An SLO or check alert transition from the bus, as an incoming alert. */
  intakeTransition(t: AlertTransition): Promise<IntakeOutcome> | undefined {
    const firing = t.to === 'firing';
    if (!firing && t.from !== 'firing') return undefined; // no_data / insufficient_data are not incidents
    const isCheck = t.source === 'check';
    const alert: IncomingAlert = {
      origin: isCheck ? 'check' : 'slo',
      dedupKey: isCheck ? `check:${t.slo}` : `slo:${t.slo}:${t.severity}`,
      action: firing ? 'trigger' : 'resolve',
      summary: isCheck
        ? `Check ${t.slo} is failing${t.reason ? `: ${t.reason}` : ''}`
        : `SLO ${t.slo} is burning its error budget (${t.severity})`,
      source: 'ballast',
      severity: t.severity === 'page' ? 'critical' : t.severity === 'ticket' ? 'warning' : 'error',
      service: t.service,
      labels: { severity: t.severity, [isCheck ? 'check' : 'slo']: t.slo, service: t.service },
      annotations: t.reason ? { reason: t.reason } : {},
      startsAt: t.at,
      receivedAt: this.#opts.now(),
    };
    const eventKey = createHash('sha256')
      .update(JSON.stringify([alert.dedupKey, t.from, t.to, t.at]))
      .digest('base64url');
    return this.intake(alert, eventKey);
  }

  async #apply(
    alert: IncomingAlert,
    record: AlertRecord,
    fallback: { service?: string; escalationPolicy?: string },
  ): Promise<Incident | undefined> {
    const { store, now } = this.#opts;
    const at = now();
    // An alert already on an incident (this episode) goes to it directly: no scan of every open incident.
    const linked = record.incidentId !== undefined ? await store.getIncident(record.incidentId) : undefined;
    const candidates = linked ? [] : await this.#candidates();
    const decision: ReturnType<typeof chooseIncident> = linked
      ? { kind: 'existing', incidentId: linked.id, reason: 'dedup', reopen: false }
      : chooseIncident(alert, candidates, this.#opts.grouping ?? DEFAULT_GROUPING, at);
    if (decision.kind === 'none') return undefined;
    const actor = alert.integration ? `integration:${alert.origin}` : 'ballast';
    if (decision.kind === 'new') {
      const rules = [...(this.#opts.routing ?? []), ...((await this.#opts.routingFrom?.()) ?? [])];
      const r = route(alert, rules, fallback);
      const incident = await store.createIncident({
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
      await store.linkAlert(record.id, incident.id);
      const entries = await this.#record(incident, [
        {
          at,
          kind: 'alert-firing',
          actor,
          text: `alert fired: ${alert.summary}`,
          data: alertData(alert, r.rule),
        },
      ]);
      this.#opts.onChange?.(incident, entries);
      return incident;
    }
    const candidate = candidates.find((c) => c.incident.id === decision.incidentId);
    let incident = linked ?? candidate?.incident ?? (await store.getIncident(decision.incidentId));
    if (!incident) return undefined;
    if (record.incidentId !== incident.id && alert.action === 'trigger')
      await store.linkAlert(record.id, incident.id);
    const entries: NewTimelineEntry[] = [];
    if (alert.action === 'trigger') {
      // A repeat of a firing alert (Alertmanager resends its groups) is not news for the timeline.
      if (!linked)
        entries.push({
          at,
          kind: 'alert-firing',
          actor,
          text: `alert fired: ${alert.summary}`,
          data: alertData(alert),
        });
      if (alert.service && !incident.services.includes(alert.service))
        incident = { ...incident, services: [...incident.services, alert.service] };
      if (decision.reopen) incident = this.#moved(incident, 'investigating', at, actor, entries);
    } else if (alert.action === 'acknowledge') {
      if (incident.state === 'triggered')
        incident = this.#moved(incident, 'acknowledged', at, actor, entries);
    } else if (record.resolvedAt === alert.receivedAt) {
      // (Resolved before this event: a repeat, nothing new for the timeline.)
      entries.push({
        at,
        kind: 'alert-resolved',
        actor,
        text: `alert resolved: ${alert.summary || record.summary}`,
        data: alertData(alert),
      });
      const open = (await store.listAlerts({ incidentId: incident.id, limit: 1000 })).filter(
        (a) => a.status !== 'resolved',
      );
      if (open.length === 0 && (ACTIVE_STATES as readonly IncidentState[]).includes(incident.state))
        incident = this.#moved(incident, 'resolved', at, 'ballast', entries, 'all alerts resolved');
    }
    const saved = (await store.updateIncident({ ...incident, updatedAt: at })) ?? incident;
    const recorded = await this.#record(saved, entries);
    this.#opts.onChange?.(saved, recorded);
    return saved;
  }

  /** Moves `incident` (collecting the timeline entries); an impossible move leaves it as it was. */
  #moved(
    incident: Incident,
    to: IncidentState,
    at: number,
    actor: string,
    entries: NewTimelineEntry[],
    why?: string,
  ): Incident {
    const r = move(incident, to, at, actor);
    if ('error' in r) return incident;
    for (const e of r.entries) entries.push(why ? { ...e, text: `${e.text} (${why})` } : e);
    return r.incident;
  }

  async #candidates(): Promise<GroupingCandidate[]> {
    const { store } = this.#opts;
    const incidents = await store.listIncidents({ states: [...ACTIVE_STATES, 'resolved'], limit: 200 });
    return Promise.all(
      incidents.map(async (incident) => ({
        incident,
        alerts: await store.listAlerts({ incidentId: incident.id, limit: 200 }),
      })),
    );
  }

  async #record(incident: Incident, entries: NewTimelineEntry[]): Promise<TimelineEntry[]> {
    const out: TimelineEntry[] = [];
    for (const e of entries)
      out.push(await this.#opts.store.addTimelineEntry({ ...e, incidentId: incident.id }));
    return out;
  }

  /** Declares an incident by hand: whoever declares is working on it (investigating). */
  declare(d: Declaration): Promise<Incident> {
    return this.#serial(async () => {
      const at = this.#opts.now();
      const incident = await this.#opts.store.createIncident({
        title: d.title,
        state: 'investigating',
        severity: d.severity,
        urgency: 'high',
        ...(d.service !== undefined ? { service: d.service } : {}),
        services: d.service !== undefined ? [d.service] : [],
        createdAt: at,
        updatedAt: at,
        milestones: { detectedAt: at, acknowledgedAt: at },
        roles: { commander: d.actor },
        impact: {},
        tasks: [],
        declaredBy: d.actor,
        publicUpdates: [],
      });
      const entries = await this.#record(incident, [
        {
          at,
          kind: 'state',
          actor: d.actor,
          text: `declared by ${d.actor}${d.summary ? `: ${d.summary}` : ''}`,
          data: { to: 'investigating' },
        },
      ]);
      this.#opts.onChange?.(incident, entries);
      return incident;
    });
  }

  /** Moves an incident; the error lists the allowed moves (a 409 for the API). Undefined: no such incident. */
  transition(
    id: number,
    to: IncidentState,
    actor: string,
    opts: { mergedInto?: number } = {},
  ): Promise<{ incident: Incident } | { error: MoveError } | undefined> {
    return this.change(id, (incident, at) => move(incident, to, at, actor, opts));
  }

  /**
   * Applies a change to an incident: `fn` returns the changed incident and the
   * timeline entries that say what changed, or an error (kept from the caller
   * as is). Serial with every other change, so no change is lost.
   */
  change<E>(
    id: number,
    fn: (
      incident: Incident,
      at: number,
    ) => { incident: Incident; entries: NewTimelineEntry[] } | { error: E },
  ): Promise<{ incident: Incident; entries: TimelineEntry[] } | { error: E } | undefined> {
    return this.#serial(async () => {
      const incident = await this.#opts.store.getIncident(id);
      if (!incident) return undefined;
      const at = this.#opts.now();
      const r = fn(incident, at);
      if ('error' in r) return r;
      const saved =
        (await this.#opts.store.updateIncident({ ...r.incident, updatedAt: at }, incident.updatedAt)) ??
        r.incident;
      const entries = await this.#record(saved, r.entries);
      this.#opts.onChange?.(saved, entries);
      return { incident: saved, entries };
    });
  }

  /** Adds a note to the timeline. Undefined: no such incident. */
  note(id: number, text: string, actor: string): Promise<TimelineEntry | undefined> {
    return this.#serial(async () => {
      const incident = await this.#opts.store.getIncident(id);
      if (!incident) return undefined;
      const [entry] = await this.#record(incident, [{ at: this.#opts.now(), kind: 'note', actor, text }]);
      this.#opts.onChange?.(incident, entry ? [entry] : []);
      return entry;
    });
  }
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
