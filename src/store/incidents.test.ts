import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachDriver } from '../../test/helpers/databases.ts';
import { migrationsBefore, prepareOldDatabase } from '../../test/helpers/migrations.ts';
import type {
  AlertRecord,
  Incident,
  IncidentState,
  IncomingAlert,
  Severity,
  TimelineEntry,
} from '../incidents/index.ts';
import { integrationScope } from '../incidents/index.ts';
import { type AlertState, applyAlertEvent } from './incident-alerts.ts';
import type { DrizzleStore, OpenStoreOptions } from './index.ts';

const T0 = Date.UTC(2025, 5, 1);

/** An event as the intake hands it over: received one second after it started, unless told otherwise. */
function event(dedupKey: string, overrides: Partial<IncomingAlert> = {}): IncomingAlert {
  const startsAt = overrides.startsAt ?? T0;
  return {
    origin: 'alertmanager',
    integration: 'int-key',
    dedupKey,
    action: 'trigger',
    summary: `${dedupKey} is failing`,
    severity: 'critical',
    service: 'checkout',
    labels: { alertname: dedupKey, team: 'payments' },
    annotations: { runbook: 'https://runbooks.example/checkout' },
    startsAt,
    receivedAt: startsAt + 1000,
    ...overrides,
  };
}

/** A record state as `applyAlertEvent` sees it. */
function state(overrides: Partial<AlertState> = {}): AlertState {
  return {
    dedupKey: 'k',
    origin: 'alertmanager',
    status: 'firing',
    summary: 'k is failing',
    severity: 'critical',
    service: 'checkout',
    labels: { alertname: 'k' },
    firstSeenAt: T0,
    lastSeenAt: T0 + 5000,
    ...overrides,
  };
}

/** Whatever in the state a trigger describes, taken from an event. */
function describedBy(e: IncomingAlert) {
  return {
    dedupKey: e.dedupKey,
    origin: e.origin,
    summary: e.summary,
    severity: e.severity,
    labels: e.labels,
    ...(e.service === undefined ? {} : { service: e.service }),
  };
}

