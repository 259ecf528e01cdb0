/**
 * The paging engine: on each tick, for every open incident with an
 * escalation policy, asks the on-call module's `planPaging` what is due and
 * carries it out (re-triggers, maintenance notes, pages). Deliveries run
 * beside the tick, not inside it: a target that does not answer retries on
 * its own time while every other incident is paged on schedule. Each
 * delivery is recorded (page row, timeline entry) when it ends; until then
 * it counts as sent, so the next tick does not send it again.
 */
import { humanDuration, type Incident, type IncidentService } from '../incidents/index.ts';
import {
  type ContactMethod,
  type Delivery,
  type DueNotification,
  type EscalationPolicy,
  type Notifier,
  type Page,
  planPaging,
  resolveTargets,
  type SentPage,
  signAckLink,
} from '../oncall/index.ts';
import type { Store } from '../store/types.ts';
import type { OnCallDirectory } from './oncall-directory.ts';

export interface PagingOptions {
  store: Store;
  incidents: IncidentService;
  notifier: Notifier;
  now: () => number;
  directory: () => Promise<OnCallDirectory>;
  /** Base URL of the server, for the links in pages. */
  baseUrl: () => string;
  /** Signs the one-click acknowledge links (at least 16 bytes). */
  ackSecret: string;
  /** How long an ack link stays valid (default 24 h). */
  ackLinkTtlMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, err?: unknown) => void;
}

const OPEN: Incident['state'][] = ['triggered', 'acknowledged'];

type Entry = {
  kind: 'page-sent' | 'page-failed' | 'escalated' | 'maintenance';
  actor: string;
  text: string;
  data?: Record<string, unknown>;
};

/** Progress is what people do (moves, notes, acknowledging), not Ballast's or an integration's entries. */
const byPerson = (actor: string) => actor !== 'ballast' && !actor.startsWith('integration:');

export class PagingEngine {
  readonly #opts: PagingOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();
  /** Steps dispatched whose deliveries have not all been recorded, per incident. */
  readonly #inflight = new Map<number, SentPage[]>();
  readonly #deliveries = new Set<Promise<void>>();

  constructor(opts: PagingOptions) {
    this.#opts = opts;
  }

