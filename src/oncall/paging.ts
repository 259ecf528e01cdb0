/**
 * Paging: on each tick, for every open high-urgency incident with an
 * escalation policy, sends the pages its policy says are due (step after
 * step until someone acknowledges, repeating as the policy says), records
 * each delivery and puts it on the incident's timeline. Low-urgency incidents
 * notify the first step once and never escalate. An acknowledged incident with
 * no progress for the policy's ack timeout pages again from the first step.
 * A service in maintenance pages nobody: the incident says so on its timeline.
 * The clock is given, so escalation runs on a controllable clock in tests.
 */
import type { IncidentService } from '../incidents/service.ts';
import type { Incident } from '../incidents/types.ts';
import type { Store } from '../store/types.ts';
import { ackTimeoutDue, type DueNotification, dueNotifications, resolveTargets } from './escalation.ts';
import { signAckLink } from './notify/ack-link.ts';
import type { Notifier } from './notify/notifier.ts';
import type { Delivery, Page } from './notify/types.ts';
import type { ContactMethod, EscalationPolicy, Schedule, User } from './types.ts';

/** The people, schedules and policies paging reads (from the applied specs). */
export interface OnCallDirectory {
  users: ReadonlyMap<string, User>;
  schedules: ReadonlyMap<string, Schedule>;
  policies: ReadonlyMap<string, EscalationPolicy>;
}

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

