/**
 * The server's incidents. Every alert event (Alertmanager, Events v2, the SLO
 * engine, checks) is stored first (the intake answers 2xx only then), then
 * applied in a second transaction that also marks it applied, so a crash or
 * a failure in between leaves it pending: `recover()` at start-up, a later
 * sweep, or the sender's replay of the same event applies it, exactly once.
 * People declare, move and annotate incidents through the same service, so
 * every change lands on the timeline in the transaction that makes it.
 */
import { createHash } from 'node:crypto';
import type { AlertTransition } from '../slo/index.ts';
import { type ApplyContext, applyAlert, fileEntries, pagesAnswered, RoutingNeeded } from './apply-alert.ts';
import { DEFAULT_GROUPING, type GroupingRules, type RoutingFallback, type RoutingRule } from './grouping.ts';
import {
  acknowledge,
  type MoveError,
  move,
  type NewTimelineEntry,
  retrigger as retriggerMove,
} from './lifecycle.ts';
import { type MergeError, planMerge } from './merge.ts';
import type { IncidentRepo, IncidentStore, PendingAlertEvent } from './ports.ts';
import type {
  AlertRecord,
  Incident,
  IncidentState,
  IncomingAlert,
  Severity,
  TimelineEntry,
} from './types.ts';

export interface IncidentServiceOptions {
  store: IncidentStore;
  now: () => number;
  grouping?: GroupingRules;
  routing?: RoutingRule[];
  /** More routing rules, read for each event applied (escalation policies' `routes`), after `routing`. */
  routingFrom?: () => Promise<RoutingRule[]>;
  /**
   * What the event's integration routes to when no rule says otherwise. Read
   * per event from the event itself, so an event applied at recovery is routed
   * exactly as it would have been at intake.
   */
  fallbackFor?: (alert: IncomingAlert) => Promise<RoutingFallback>;
  /** Told about every incident that was opened or changed (the bus, SSE), after the change committed. */
  onChange?: (incident: Incident, entries: TimelineEntry[]) => void;
  /** Runs once an event is stored and before it is applied: the crash window, for tests to open. */
  afterIngest?: (eventKey: string) => void | Promise<void>;
  log?: (level: 'info' | 'warn' | 'error', msg: string, err?: unknown) => void;
}

export interface IntakeOutcome {
  record: AlertRecord;
  /** The same event was stored before (a replay). */
  duplicate: boolean;
  /** The event is stored but could not be applied yet (logged; a later sweep retries it). */
  pending: boolean;
  incident?: Incident;
}

export interface Declaration {
  title: string;
  severity: Severity;
  service?: string;
  actor: string;
  summary?: string;
}

/** A refused change, in the terms of an HTTP answer. */
export interface ChangeError {
  status: 400 | 404 | 409;
  message: string;
  allowed?: IncidentState[];
}

type Changed = { incident: Incident; entries: TimelineEntry[] };

/** Another writer (another replica) changed the incident between our read and our write. */
class ConcurrentChange extends Error {}

/** Optimistic writes are retried this often before the conflict is reported. */
const MAX_ATTEMPTS = 3;
/** Pending events applied per sweep step (the log is scanned oldest first). */
const RECOVERY_BATCH = 200;

/** States whose move means someone answered: outstanding pages count as acknowledged. */
const ANSWERING: ReadonlySet<IncidentState> = new Set([
  'acknowledged',
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'closed',
]);