  /** Ticks every `everyMs` until `stop`. */
  start(everyMs = 5_000): void {
    this.#timer = setInterval(() => {
      this.tick().catch((err) => this.#opts.log?.('error', 'paging tick failed', err));
    }, everyMs);
    this.#timer.unref?.();
  }

  /** Stops ticking and waits for the running tick and every delivery in flight. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
    await this.settled();
  }

  /** Resolves once every delivery started so far is recorded (tests wait on it; the ticks do not). */
  async settled(): Promise<void> {
    while (this.#deliveries.size > 0) await Promise.allSettled([...this.#deliveries]);
  }

  /** Plans every open incident and starts the deliveries due now; one tick at a time. */
  tick(): Promise<void> {
    return this.#serial(() => this.#tick());
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#running.then(fn, fn);
    this.#running = run.catch(() => {});
    return run;
  }

  async #tick(): Promise<void> {
    const directory = await this.#opts.directory();
    for (const incident of await this.#opts.store.listIncidents({ states: OPEN, limit: 1000 })) {
      const policy = incident.escalationPolicy
        ? directory.policies.get(incident.escalationPolicy)
        : undefined;
      if (!policy || policy.steps.length === 0) continue;
      try {
        await this.#page(incident, policy, directory, this.#opts.now(), true);
      } catch (err) {
        this.#opts.log?.('error', `paging incident ${incident.id} failed`, err);
      }
    }
  }

  async #page(
    incident: Incident,
    policy: EscalationPolicy,
    directory: OnCallDirectory,
    t: number,
    mayRetrigger: boolean,
  ): Promise<void> {
    const { store } = this.#opts;
    const [pages, timeline] = await Promise.all([
      store.listPages({ incidentId: incident.id }),
      store.listTimeline(incident.id),
    ]);
    const startedAt = timeline.filter((e) => e.data?.retrigger === true).at(-1)?.at ?? incident.createdAt;
    const services =
      incident.services.length > 0 ? incident.services : incident.service ? [incident.service] : [];
    const windows = (
      await Promise.all(
        services.map((service) => store.listMaintenance({ service, from: startedAt, to: t + 1 })),
      )
    ).flat();
    // The latest acknowledgement starts the ack timeout (the milestone keeps the first one).
    const acknowledgedAt =
      timeline.filter((e) => e.kind === 'state' && e.data?.to === 'acknowledged').at(-1)?.at ??
      incident.milestones.acknowledgedAt;
    const lastPerson = timeline.filter((e) => byPerson(e.actor)).at(-1)?.at;
    const plan = planPaging(
      {
        policy,
        urgency: incident.urgency,
        state: incident.state === 'acknowledged' ? 'acknowledged' : 'triggered',
        startedAt,
        ...(acknowledgedAt !== undefined ? { acknowledgedAt } : {}),
        ...(lastPerson !== undefined ? { lastProgressAt: lastPerson } : {}),
        windows,
        pages: [...pages, ...(this.#inflight.get(incident.id) ?? [])],
        now: t,
      },
      { schedules: directory.schedules, teams: directory.teams },
    );
    const noted = (key: 'held' | 'resumed', window: number) =>
      timeline.some((e) => e.kind === 'maintenance' && e.data?.window === window && e.data?.[key] === true);
    if (plan.kind === 'hold') {
      const w = plan.window;
      if (noted('held', w.id)) return;
      await this.#annotate(incident.id, [
        {
          kind: 'maintenance',
          actor: 'ballast',
          text: `${w.service} is in maintenance until ${new Date(w.end).toISOString()}${w.reason ? ` (${w.reason})` : ''}: nobody is paged`,
          data: { window: w.id, held: true },
        },
      ]);
      return;
    }
    if (plan.kind === 'retrigger') {
      if (!mayRetrigger) return;
      const ackTimeout =
        policy.ackTimeoutMs === undefined ? '' : ` for ${humanDuration(policy.ackTimeoutMs)}`;
      await this.#opts.incidents.retrigger(
        incident.id,
        `no progress${ackTimeout} since the acknowledgement: paging again from the first step`,
      );
      // Page the new round in this tick: waiting for the next one would only delay it.
      const fresh = await store.getIncident(incident.id);
      if (fresh?.state === 'triggered') await this.#page(fresh, policy, directory, t, false);
      return;
    }
    if (plan.kind === 'wait') return;
    const w = plan.resumedAfter;
    if (w && !noted('resumed', w.id))
      await this.#annotate(incident.id, [
        {
          kind: 'maintenance',
          actor: 'ballast',
          text: `maintenance of ${w.service} ended at ${new Date(w.end).toISOString()} with the incident still open: paging from the first step`,
          data: { window: w.id, resumed: true },
        },
      ]);
    for (const d of plan.due) await this.#dispatch(incident, d, directory, t, false);
  }

  /**
   * Pages the next step of the incident's policy now, whatever its delay
   * (a person pressing Escalate). Returns the step paged (1-based), or an error.
   */
  escalate(incidentId: number, actor: string): Promise<{ step: number } | { error: string }> {
    return this.#serial(async (): Promise<{ step: number } | { error: string }> => {
      const { store, now } = this.#opts;
      const incident = await store.getIncident(incidentId);
      if (!incident) return { error: `no incident ${incidentId}` };
      const directory = await this.#opts.directory();
      const policy = incident.escalationPolicy
        ? directory.policies.get(incident.escalationPolicy)
        : undefined;
      if (!policy || policy.steps.length === 0)
        return { error: `incident ${incidentId} has no escalation policy to follow` };
      const sent = [...(await store.listPages({ incidentId })), ...(this.#inflight.get(incidentId) ?? [])];
      const ordinal = sent.reduce((m, p) => Math.max(m, p.round * policy.steps.length + p.step), -1) + 1;
      if (ordinal >= policy.steps.length * (policy.repeat + 1))
        return { error: `every step of ${policy.name} was paged already` };
      const round = Math.floor(ordinal / policy.steps.length);
      const step = ordinal - round * policy.steps.length;
      const t = now();
      const targets = resolveTargets(
        policy.steps[step]?.targets ?? [],
        t,
        directory.schedules,
        directory.teams,
      );
      await this.#annotate(incidentId, [
        { kind: 'escalated', actor, text: `escalated by ${actor} to step ${step + 1}` },
      ]);
      await this.#dispatch(incident, { step, round, ordinal, at: t, targets }, directory, t, true);
      return { step: step + 1 };
    });
  }

  /**
   * Starts one step's deliveries: what is known at once (the escalation, targets
   * nobody can be reached at) goes on the timeline now; each delivery is
   * recorded when it ends, however long its retries take.
   */
  async #dispatch(
    incident: Incident,
    d: DueNotification,
    directory: OnCallDirectory,
    t: number,
    manual: boolean,
  ): Promise<void> {
    const entries: Entry[] = [];
    if (d.ordinal > 0 && !manual)
      entries.push({
        kind: 'escalated',
        actor: 'ballast',
        text: `not acknowledged: escalated to step ${d.step + 1}${d.round > 0 ? ` (round ${d.round + 1})` : ''}`,
      });
    const sends: { contact: ContactMethod; who: string | undefined }[] = [];
    for (const target of d.targets) {
      if (target.kind === 'unresolved') {
        const what = 'schedule' in target ? `schedule ${target.schedule}` : `team ${target.team}`;
        entries.push({
          kind: 'page-failed',
          actor: 'ballast',
          text: `step ${d.step + 1}: ${what}: ${target.reason}`,
        });
        continue;
      }
      const who = target.kind === 'user' ? target.name : undefined;
      const contacts =
        target.kind === 'channel' ? [target.contact] : (directory.users.get(target.name)?.contacts ?? []);
      if (contacts.length === 0)
        entries.push({
          kind: 'page-failed',
          actor: 'ballast',
          text: `step ${d.step + 1}: ${who ?? 'channel'} has no contact method`,
        });
      for (const contact of contacts) sends.push({ contact, who });
    }
    if (entries.length > 0) await this.#annotate(incident.id, entries);
    if (sends.length === 0) return;
    const marker: SentPage = { at: t, step: d.step, round: d.round };
    this.#inflight.set(incident.id, [...(this.#inflight.get(incident.id) ?? []), marker]);
    const all = Promise.allSettled(
      sends.map(({ contact, who }) =>
        this.#opts.notifier
          .send(contact, this.#pageFor(incident, who, d))
          .then((delivery) => this.#record(incident.id, delivery, who, d)),
      ),
    ).then(() => {
      const left = (this.#inflight.get(incident.id) ?? []).filter((m) => m !== marker);
      if (left.length > 0) this.#inflight.set(incident.id, left);
      else this.#inflight.delete(incident.id);
    });
    this.#deliveries.add(all);
    void all.finally(() => this.#deliveries.delete(all));
  }

  async #record(
    incidentId: number,
    delivery: Delivery,
    who: string | undefined,
    d: DueNotification,
  ): Promise<void> {
    try {
      await this.#opts.store.addPage({
        incidentId,
        ...(who !== undefined ? { user: who } : {}),
        channel: delivery.channel,
        target: delivery.target,
        at: delivery.at,
        ok: delivery.ok,
        attempts: delivery.attempts,
        ...(delivery.error !== undefined ? { error: delivery.error } : {}),
        step: d.step,
        round: d.round,
      });
      await this.#annotate(incidentId, [entryOf(delivery, who, d)]);
    } catch (err) {
      this.#opts.log?.('error', `could not record a page of incident ${incidentId}`, err);
    }
  }

  async #annotate(incidentId: number, entries: Entry[]): Promise<void> {
    await this.#opts.incidents.annotate(incidentId, entries);
  }

  #pageFor(incident: Incident, user: string | undefined, d: DueNotification): Page {
    const base = this.#opts.baseUrl().replace(/\/+$/, '');
    const expiresAt = this.#opts.now() + (this.#opts.ackLinkTtlMs ?? 24 * 3_600_000);
    const link = (action: 'acknowledge' | 'resolve') =>
      `${base}/api/v1/ack/${signAckLink(this.#opts.ackSecret, { incidentId: incident.id, user: user ?? 'channel', action, expiresAt })}`;
    const page: Page = {
      incidentId: incident.id,
      title: incident.title,
      severity: incident.severity,
      urgency: incident.urgency,
      summary: incident.title,
      incidentUrl: `${base}/incidents/${incident.id}`,
      ackUrl: link('acknowledge'),
      resolveUrl: link('resolve'),
      step: d.step,
    };
    if (incident.service !== undefined) page.service = incident.service;
    if (user !== undefined) page.user = user;
    return page;
  }
}

function entryOf(delivery: Delivery, who: string | undefined, d: DueNotification): Entry {
  const to = `${who ? `${who} ` : ''}by ${delivery.channel} (${delivery.target})`;
  const data = { step: d.step, round: d.round, user: who, attempts: delivery.attempts };
  return delivery.ok
    ? {
        kind: 'page-sent',
        actor: 'ballast',
        text: `paged ${to}${delivery.attempts > 1 ? ` after ${delivery.attempts} attempts` : ''}`,
        data,
      }
    : {
        kind: 'page-failed',
        actor: 'ballast',
        text: `could not page ${to}: ${delivery.error ?? 'failed'} (${delivery.attempts} attempts)`,
        data,
      };
}