describe('applyAlertEvent', () => {
  const firing = state();
  const acknowledged = state({ status: 'acknowledged' });
  const resolved = state({ status: 'resolved', resolvedAt: T0 + 6000, incidentId: 7 });
  const newer = T0 + 9000;
  const newerTrigger = event('k', { startsAt: newer, summary: 'k is failing harder', severity: 'error' });

  it.each<{
    name: string;
    current: AlertState | undefined;
    alert: IncomingAlert;
    next: AlertState | undefined;
  }>([
    {
      name: 'a first trigger creates a firing alert that starts at the event',
      current: undefined,
      alert: event('k', { startsAt: newer }),
      next: { ...describedBy(event('k')), status: 'firing', firstSeenAt: newer, lastSeenAt: newer },
    },
    {
      name: 'a resolve for a key never seen creates a resolved alert, resolved when it was received',
      current: undefined,
      alert: event('k', { action: 'resolve', startsAt: newer, receivedAt: newer + 50 }),
      next: {
        ...describedBy(event('k')),
        status: 'resolved',
        firstSeenAt: newer,
        lastSeenAt: newer,
        resolvedAt: newer + 50,
      },
    },
    {
      name: 'an acknowledge for a key never seen creates an acknowledged alert',
      current: undefined,
      alert: event('k', { action: 'acknowledge', startsAt: newer }),
      next: { ...describedBy(event('k')), status: 'acknowledged', firstSeenAt: newer, lastSeenAt: newer },
    },
    {
      name: 'a newer trigger refreshes a firing alert with its description',
      current: firing,
      alert: newerTrigger,
      next: { ...firing, ...describedBy(newerTrigger), lastSeenAt: newer },
    },
    {
      name: 'a trigger at the same time (a repeated notification) refreshes a firing alert',
      current: firing,
      alert: event('k', { startsAt: firing.lastSeenAt, summary: 'repeat' }),
      next: { ...firing, summary: 'repeat', labels: event('k').labels },
    },
    {
      name: 'an older trigger leaves a firing alert as it is',
      current: firing,
      alert: event('k', { startsAt: firing.lastSeenAt - 1, summary: 'late' }),
      next: undefined,
    },
    {
      name: 'a newer trigger keeps an acknowledged alert acknowledged',
      current: acknowledged,
      alert: newerTrigger,
      next: { ...acknowledged, ...describedBy(newerTrigger), lastSeenAt: newer },
    },
    {
      name: 'a trigger that names no service leaves the alert without one',
      current: firing,
      alert: { ...newerTrigger, service: undefined },
      next: (() => {
        const { service: _dropped, ...rest } = firing;
        return { ...rest, ...describedBy({ ...newerTrigger, service: undefined }), lastSeenAt: newer };
      })(),
    },
    {
      name: 'an acknowledge moves a firing alert to acknowledged without touching its description',
      current: firing,
      alert: event('k', { action: 'acknowledge', startsAt: newer, summary: 'ignored' }),
      next: { ...firing, status: 'acknowledged', lastSeenAt: newer },
    },
    {
      name: 'an acknowledge of an acknowledged alert changes nothing',
      current: acknowledged,
      alert: event('k', { action: 'acknowledge', startsAt: newer }),
      next: undefined,
    },
    {
      name: 'an acknowledge of a resolved alert changes nothing',
      current: resolved,
      alert: event('k', { action: 'acknowledge', startsAt: newer }),
      next: undefined,
    },
    {
      name: 'a resolve moves a firing alert to resolved, resolved when it was received',
      current: firing,
      alert: event('k', { action: 'resolve', startsAt: newer, receivedAt: newer + 250 }),
      next: { ...firing, status: 'resolved', lastSeenAt: newer, resolvedAt: newer + 250 },
    },
    {
      name: 'an Alertmanager resolve carrying the start of the condition still resolves',
      current: state({ lastSeenAt: T0 }),
      alert: event('k', { action: 'resolve', startsAt: T0, receivedAt: newer }),
      next: { ...state({ lastSeenAt: T0 }), status: 'resolved', resolvedAt: newer },
    },
    {
      name: 'a resolve moves an acknowledged alert to resolved',
      current: acknowledged,
      alert: event('k', { action: 'resolve', startsAt: newer, receivedAt: newer }),
      next: { ...acknowledged, status: 'resolved', lastSeenAt: newer, resolvedAt: newer },
    },
    {
      name: 'a resolve of a resolved alert changes nothing',
      current: resolved,
      alert: event('k', { action: 'resolve', startsAt: newer }),
      next: undefined,
    },
    {
      name: 'an older resolve leaves a firing alert firing',
      current: firing,
      alert: event('k', { action: 'resolve', startsAt: firing.lastSeenAt - 1 }),
      next: undefined,
    },
    {
      name: 'a newer trigger fires a resolved alert again as a new episode without its incident',
      current: resolved,
      alert: newerTrigger,
      next: { ...describedBy(newerTrigger), status: 'firing', firstSeenAt: newer, lastSeenAt: newer },
    },
    {
      name: 'a trigger at the resolved episode own time is a repeat of it and changes nothing',
      current: resolved,
      alert: event('k', { startsAt: resolved.lastSeenAt }),
      next: undefined,
    },
    {
      name: 'an event stamped after it was received counts from when it was received',
      current: undefined,
      alert: event('k', { startsAt: newer + 60_000, receivedAt: newer }),
      next: { ...describedBy(event('k')), status: 'firing', firstSeenAt: newer, lastSeenAt: newer },
    },
  ])('$name', ({ current, alert, next }) => {
    expect(applyAlertEvent(current, alert)).toStrictEqual(next);
  });

  it('refuses an action it does not know', () => {
    const bad = { ...event('k'), action: 'escalate' } as unknown as IncomingAlert;
    expect(() => applyAlertEvent(firing, bad)).toThrow(RangeError);
    expect(() => applyAlertEvent(undefined, bad)).toThrow(RangeError);
  });
});

/** An incident with only the required fields. */
function incident(title: string, overrides: Partial<Omit<Incident, 'id'>> = {}): Omit<Incident, 'id'> {
  return {
    title,
    state: 'triggered',
    severity: 'SEV2',
    urgency: 'high',
    services: [],
    createdAt: T0,
    updatedAt: T0,
    milestones: {},
    roles: {},
    impact: {},
    tasks: [],
    publicUpdates: [],
    ...overrides,
  };
}

/** An incident with every optional field (and every optional field of its parts) set. */
function fullIncident(title: string): Omit<Incident, 'id'> {
  return {
    title,
    state: 'investigating',
    severity: 'SEV1',
    urgency: 'low',
    service: 'checkout',
    services: ['checkout', 'payments'],
    escalationPolicy: 'payments-primary',
    createdAt: T0,
    updatedAt: T0 + 5000,
    milestones: {
      impactStartedAt: T0 - 60_000,
      detectedAt: T0,
      acknowledgedAt: T0 + 1000,
      mitigatedAt: T0 + 2000,
      resolvedAt: T0 + 3000,
      closedAt: T0 + 4000,
    },
    roles: { commander: 'ada', scribe: 'grace', communications: 'linus' },
    impact: {
      customersAffected: 120,
      failedTransactions: 42,
      value: 1234.5,
      currency: 'EUR',
      notes: 'EU only',
    },
    tasks: [
      { id: 't1', title: 'Roll back', owner: 'ada', status: 'done', kind: 'task' },
      {
        id: 't2',
        title: 'Add a canary',
        status: 'open',
        kind: 'follow-up',
        actionType: 'prevent',
        dueAt: T0 + 7 * 86_400_000,
      },
    ],
    mergedInto: undefined,
    declaredBy: 'ada',
    postmortem: '# What happened\n\nA bad deploy.',
    publicUpdates: [{ at: T0 + 1500, title: 'Checkout errors', body: 'We are investigating.' }],
    postmortemEdit: { at: T0 + 1600, by: 'ada' },
  };
}