const conflict = (e: MoveError): ChangeError => ({ status: 409, message: e.message, allowed: e.allowed });

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
   * resolves) and applies it, with any earlier event of the same dedup key
   * that is still pending, oldest first. A replay of an applied event changes
   * nothing; a replay of a pending one applies it.
   */
  intake(alert: IncomingAlert, eventKey: string): Promise<IntakeOutcome> {
    return this.#serial(async () => {
      const { store } = this.#opts;
      const { record, duplicate, event } = await store.ingestAlert(alert, eventKey);
      if (duplicate && event.applied) return { record, duplicate, pending: false };
      await this.#opts.afterIngest?.(eventKey);
      let outcome: IntakeOutcome = { record, duplicate, pending: true };
      // Nothing older waits for this key (the usual case): apply this event alone, no lookup of the log.
      const queue =
        !duplicate && event.earlierPending === false
          ? [{ id: event.id, eventKey, alert }]
          : await store.pendingAlertEvents({ dedupKey: alert.dedupKey, limit: RECOVERY_BATCH });
      for (const p of queue) {
        const r = await this.#applyPending(p);
        // A later event must not overtake an earlier one that failed: both wait for the sweep.
        if (r === 'failed') break;
        if (p.id !== event.id) continue;
        outcome = {
          record,
          duplicate,
          pending: false,
          ...(typeof r === 'object' && r.incident ? { incident: r.incident } : {}),
        };
      }
      // Applied meanwhile by another replica: not pending, nothing for us to report.
      if (outcome.pending && !(await this.#isPending(event.id, alert.dedupKey))) outcome.pending = false;
      return outcome;
    });
  }

  /**
   * Applies every stored event that was not applied (a crash between storing
   * and applying, or an apply that failed), oldest first. Returns how many
   * were applied; an event that fails again stays pending and stops the sweep
   * (later events of its key must not overtake it).
   */
  recover(): Promise<number> {
    return this.#serial(async () => {
      let applied = 0;
      for (;;) {
        const batch = await this.#opts.store.pendingAlertEvents({ limit: RECOVERY_BATCH });
        if (batch.length === 0) return applied;
        for (const p of batch) {
          const r = await this.#applyPending(p);
          if (r === 'failed') return applied;
          if (r !== 'skipped') applied++;
        }
        if (batch.length < RECOVERY_BATCH) return applied;
      }
    });
  }

  async #isPending(eventId: number, dedupKey: string): Promise<boolean> {
    const pending = await this.#opts.store.pendingAlertEvents({ dedupKey, limit: RECOVERY_BATCH });
    return pending.some((p) => p.id === eventId);
  }

  /** One pending event in its own transaction; 'skipped' when someone else claimed it first. */
  async #applyPending(p: PendingAlertEvent): Promise<{ incident?: Incident } | 'skipped' | 'failed'> {
    const { store, now } = this.#opts;
    try {
      const attempt = (routing?: ApplyContext['routing']) => {
        const at = now();
        return store.incidentTransaction(async (tx) => {
          if (!(await tx.claimAlertEvent(p.id, at))) return 'skipped' as const;
          const grouping = this.#opts.grouping ?? DEFAULT_GROUPING;
          return applyAlert({ repo: tx, at, grouping, ...(routing ? { routing } : {}) }, p.alert);
        });
      };
      // Most events join an incident: routing (spec documents, the integration) is read only for a new one.
      const r = await attempt().catch(async (err: unknown) => {
        if (!(err instanceof RoutingNeeded)) throw err;
        return attempt(await this.#routingFor(p.alert));
      });
      if (r === 'skipped') return r;
      if (r.incident) this.#opts.onChange?.(r.incident, r.entries);
      return r.incident ? { incident: r.incident } : {};
    } catch (err) {
      this.#opts.log?.(
        'error',
        `alert event ${p.id} (${p.alert.dedupKey}) is stored but could not be applied`,
        err,
      );
      return 'failed';
    }
  }

  async #routingFor(alert: IncomingAlert): Promise<NonNullable<ApplyContext['routing']>> {
    const rules = [...(this.#opts.routing ?? []), ...((await this.#opts.routingFrom?.()) ?? [])];
    return { rules, fallback: (await this.#opts.fallbackFor?.(alert)) ?? {} };
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
    // The key depends on the transition only, so re-taking the same transition at start-up is a replay.
    const eventKey = createHash('sha256')
      .update(JSON.stringify([alert.dedupKey, t.from, t.to, t.at]))
      .digest('base64url');
    return this.intake(alert, eventKey);
  }

  /** Declares an incident by hand: whoever declares is working on it (investigating). */
  declare(d: Declaration): Promise<Incident> {
    return this.#serial(async () => {
      const at = this.#opts.now();
      const { incident, entries } = await this.#opts.store.incidentTransaction(async (tx) => {
        const incident = await tx.createIncident({
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
        const entries = await fileEntries(tx, incident.id, [
          {
            at,
            kind: 'state',
            actor: d.actor,
            text: `declared by ${d.actor}${d.summary ? `: ${d.summary}` : ''}`,
            data: { to: 'investigating' },
          },
        ]);
        return { incident, entries };
      });
      this.#opts.onChange?.(incident, entries);
      return incident;
    });
  }

  /**
   * Moves an incident. Acknowledging goes through `acknowledge`, merging
   * through `merge`; a move that means someone answered marks the pages sent
   * so far acknowledged. Undefined: no such incident.
   */
  transition(
    id: number,
    to: IncidentState,
    actor: string,
    opts: { mergedInto?: number } = {},
  ): Promise<Changed | { error: ChangeError } | undefined> {
    if (to === 'acknowledged') return this.acknowledge(id, actor);
    if (to === 'merged') {
      if (opts.mergedInto === undefined)
        return Promise.resolve({
          error: {
            status: 400,
            message: 'merging needs mergedInto: the number of the incident to merge into',
          },
        });
      return this.merge(id, opts.mergedInto, actor);
    }
    return this.#mutate<ChangeError>(id, async (tx, incident, at) => {
      const r = move(incident, to, at, actor);
      if ('error' in r) return { error: conflict(r.error) };
      const answered = ANSWERING.has(to) ? await pagesAnswered(tx, id, at, actor) : [];
      return { incident: r.incident, entries: [...r.entries, ...answered] };
    });
  }

  /**
   * The one way to acknowledge (API, CLI, UI, signed link): triggered →
   * acknowledged, or nothing when already acknowledged; outstanding pages
   * (to `user` only, for a link signed for them) count as acknowledged.
   */
  acknowledge(
    id: number,
    actor: string,
    opts: { user?: string } = {},
  ): Promise<(Changed & { changed: boolean }) | { error: ChangeError } | undefined> {
    let changed = false;
    return this.#mutate<ChangeError>(id, async (tx, incident, at) => {
      const r = acknowledge(incident, at, actor);
      if ('error' in r) return { error: conflict(r.error) };
      changed = r.changed;
      return {
        incident: r.incident,
        entries: [...r.entries, ...(await pagesAnswered(tx, id, at, actor, opts.user))],
      };
    }).then((r) => (r && !('error' in r) ? { ...r, changed } : r));
  }

  /** Ballast's acknowledgement timeout: acknowledged → triggered, paging starts over. */
  retrigger(id: number, reason: string): Promise<Changed | { error: ChangeError } | undefined> {
    return this.#mutate<ChangeError>(id, async (_tx, incident, at) => {
      const r = retriggerMove(incident, at, reason);
      return 'error' in r ? { error: conflict(r.error) } : r;
    });
  }

  /**
   * Merges incident `id` into `into`: `id` ends merged, its alerts move to
   * `into` (so their later resolves reach it), and both timelines say so.
   */
  merge(id: number, into: number, actor: string): Promise<Changed | { error: ChangeError } | undefined> {
    return this.#serial(async () => {
      const at = this.#opts.now();
      type Merged = { source: Changed; target: Changed };
      const r = await this.#opts.store.incidentTransaction(
        async (tx): Promise<Merged | { error: ChangeError } | undefined> => {
          const source = await tx.getIncident(id);
          if (!source) return undefined;
          const target = await tx.getIncident(into);
          const alerts = (await tx.listAlerts({ incidentId: id, limit: 10_000 })).length;
          const plan = planMerge(source, into, target, at, actor, alerts);
          if ('error' in plan) return { error: plan.error satisfies MergeError };
          const savedSource = await tx.updateIncident({ ...plan.source, updatedAt: at }, source.updatedAt);
          const savedTarget = await tx.updateIncident(plan.target, target?.updatedAt);
          if (!savedSource || !savedTarget)
            throw new ConcurrentChange(`incident ${id} or ${into} changed meanwhile`);
          await tx.relinkAlerts(id, into);
          return {
            source: { incident: savedSource, entries: await fileEntries(tx, id, plan.sourceEntries) },
            target: { incident: savedTarget, entries: await fileEntries(tx, into, plan.targetEntries) },
          };
        },
      );
      if (!r || 'error' in r) return r;
      this.#opts.onChange?.(r.source.incident, r.source.entries);
      this.#opts.onChange?.(r.target.incident, r.target.entries);
      return r.source;
    });
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
  ): Promise<Changed | { error: E } | undefined> {
    return this.#mutate(id, async (_tx, incident, at) => fn(incident, at));
  }

  /** Adds entries to an incident's timeline without changing the incident. Undefined: no such incident. */
  annotate(id: number, entries: Omit<NewTimelineEntry, 'at'>[]): Promise<TimelineEntry[] | undefined> {
    return this.#serial(async () => {
      const at = this.#opts.now();
      const r = await this.#opts.store.incidentTransaction(async (tx) => {
        const incident = await tx.getIncident(id);
        if (!incident) return undefined;
        return {
          incident,
          entries: await fileEntries(
            tx,
            id,
            entries.map((e) => ({ at, ...e })),
          ),
        };
      });
      if (!r) return undefined;
      this.#opts.onChange?.(r.incident, r.entries);
      return r.entries;
    });
  }

  /** Adds a note to the timeline. Undefined: no such incident. */
  async note(id: number, text: string, actor: string): Promise<TimelineEntry | undefined> {
    return (await this.annotate(id, [{ kind: 'note', actor, text }]))?.[0];
  }

  /**
   * One serial, transactional change of one incident. An optimistic write that
   * finds the incident changed by another replica starts over (bounded).
   */
  #mutate<E>(
    id: number,
    fn: (
      tx: IncidentRepo,
      incident: Incident,
      at: number,
    ) => Promise<{ incident: Incident; entries: NewTimelineEntry[] } | { error: E }>,
  ): Promise<Changed | { error: E } | undefined> {
    return this.#serial(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const r = await this.#opts.store.incidentTransaction(async (tx) => {
            const incident = await tx.getIncident(id);
            if (!incident) return undefined;
            const at = this.#opts.now();
            const out = await fn(tx, incident, at);
            if ('error' in out) return out;
            if (out.incident === incident && out.entries.length === 0) return { incident, entries: [] };
            const saved =
              out.incident === incident
                ? incident
                : await tx.updateIncident({ ...out.incident, updatedAt: at }, incident.updatedAt);
            if (!saved) throw new ConcurrentChange(`incident ${id} changed meanwhile`);
            return { incident: saved, entries: await fileEntries(tx, id, out.entries) };
          });
          if (r && !('error' in r) && r.entries.length > 0) this.#opts.onChange?.(r.incident, r.entries);
          return r;
        } catch (err) {
          if (!(err instanceof ConcurrentChange) || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    });
  }
}