export class PagingEngine {
  readonly #opts: PagingOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();

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

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }

  /** Sends every page due now; one tick at a time. */
  tick(): Promise<void> {
    const run = this.#running.then(() => this.#tick());
    this.#running = run.catch(() => {});
    return run;
  }

  async #tick(): Promise<void> {
    const { store, now } = this.#opts;
    const t = now();
    const directory = await this.#opts.directory();
    for (const incident of await store.listIncidents({ states: OPEN, limit: 1000 })) {
      const policy = incident.escalationPolicy
        ? directory.policies.get(incident.escalationPolicy)
        : undefined;
      if (!policy || policy.steps.length === 0) continue;
      try {
        await this.#page(incident, policy, directory, t);
      } catch (err) {
        this.#opts.log?.('error', `paging incident ${incident.id} failed`, err);
      }
    }
  }

  /**
   * Pages the next step of the incident's policy now, whatever its delay
   * (a person pressing Escalate). Returns the step paged (1-based), or an error.
   */
  escalate(incidentId: number, actor: string): Promise<{ step: number } | { error: string }> {
    const run = this.#running.then(async (): Promise<{ step: number } | { error: string }> => {
      const { store, now } = this.#opts;
      const incident = await store.getIncident(incidentId);
      if (!incident) return { error: `no incident ${incidentId}` };
      const directory = await this.#opts.directory();
      const policy = incident.escalationPolicy
        ? directory.policies.get(incident.escalationPolicy)
        : undefined;
      if (!policy || policy.steps.length === 0)
        return { error: `incident ${incidentId} has no escalation policy to follow` };
      const pages = await store.listPages({ incidentId, limit: 10_000 });
      const last = pages.reduce((m, p) => Math.max(m, p.round * policy.steps.length + p.step), -1);
      const ordinal = last + 1;
      if (ordinal >= policy.steps.length * (policy.repeat + 1))
        return { error: `every step of ${policy.name} was paged already` };
      const round = Math.floor(ordinal / policy.steps.length);
      const step = ordinal - round * policy.steps.length;
      const t = now();
      const targets = resolveTargets(policy.steps[step]?.targets ?? [], t, directory.schedules);
      await this.#opts.incidents.change(incidentId, (i, at) => ({
        incident: i,
        entries: [{ at, kind: 'escalated', actor, text: `escalated by ${actor} to step ${step + 1}` }],
      }));
      await this.#send(incident, { step, round, ordinal, at: t, targets }, directory, t, true);
      return { step: step + 1 };
    });
    this.#running = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  async #page(
    incident: Incident,
    policy: EscalationPolicy,
    directory: OnCallDirectory,
    t: number,
  ): Promise<void> {
    const { store } = this.#opts;
    const pages = await store.listPages({ incidentId: incident.id, limit: 10_000 });
    const timeline = await store.listTimeline(incident.id);
    // Paging (re)starts at creation, or at the last ack-timeout re-trigger.
    const restart = timeline.filter((e) => e.kind === 'escalated' && e.data?.retrigger === true).at(-1);
    const startedAt = restart?.at ?? incident.createdAt;
    const sinceStart = pages.filter((p) => p.at >= startedAt);
    const lastOrdinal = sinceStart.reduce((m, p) => Math.max(m, p.round * policy.steps.length + p.step), -1);
    if (incident.state === 'acknowledged') {
      const ackAt = incident.milestones.acknowledgedAt ?? incident.updatedAt;
      // Progress is what people do (moves, notes, acknowledging again), not Ballast's own entries.
      const human = timeline
        .filter((e) => e.actor !== 'ballast' && !e.actor.startsWith('integration:'))
        .at(-1);
      const lastHuman = Math.max(ackAt, human?.at ?? ackAt);
      // Entries are in order (ids), so "after" holds even within one millisecond.
      const retriggered = restart !== undefined && (human === undefined || restart.id > human.id);
      if (!retriggered) {
        if (!ackTimeoutDue(policy, ackAt, lastHuman, t)) return;
        await this.#opts.incidents.change(incident.id, (i, at) => ({
          incident: i,
          entries: [
            {
              at,
              kind: 'escalated',
              actor: 'ballast',
              text: 'no progress since the acknowledgement: paging again from the first step',
              data: { retrigger: true },
            },
          ],
        }));
        return; // the next tick pages from the new start
      }
    }
    if (await this.#inMaintenance(incident, t, timeline)) return;
    let due = dueNotifications(policy, startedAt, lastOrdinal, t, { schedules: directory.schedules });
    // Low urgency notifies the first step once and never escalates.
    if (incident.urgency === 'low') due = lastOrdinal >= 0 ? [] : due.filter((d) => d.ordinal === 0);
    for (const d of due) await this.#send(incident, d, directory, t);
  }

  async #inMaintenance(incident: Incident, t: number, timeline: { kind: string }[]): Promise<boolean> {
    const services = incident.services.length
      ? incident.services
      : incident.service
        ? [incident.service]
        : [];
    for (const service of services) {
      const windows = await this.#opts.store.listMaintenance({ service, from: t, to: t + 1 });
      const w = windows[0];
      if (!w) continue;
      if (!timeline.some((e) => e.kind === 'maintenance'))
        await this.#opts.incidents.change(incident.id, (i, at) => ({
          incident: i,
          entries: [
            {
              at,
              kind: 'maintenance',
              actor: 'ballast',
              text: `${service} is in maintenance until ${new Date(w.end).toISOString()}${w.reason ? ` (${w.reason})` : ''}: nobody is paged`,
              data: { window: w.id },
            },
          ],
        }));
      return true;
    }
    return false;
  }

  async #send(
    incident: Incident,
    d: DueNotification,
    directory: OnCallDirectory,
    t: number,
    manual = false,
  ): Promise<void> {
    const { store, notifier } = this.#opts;
    const entries: {
      kind: 'page-sent' | 'page-failed' | 'escalated';
      text: string;
      data?: Record<string, unknown>;
    }[] = [];
    if (d.ordinal > 0 && !manual)
      entries.push({
        kind: 'escalated',
        text: `not acknowledged: escalated to step ${d.step + 1}${d.round > 0 ? ` (round ${d.round + 1})` : ''}`,
      });
    for (const target of d.targets) {
      if (target.kind === 'unresolved') {
        entries.push({
          kind: 'page-failed',
          text: `step ${d.step + 1}: schedule ${target.schedule}: ${target.reason}`,
        });
        continue;
      }
      const user = target.kind === 'user' ? directory.users.get(target.name) : undefined;
      const contacts: ContactMethod[] = target.kind === 'channel' ? [target.contact] : (user?.contacts ?? []);
      const who = target.kind === 'user' ? target.name : undefined;
      if (contacts.length === 0) {
        entries.push({
          kind: 'page-failed',
          text: `step ${d.step + 1}: ${who ?? 'channel'} has no contact method`,
        });
        continue;
      }
      const deliveries = await notifier.sendAll(contacts, this.#pageFor(incident, who, d));
      for (const delivery of deliveries) {
        await store.addPage({
          incidentId: incident.id,
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
        entries.push(entryOf(delivery, who, d));
      }
    }
    if (entries.length === 0) return;
    await this.#opts.incidents.change(incident.id, (i) => ({
      incident: i,
      entries: entries.map((e) => ({ at: t, actor: 'ballast', ...e })),
    }));
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

function entryOf(delivery: Delivery, who: string | undefined, d: DueNotification) {
  const to = `${who ? `${who} ` : ''}by ${delivery.channel} (${delivery.target})`;
  return delivery.ok
    ? {
        kind: 'page-sent' as const,
        text: `paged ${to}${delivery.attempts > 1 ? ` after ${delivery.attempts} attempts` : ''}`,
        data: { step: d.step, round: d.round, user: who },
      }
    : {
        kind: 'page-failed' as const,
        text: `could not page ${to}: ${delivery.error ?? 'failed'} (${delivery.attempts} attempts)`,
        data: { step: d.step, round: d.round, user: who },
      };
}