/** Newest first, the higher number first among equal creation times: what the store promises. */
function newestFirst(list: Incident[]): Incident[] {
  return [...list].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
}

/**
 * The intake log as stored. Reads it with a client of its own, so the store
 * must be closed first (two PGlite instances must never share a data directory).
 */
async function readEventLog(options: OpenStoreOptions): Promise<{ eventKey: string; dedupKey: string }[]> {
  const query = 'select event_key, dedup_key from alert_events_in order by id';
  type Row = { event_key: string; dedup_key: string };
  let rows: Row[];
  if (options.databaseUrl) {
    const client = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      rows = [...(await client.unsafe<Row[]>(query))];
    } finally {
      await client.end({ timeout: 5 });
    }
  } else {
    const client = await PGlite.create(options.dataDir!);
    try {
      rows = (await client.query<Row>(query)).rows;
    } finally {
      await client.close();
    }
  }
  return rows.map((r) => ({ eventKey: r.event_key, dedupKey: r.dedup_key }));
}

forEachDriver('store: incidents', (h) => {
  let store: DrizzleStore;
  beforeAll(async () => {
    store = await h.open(await h.freshDatabase());
  });

  describe('alerts', () => {
    it('ingests a trigger as a firing alert, found by its dedup key', async () => {
      const trigger = event('ingest-first', { startsAt: T0 + 500 });
      const { record, duplicate } = await store.ingestAlert(trigger, 'ingest-first/1');
      expect(duplicate).toBe(false);
      expect(record).toStrictEqual({
        id: record.id,
        ...describedBy(trigger),
        status: 'firing',
        firstSeenAt: trigger.startsAt,
        lastSeenAt: trigger.startsAt,
      });
      expect(await store.getAlert('ingest-first')).toStrictEqual(record);
      expect(await store.getAlert('no-such-key')).toBeUndefined();
    });

    it('stores an alert without a service or labels, and reads it back without a service', async () => {
      const bare = { ...event('ingest-bare'), service: undefined, labels: {}, integration: undefined };
      const { record } = await store.ingestAlert(bare, 'ingest-bare/1');
      expect(record).not.toHaveProperty('service');
      expect(record.labels).toEqual({});
      expect(await store.getAlert('ingest-bare')).toStrictEqual(record);
    });

    it('answers a replayed event as a duplicate and changes nothing', async () => {
      await store.ingestAlert(event('replay', { startsAt: T0 }), 'replay/trigger');
      const { record: acked } = await store.ingestAlert(
        event('replay', { action: 'acknowledge', startsAt: T0 + 2000 }),
        'replay/ack',
      );
      // The same event key again, even carrying a newer, different event: the key alone decides.
      const replays = [
        event('replay', { startsAt: T0 }),
        event('replay', { startsAt: T0 + 9000, summary: 'changed' }),
      ];
      for (const replay of replays) {
        expect(await store.ingestAlert(replay, 'replay/trigger')).toMatchObject({
          record: acked,
          duplicate: true,
        });
      }
      expect(await store.getAlert('replay')).toStrictEqual(acked);
    });

    it('acknowledges a firing alert, then resolves it', async () => {
      const trigger = event('lifecycle', { startsAt: T0 });
      const { record: fired } = await store.ingestAlert(trigger, 'lifecycle/1');
      const ack = event('lifecycle', { action: 'acknowledge', startsAt: T0 + 60_000 });
      const { record: acked } = await store.ingestAlert(ack, 'lifecycle/2');
      expect(acked).toStrictEqual({ ...fired, status: 'acknowledged', lastSeenAt: ack.startsAt });
      // Alertmanager resolves carry the start of the condition; the receipt time says when it ended.
      const resolve = event('lifecycle', {
        action: 'resolve',
        startsAt: T0 + 120_000,
        receivedAt: T0 + 121_000,
      });
      const { record: resolved } = await store.ingestAlert(resolve, 'lifecycle/3');
      expect(resolved).toStrictEqual({
        ...acked,
        status: 'resolved',
        lastSeenAt: resolve.startsAt,
        resolvedAt: resolve.receivedAt,
      });
      expect(await store.getAlert('lifecycle')).toStrictEqual(resolved);
    });

    it('fires a resolved alert again as a new episode, free to open a new incident', async () => {
      const opened = await store.createIncident(incident('first episode'));
      const { record: fired } = await store.ingestAlert(event('refire', { startsAt: T0 }), 'refire/1');
      await store.linkAlert(fired.id, opened.id);
      const resolve = event('refire', { action: 'resolve', startsAt: T0 + 1000 });
      const { record: resolved } = await store.ingestAlert(resolve, 'refire/2');
      expect(resolved).toMatchObject({
        status: 'resolved',
        incidentId: opened.id,
        resolvedAt: resolve.receivedAt,
      });

      const again = event('refire', { startsAt: T0 + 3_600_000, summary: 'refire is failing again' });
      const { record: refired } = await store.ingestAlert(again, 'refire/3');
      expect(refired).toStrictEqual({
        id: fired.id,
        ...describedBy(again),
        status: 'firing',
        firstSeenAt: again.startsAt,
        lastSeenAt: again.startsAt,
      });
      expect(await store.listAlerts({ incidentId: opened.id })).toEqual([]);
    });

    it('logs an older event but does not move the alert back', async () => {
      const { record: current } = await store.ingestAlert(
        event('late', { startsAt: T0 + 10_000, summary: 'newest' }),
        'late/new',
      );
      const late = [
        event('late', { startsAt: T0, summary: 'old trigger' }),
        event('late', { action: 'acknowledge', startsAt: T0 + 1000 }),
        event('late', { action: 'resolve', startsAt: T0 + 2000 }),
      ];
      for (const [i, old] of late.entries()) {
        expect(await store.ingestAlert(old, `late/old-${i}`)).toMatchObject({
          record: current,
          duplicate: false,
        });
      }
      expect(await store.getAlert('late')).toStrictEqual(current);
      // Logged, not duplicates: a replay of one of them is now recognised.
      expect((await store.ingestAlert(late[0]!, 'late/old-0')).duplicate).toBe(true);
    });

    it('refuses an event with an unknown action, logging nothing', async () => {
      const bad = { ...event('bad-action'), action: 'escalate' } as unknown as IncomingAlert;
      await expect(store.ingestAlert(bad, 'bad-action/1')).rejects.toThrow(RangeError);
      expect(await store.getAlert('bad-action')).toBeUndefined();
      // The event key was not taken: a correct event under it is accepted.
      expect((await store.ingestAlert(event('bad-action'), 'bad-action/1')).duplicate).toBe(false);
    });

    it('links alerts to an incident and lists them newest first, by incident, status and limit', async () => {
      const target = await store.createIncident(incident('linking'));
      const other = await store.createIncident(incident('not linked'));
      const keys = ['link-a', 'link-b', 'link-c'];
      const records: AlertRecord[] = [];
      for (const [i, key] of keys.entries()) {
        const { record } = await store.ingestAlert(event(key, { startsAt: T0 + i * 1000 }), `${key}/1`);
        await store.linkAlert(record.id, target.id);
        records.push({ ...record, incidentId: target.id });
      }
      const { record: resolved } = await store.ingestAlert(
        event('link-b', { action: 'resolve', startsAt: T0 + 5000 }),
        'link-b/2',
      );
      records[1] = resolved;
      const newest = [...records].sort((a, b) => b.lastSeenAt - a.lastSeenAt || b.id - a.id);

      expect(await store.listAlerts({ incidentId: target.id })).toStrictEqual(newest);
      expect(await store.listAlerts({ incidentId: target.id, status: 'firing' })).toStrictEqual(
        newest.filter((r) => r.status === 'firing'),
      );
      expect(await store.listAlerts({ incidentId: target.id, limit: 1 })).toStrictEqual(newest.slice(0, 1));
      expect(await store.listAlerts({ incidentId: other.id })).toEqual([]);
      expect(await store.listAlerts({ incidentId: -1 })).toEqual([]);
      const allResolved = await store.listAlerts({ status: 'resolved' });
      expect(allResolved.every((r) => r.status === 'resolved')).toBe(true);
      expect(allResolved).toContainEqual(resolved);
    });

    it('refuses to link an alert that does not exist, or to an incident that does not', async () => {
      const target = await store.createIncident(incident('link target'));
      const { record } = await store.ingestAlert(event('link-missing'), 'link-missing/1');
      await expect(store.linkAlert(record.id + 1_000_000, target.id)).rejects.toThrow(RangeError);
      await expect(store.linkAlert(0, target.id)).rejects.toThrow(RangeError);
      await expect(store.linkAlert(record.id, target.id + 1_000_000)).rejects.toThrow();
      expect(await store.getAlert('link-missing')).toStrictEqual(record);
    });

    it('returns at most 100 alerts by default', async () => {
      const fresh = await h.open(await h.freshDatabase());
      const count = 104;
      for (let i = 0; i < count; i++)
        await fresh.ingestAlert(event(`many-${i}`, { startsAt: T0 + i }), `many/${i}`);
      const listed = await fresh.listAlerts({});
      expect(listed).toHaveLength(100);
      expect(listed[0]?.dedupKey).toBe(`many-${count - 1}`);
      expect(await fresh.listAlerts({ limit: count + 1 })).toHaveLength(count);
    });
  });

  it('keeps one consistent alert when 20 events of one key arrive at once, logging each distinct event once', async () => {
    const options = await h.freshDatabase({ reopenable: true });
    const own = await h.open(options);
    // 15 distinct triggers, 5 of them sent twice: 20 calls at once.
    const distinct = Array.from({ length: 15 }, (_, i) => ({
      key: `race/${i}`,
      alert: event('race', { startsAt: T0 + i * 1000, summary: `race #${i}` }),
    }));
    const calls = [...distinct, ...distinct.slice(0, 5)];
    const answers = await Promise.all(calls.map((c) => own.ingestAlert(c.alert, c.key)));

    expect(answers.filter((a) => a.duplicate)).toHaveLength(calls.length - distinct.length);
    expect(new Set(answers.map((a) => a.record.id)).size).toBe(1);
    const newest = distinct.at(-1)!.alert;
    const stored = await own.getAlert('race');
    expect(stored).toMatchObject({
      status: 'firing',
      summary: newest.summary,
      lastSeenAt: newest.startsAt,
    });
    // Which trigger created the record depends on arrival; it is one of them.
    expect(distinct.map((d) => d.alert.startsAt)).toContain(stored?.firstSeenAt);
    expect(await own.listAlerts({})).toHaveLength(1);

    await own.close();
    const log = await readEventLog(options);
    expect(log.map((e) => e.eventKey).sort()).toEqual(distinct.map((d) => d.key).sort());
    expect(new Set(log.map((e) => e.dedupKey))).toEqual(new Set(['race']));
  });

  describe('incidents', () => {
    it('creates an incident with every field and reads it back whole', async () => {
      const input = fullIncident('everything');
      const created = await store.createIncident(input);
      const { mergedInto: _unset, ...expected } = input;
      expect(created).toStrictEqual({ id: created.id, ...expected });
      expect(await store.getIncident(created.id)).toStrictEqual(created);
    });

    it('reads a minimal incident back without any absent optional field', async () => {
      const created = await store.createIncident(incident('minimal'));
      expect(created).toStrictEqual({ id: created.id, ...incident('minimal') });
      const read = await store.getIncident(created.id);
      for (const field of ['service', 'escalationPolicy', 'mergedInto', 'declaredBy', 'postmortem']) {
        expect(read).not.toHaveProperty(field);
      }
    });

    it('numbers incidents in creation order', async () => {
      const a = await store.createIncident(incident('numbered a'));
      const b = await store.createIncident(incident('numbered b'));
      expect(b.id).toBeGreaterThan(a.id);
    });

    it('finds no incident for a number that does not exist or cannot be one', async () => {
      const created = await store.createIncident(incident('ids'));
      for (const id of [created.id + 1_000_000, 0, -1, 1.5, 2 ** 31, Number.NaN]) {
        expect(await store.getIncident(id)).toBeUndefined();
      }
    });

    it('replaces every field on update, clearing optional fields left out', async () => {
      const created = await store.createIncident(fullIncident('to update'));
      const target = await store.createIncident(incident('merge target'));
      const { service: _s, escalationPolicy: _e, declaredBy: _d, postmortem: _p, ...rest } = created;
      const changed: Incident = {
        ...rest,
        title: 'updated',
        state: 'merged',
        severity: 'SEV3',
        services: ['search'],
        updatedAt: created.updatedAt + 1000,
        roles: { commander: 'grace' },
        tasks: [],
        mergedInto: target.id,
        publicUpdates: [
          ...created.publicUpdates,
          { at: T0 + 9000, title: 'Checkout errors', body: 'Resolved.' },
        ],
      };
      const updated = await store.updateIncident(changed);
      expect(updated).toStrictEqual(changed);
      expect(await store.getIncident(created.id)).toStrictEqual(changed);
      expect(await store.getIncident(target.id)).toStrictEqual(target);
    });

    it('updates only while the stored version is the one the writer read', async () => {
      const created = await store.createIncident(incident('concurrency', { updatedAt: T0 + 100 }));
      const first = { ...created, state: 'acknowledged' as const, updatedAt: created.updatedAt + 1 };
      const second = { ...created, state: 'resolved' as const, updatedAt: created.updatedAt + 2 };
      expect(await store.updateIncident(first, created.updatedAt)).toStrictEqual(first);
      // The second writer read the same version as the first: its update is stale.
      expect(await store.updateIncident(second, created.updatedAt)).toBeUndefined();
      expect(await store.getIncident(created.id)).toStrictEqual(first);
      // Re-read, retry with the version read: it goes through.
      const retried = { ...second, updatedAt: first.updatedAt + 1 };
      expect(await store.updateIncident(retried, first.updatedAt)).toStrictEqual(retried);
    });

    it('lets exactly one of concurrent writers of the same version through', async () => {
      const created = await store.createIncident(incident('race writers'));
      const writers = Array.from({ length: 10 }, (_, i) => ({
        ...created,
        title: `writer ${i}`,
        updatedAt: created.updatedAt + 1 + i,
      }));
      const results = await Promise.all(writers.map((w) => store.updateIncident(w, created.updatedAt)));
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(await store.getIncident(created.id)).toStrictEqual(winners[0]);
    });

    it('finds nothing to update for an incident that does not exist', async () => {
      const created = await store.createIncident(incident('missing update'));
      for (const id of [created.id + 1_000_000, 0, 1.5]) {
        expect(await store.updateIncident({ ...created, id })).toBeUndefined();
        expect(await store.updateIncident({ ...created, id }, created.updatedAt)).toBeUndefined();
      }
    });

    it('lists incidents newest first, filtered by states, severity, service, time range and limit', async () => {
      const own = await h.open(await h.freshDatabase());
      const specs: {
        state: IncidentState;
        severity: Severity;
        service?: string;
        services: string[];
        at: number;
      }[] = [
        { state: 'triggered', severity: 'SEV1', service: 'checkout', services: ['checkout'], at: 5 },
        { state: 'resolved', severity: 'SEV2', service: 'search', services: ['search', 'checkout'], at: 1 },
        { state: 'investigating', severity: 'SEV1', services: [], at: 3 },
        { state: 'closed', severity: 'SEV3', service: 'checkout', services: ['checkout'], at: 3 },
        { state: 'acknowledged', severity: 'SEV2', service: 'search', services: ['search'], at: 0 },
        { state: 'triggered', severity: 'SEV4', service: 'payments', services: ['payments'], at: 4 },
      ];
      const created: Incident[] = [];
      for (const [i, s] of specs.entries()) {
        created.push(
          await own.createIncident(
            incident(`list ${i}`, {
              state: s.state,
              severity: s.severity,
              services: s.services,
              createdAt: T0 + s.at * 60_000,
              updatedAt: T0 + s.at * 60_000,
              ...(s.service === undefined ? {} : { service: s.service }),
            }),
          ),
        );
      }
      const all = newestFirst(created);
      const since = T0 + 60_000;
      const until = T0 + 4 * 60_000;
      const affects = (i: Incident, svc: string) => i.service === svc || i.services.includes(svc);
      const open: IncidentState[] = ['triggered', 'acknowledged', 'investigating'];

      expect(await own.listIncidents({})).toStrictEqual(all);
      expect(await own.listIncidents({ states: open })).toStrictEqual(
        all.filter((i) => open.includes(i.state)),
      );
      expect(await own.listIncidents({ states: [] })).toEqual([]);
      expect(await own.listIncidents({ severity: 'SEV1' })).toStrictEqual(
        all.filter((i) => i.severity === 'SEV1'),
      );
      expect(await own.listIncidents({ service: 'checkout' })).toStrictEqual(
        all.filter((i) => affects(i, 'checkout')),
      );
      expect(await own.listIncidents({ service: 'nowhere' })).toEqual([]);
      expect(await own.listIncidents({ since, until })).toStrictEqual(
        all.filter((i) => i.createdAt >= since && i.createdAt < until),
      );
      expect(await own.listIncidents({ limit: 2 })).toStrictEqual(all.slice(0, 2));
      expect(await own.listIncidents({ states: open, service: 'search', since: T0 })).toStrictEqual(
        all.filter((i) => open.includes(i.state) && affects(i, 'search')),
      );
    });

    it('returns at most 100 incidents by default', async () => {
      const own = await h.open(await h.freshDatabase());
      const count = 103;
      for (let i = 0; i < count; i++) {
        await own.createIncident(incident(`bulk ${i}`, { createdAt: T0 + i, updatedAt: T0 + i }));
      }
      const listed = await own.listIncidents({});
      expect(listed).toHaveLength(100);
      expect(listed[0]?.title).toBe(`bulk ${count - 1}`);
      expect(await own.listIncidents({ limit: count + 1 })).toHaveLength(count);
    });
  });

  describe('timeline', () => {
    it('lists an incident timeline oldest first, entries at one instant in the order added', async () => {
      const target = await store.createIncident(incident('timeline'));
      const other = await store.createIncident(incident('other timeline'));
      const entries: Omit<TimelineEntry, 'id'>[] = [
        { incidentId: target.id, at: T0 + 3000, kind: 'note', actor: 'ada', text: 'Rolled back' },
        {
          incidentId: target.id,
          at: T0,
          kind: 'alert-firing',
          actor: 'ballast',
          text: 'checkout is failing',
          data: { dedupKey: 'k', labels: { team: 'payments' } },
        },
        { incidentId: target.id, at: T0 + 1000, kind: 'page-sent', actor: 'ballast', text: 'Paged ada' },
        {
          incidentId: target.id,
          at: T0 + 1000,
          kind: 'page-acknowledged',
          actor: 'ada',
          text: 'Acknowledged',
        },
        { incidentId: other.id, at: T0 + 500, kind: 'note', actor: 'grace', text: 'Elsewhere' },
      ];
      const added: TimelineEntry[] = [];
      for (const entry of entries) added.push(await store.addTimelineEntry(entry));
      for (const [i, entry] of entries.entries())
        expect(added[i]).toStrictEqual({ id: added[i]!.id, ...entry });

      const expected = added
        .filter((e) => e.incidentId === target.id)
        .sort((a, b) => a.at - b.at || a.id - b.id);
      expect(await store.listTimeline(target.id)).toStrictEqual(expected);
      expect(await store.listTimeline(other.id)).toStrictEqual(
        added.filter((e) => e.incidentId === other.id),
      );
      expect(await store.listTimeline(-1)).toEqual([]);
    });

    it('refuses an entry for an incident that does not exist', async () => {
      const created = await store.createIncident(incident('timeline ids'));
      await expect(
        store.addTimelineEntry({
          incidentId: created.id + 1_000_000,
          at: T0,
          kind: 'note',
          actor: 'a',
          text: 'x',
        }),
      ).rejects.toThrow();
      expect(await store.listTimeline(created.id + 1_000_000)).toEqual([]);
    });
  });

  describe('intake log: applied markers and pending events', () => {
    it('keeps an ingested event pending until one claim marks it applied; a replay says which', async () => {
      const first = await store.ingestAlert(event('pending-a', { startsAt: T0 }), 'pending-a/1');
      expect(first.event.applied).toBe(false);
      const later = await store.ingestAlert(
        event('pending-a', { action: 'resolve', startsAt: T0 + 5000 }),
        'pending-a/2',
      );
      await store.ingestAlert(event('pending-b', { startsAt: T0 }), 'pending-b/1');
      const ofA = await store.pendingAlertEvents({ dedupKey: 'pending-a' });
      expect(ofA.map((p) => p.eventKey)).toEqual(['pending-a/1', 'pending-a/2']);
      expect(ofA[0]?.alert).toMatchObject({ dedupKey: 'pending-a', action: 'trigger' });
      const all = (await store.pendingAlertEvents({})).map((p) => p.eventKey);
      expect(all.indexOf('pending-a/1')).toBeLessThan(all.indexOf('pending-b/1'));

      expect(await store.claimAlertEvent(first.event.id, T0 + 1)).toBe(true);
      expect(await store.claimAlertEvent(first.event.id, T0 + 2)).toBe(false);
      const replay = await store.ingestAlert(event('pending-a', { startsAt: T0 }), 'pending-a/1');
      expect(replay).toMatchObject({ duplicate: true, event: { id: first.event.id, applied: true } });
      const unapplied = await store.ingestAlert(
        event('pending-a', { action: 'resolve', startsAt: T0 + 5000 }),
        'pending-a/2',
      );
      expect(unapplied).toMatchObject({ duplicate: true, event: { id: later.event.id, applied: false } });
      expect((await store.pendingAlertEvents({ dedupKey: 'pending-a' })).map((p) => p.eventKey)).toEqual([
        'pending-a/2',
      ]);
    });

    it('lets one of two concurrent claims of an event through', async () => {
      const { event: e } = await store.ingestAlert(event('claim-race'), 'claim-race/1');
      const claims = await Promise.all([
        store.incidentTransaction((tx) => tx.claimAlertEvent(e.id, T0)),
        store.incidentTransaction((tx) => tx.claimAlertEvent(e.id, T0)),
      ]);
      expect(claims.sort()).toEqual([false, true]);
    });

    it('rolls a transaction back whole when its work throws: no claim, no incident, no entry', async () => {
      const { event: e } = await store.ingestAlert(event('rollback'), 'rollback/1');
      const title = 'rolled back incident';
      await expect(
        store.incidentTransaction(async (tx) => {
          expect(await tx.claimAlertEvent(e.id, T0)).toBe(true);
          const created = await tx.createIncident(incident(title));
          await tx.addTimelineEntry({ incidentId: created.id, at: T0, kind: 'note', actor: 'a', text: 'x' });
          throw new Error('crash in the middle');
        }),
      ).rejects.toThrow('crash in the middle');
      expect((await store.listIncidents({ limit: 1000 })).map((i) => i.title)).not.toContain(title);
      expect((await store.pendingAlertEvents({ dedupKey: 'rollback' })).map((p) => p.id)).toEqual([e.id]);
    });

    it('moves every alert of one incident to another (a merge)', async () => {
      const from = await store.createIncident(incident('merge source'));
      const to = await store.createIncident(incident('merge target'));
      for (const key of ['merge-1', 'merge-2']) {
        const { record } = await store.ingestAlert(event(key), `${key}/1`);
        await store.linkAlert(record.id, from.id);
      }
      expect(await store.relinkAlerts(from.id, to.id)).toBe(2);
      expect(await store.listAlerts({ incidentId: from.id })).toEqual([]);
      expect((await store.listAlerts({ incidentId: to.id })).map((a) => a.dedupKey).sort()).toEqual([
        'merge-1',
        'merge-2',
      ]);
      expect(await store.relinkAlerts(-1, to.id)).toBe(0);
    });
  });

  it('upgrades an older database: its events count as applied, Alertmanager and Events v2 keys gain their integration scope', async () => {
    const { folder, cleanup } = await migrationsBefore('0005_incident_durability_postmortem_edits');
    try {
      const options = await h.freshDatabase({ reopenable: true });
      const body = JSON.stringify(event('am:c0ffee'));
      await prepareOldDatabase(options, folder, [
        `insert into alert_events_in (event_key, received_at, origin, integration, dedup_key, action, body)
         values ('old/1', ${T0}, 'alertmanager', 'cluster-a-key', 'am:c0ffee', 'trigger', '${body}'),
                ('old/2', ${T0 + 1}, 'events-v2', 'pd-key', 'ev2:pd-key:x', 'trigger', '${body}')`,
        `insert into alerts (dedup_key, origin, status, summary, severity, labels, first_seen_at, last_seen_at)
         values ('am:c0ffee', 'alertmanager', 'firing', 'old', 'critical', '{}', ${T0}, ${T0}),
                ('ev2:pd-key:x', 'events-v2', 'firing', 'old', 'critical', '{}', ${T0}, ${T0})`,
      ]);
      const upgraded = await h.open(options);
      expect(await upgraded.pendingAlertEvents({})).toEqual([]);
      const scoped = `am:${integrationScope('cluster-a-key')}:c0ffee`;
      expect(await upgraded.getAlert(scoped)).toMatchObject({ dedupKey: scoped, summary: 'old' });
      expect(await upgraded.getAlert('am:c0ffee')).toBeUndefined();
      // The old Events v2 key held the routing key's first 8 characters ('pd-key' is shorter than that).
      const ev2 = `ev2:${integrationScope('pd-key')}:x`;
      expect(await upgraded.getAlert(ev2)).toMatchObject({ dedupKey: ev2, summary: 'old' });
      expect(await upgraded.getAlert('ev2:pd-key:x')).toBeUndefined();
      await upgraded.close();
    } finally {
      await cleanup();
    }
  });

  describe('integrations', () => {
    it('creates integrations under random URL-safe keys, finds them by key and lists them oldest first', async () => {
      const own = await h.open(await h.freshDatabase());
      const before = Date.now();
      const am = await own.createIntegration({ name: 'prometheus', kind: 'alertmanager' });
      const pd = await own.createIntegration({
        name: 'datadog',
        kind: 'events-v2',
        service: 'checkout',
        escalationPolicy: 'payments-primary',
      });
      const after = Date.now();
      for (const created of [am, pd]) {
        expect(created.key).toMatch(/^[A-Za-z0-9_-]{32}$/);
        expect(created.createdAt).toBeGreaterThanOrEqual(before);
        expect(created.createdAt).toBeLessThanOrEqual(after);
      }
      expect(am.key).not.toBe(pd.key);
      expect(am).toStrictEqual({
        key: am.key,
        name: 'prometheus',
        kind: 'alertmanager',
        createdAt: am.createdAt,
      });
      expect(pd).toStrictEqual({
        key: pd.key,
        name: 'datadog',
        kind: 'events-v2',
        service: 'checkout',
        escalationPolicy: 'payments-primary',
        createdAt: pd.createdAt,
      });
      expect(await own.findIntegration(am.key)).toStrictEqual(am);
      expect(await own.findIntegration(pd.key)).toStrictEqual(pd);
      expect(await own.findIntegration(`${am.key}x`)).toBeUndefined();
      expect(await own.findIntegration('')).toBeUndefined();
      const expected = [am, pd].sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
      expect(await own.listIntegrations()).toStrictEqual(expected);
    });
  });
});
