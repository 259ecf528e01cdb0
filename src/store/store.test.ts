import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { forEachDriver } from '../../test/helpers/databases.ts';
import {
  DAY_MS,
  MINUTE_MS,
  type ServiceDefinition,
  type SliBucket,
  type SloDefinition,
} from '../slo/model.ts';
import { type DrizzleStore, type OpenStoreOptions, openStore } from './index.ts';
import { redactUrl } from './open.ts';

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

/**
 * A copy of the migrations folder holding only those before the one that gave
 * alerts a source, so a test can build a database as an older Ballast left it.
 */
async function migrationsBeforeAlertSource(): Promise<{ folder: string; cleanup: () => Promise<void> }> {
  const journal = JSON.parse(await readFile(join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  const sqlOf = (tag: string) => readFile(join(MIGRATIONS, `${tag}.sql`), 'utf8');
  const kept: { tag: string }[] = [];
  for (const entry of journal.entries) {
    if ((await sqlOf(entry.tag)).includes('"alert_state" ADD COLUMN "source"')) break;
    kept.push(entry);
  }
  if (kept.length === journal.entries.length) throw new Error('no migration adds alert_state.source');
  const folder = await mkdtemp(join(tmpdir(), 'ballast-migrations-'));
  // The migrators read only the journal and the SQL files it names.
  await mkdir(join(folder, 'meta'));
  await writeFile(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: kept }));
  for (const { tag } of kept) await cp(join(MIGRATIONS, `${tag}.sql`), join(folder, `${tag}.sql`));
  return { folder, cleanup: () => rm(folder, { recursive: true, force: true }) };
}

/** Migrates a database with the given folder only, then runs raw SQL on it, as an older Ballast would have. */
async function prepareOldDatabase(options: OpenStoreOptions, folder: string, statements: string[]) {
  if (options.databaseUrl) {
    const client = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await migratePostgres(drizzlePostgres({ client }), { migrationsFolder: folder });
      for (const statement of statements) await client.unsafe(statement);
    } finally {
      await client.end({ timeout: 5 });
    }
    return;
  }
  const client = await PGlite.create(options.dataDir!);
  try {
    await migratePglite(drizzlePglite({ client }), { migrationsFolder: folder });
    for (const statement of statements) await client.exec(statement);
  } finally {
    await client.close();
  }
}

function service(name: string, description?: string): ServiceDefinition {
  return { name, labels: { team: 'sre' }, ...(description ? { description } : {}) };
}

function slo(name: string, serviceName: string, objective = 0.999): SloDefinition {
  return {
    name,
    service: serviceName,
    objective,
    timeWindow: { kind: 'rolling', durationMs: 30 * DAY_MS },
    budgetingMethod: 'Occurrences',
    indicator: { type: 'ratio', counts: 'good', source: { kind: 'events' } },
    alerting: {
      windows: [{ severity: 'page', longWindowMs: 3_600_000, shortWindowMs: 300_000, burnRate: 14.4 }],
      minEvents: 10,
      noDataAfterMs: 600_000,
      severityLabel: 'severity',
    },
    labels: {},
  };
}

/** The Service and SLO documents plus their models, as the spec loader would hand them over. */
function specs(prefix: string, names: string[], objective = 0.999) {
  const svc = `${prefix}-svc`;
  return {
    documents: [
      {
        apiVersion: 'openslo/v1',
        kind: 'Service',
        name: svc,
        body: { kind: 'Service', metadata: { name: svc } },
      },
      ...names.map((n) => ({
        apiVersion: 'openslo/v1',
        kind: 'SLO',
        name: n,
        body: { kind: 'SLO', metadata: { name: n }, spec: { service: svc, objective } },
      })),
    ],
    services: [service(svc)],
    slos: names.map((n) => slo(n, svc, objective)),
  };
}

/** Expected buckets computed from the input, independently of the store's merging. */
function sumByMinute(batches: SliBucket[][]): SliBucket[] {
  const sums = new Map<number, SliBucket>();
  for (const b of batches.flat()) {
    const s = sums.get(b.minute) ?? { minute: b.minute, good: 0, total: 0 };
    sums.set(b.minute, { minute: b.minute, good: s.good + b.good, total: s.total + b.total });
  }
  return [...sums.values()].sort((a, b) => a.minute - b.minute);
}

const T0 = Date.UTC(2025, 0, 1);

forEachDriver('store', (h) => {
  let store: DrizzleStore;
  beforeAll(async () => {
    store = await h.open(await h.freshDatabase());
  });

  it('reports the driver it runs on', () => {
    expect(store.driver).toBe(h.driver);
  });

  it('applies documents as created, then unchanged, then updated when one changes', async () => {
    const first = await store.applyDocuments(specs('apply', ['apply-a', 'apply-b']));
    expect(first).toEqual({
      created: ['SLO/apply-a', 'SLO/apply-b', 'Service/apply-svc'],
      updated: [],
      unchanged: [],
    });
    const again = await store.applyDocuments(specs('apply', ['apply-a', 'apply-b']));
    expect(again).toEqual({ created: [], updated: [], unchanged: first.created });

    const changed = specs('apply', ['apply-a', 'apply-b']);
    const tighterA = specs('apply', ['apply-a'], 0.99);
    changed.documents[1] = tighterA.documents[1]!;
    changed.slos[0] = tighterA.slos[0]!;
    const third = await store.applyDocuments(changed);
    expect(third).toEqual({
      created: [],
      updated: ['SLO/apply-a'],
      unchanged: ['SLO/apply-b', 'Service/apply-svc'],
    });
    expect((await store.getSlo('apply-a'))?.objective).toBe(0.99);
    expect((await store.getSlo('apply-b'))?.objective).toBe(0.999);
  });

  it('treats a document whose keys were only reordered as unchanged', async () => {
    const input = {
      documents: [
        { apiVersion: 'ballast.dev/v1', kind: 'Check', name: 'order', body: { a: 1, b: { c: 2, d: 3 } } },
      ],
      services: [],
      slos: [],
    };
    expect((await store.applyDocuments(input)).created).toEqual(['Check/order']);
    const reordered = {
      ...input,
      documents: [{ ...input.documents[0]!, body: { b: { d: 3, c: 2 }, a: 1 } }],
    };
    expect(await store.applyDocuments(reordered)).toEqual({
      created: [],
      updated: [],
      unchanged: ['Check/order'],
    });
  });

  it('marks an SLO updated when its resolved definition changed but its own document did not', async () => {
    const input = specs('derived', ['derived-a']);
    await store.applyDocuments(input);
    const next = {
      ...input,
      slos: [{ ...input.slos[0]!, indicator: { ...input.slos[0]!.indicator, counts: 'bad' as const } }],
    };
    const result = await store.applyDocuments(next);
    expect(result.updated).toEqual(['SLO/derived-a']);
    expect((await store.getSlo('derived-a'))?.indicator.counts).toBe('bad');
  });

  it('loses nothing when a later apply names fewer documents', async () => {
    await store.applyDocuments(specs('keep', ['keep-a', 'keep-b', 'keep-c']));
    const result = await store.applyDocuments(specs('keep', ['keep-a']));
    expect(result.unchanged).toEqual(['SLO/keep-a', 'Service/keep-svc']);
    const names = (await store.listSlos()).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['keep-a', 'keep-b', 'keep-c']));
    const docs = (await store.listDocuments('SLO')).map((d) => d.name);
    expect(docs).toEqual(expect.arrayContaining(['keep-a', 'keep-b', 'keep-c']));
  });

  it('rolls back the whole apply when one part fails', async () => {
    const bad = specs('atomic', ['atomic-a']);
    // A null body violates NOT NULL after the services and documents were written in the same transaction.
    const broken = { ...bad, slos: [{ ...bad.slos[0]!, service: null as unknown as string }] };
    await expect(store.applyDocuments(broken)).rejects.toThrow();
    expect(await store.getService('atomic-svc')).toBeUndefined();
    expect((await store.listDocuments('Service')).map((d) => d.name)).not.toContain('atomic-svc');
  });

  it('lists documents by kind with their hash and time, and reads models back as stored', async () => {
    const input = specs('list', ['list-a']);
    await store.applyDocuments(input);
    const docs = await store.listDocuments('Service');
    const doc = docs.find((d) => d.name === 'list-svc');
    expect(doc).toMatchObject({ apiVersion: 'openslo/v1', kind: 'Service', body: input.documents[0]!.body });
    expect(doc?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(doc?.updatedAt).toBeGreaterThan(0);
    expect(docs.every((d) => d.kind === 'Service')).toBe(true);
    expect(await store.getService('list-svc')).toEqual(input.services[0]);
    expect(await store.getSlo('list-a')).toEqual(input.slos[0]);
    expect(await store.getSlo('no-such-slo')).toBeUndefined();
    expect(await store.getService('no-such-service')).toBeUndefined();
  });

  it('sums buckets of the same minute within one call and across calls', async () => {
    const batches: SliBucket[][] = [
      [
        { minute: T0 + MINUTE_MS, good: 3, total: 4 },
        { minute: T0, good: 1, total: 1 },
        { minute: T0 + MINUTE_MS, good: 2, total: 2 },
      ],
      [{ minute: T0, good: 0, total: 5 }],
    ];
    for (const batch of batches) await store.addBuckets('sum', batch);
    expect(await store.readBuckets('sum', T0, T0 + 2 * MINUTE_MS)).toEqual(sumByMinute(batches));
  });

  it('gives exact sums when many addBuckets calls run concurrently on the same minutes', async () => {
    const batches = Array.from({ length: 40 }, (_, i) =>
      Array.from({ length: 5 }, (_, m) => ({
        minute: T0 + ((i + m) % 7) * MINUTE_MS,
        good: i % 3,
        total: 3 + m,
      })),
    );
    await Promise.all(batches.map((batch) => store.addBuckets('concurrent', batch)));
    expect(await store.readBuckets('concurrent', T0, T0 + DAY_MS)).toEqual(sumByMinute(batches));
  });

  it('stores a batch larger than one statement in full', async () => {
    const batch = Array.from({ length: 9_000 }, (_, i) => ({
      minute: T0 + i * MINUTE_MS,
      good: i % 10,
      total: 10,
    }));
    await store.addBuckets('large', batch);
    const read = await store.readBuckets('large', T0, T0 + DAY_MS * 30);
    expect(read).toHaveLength(batch.length);
    expect(read).toEqual(sumByMinute([batch]));
  });

  it('stores fractional and extreme counts exactly as the doubles they were', async () => {
    const values = [0.1, 1 / 3, Math.PI * 1e-300, 2 ** 53 - 1, 1e21, 5e-324, -0.5];
    const batch = values.map((v, i) => ({ minute: T0 + i * MINUTE_MS, good: v, total: v * 2 }));
    await store.addBuckets('exact', batch);
    expect(await store.readBuckets('exact', T0, T0 + DAY_MS)).toEqual(batch);
    const samples = values.map((v, i) => ({ timestamp: T0 + i, value: v }));
    await store.addSamples('exact', samples);
    expect(await store.readSamples('exact', T0, T0 + DAY_MS)).toEqual(samples);
  });

  it('reads buckets in [from, to) ascending, for one SLO only', async () => {
    const minutes = [5, 1, 3, 2, 4].map((m) => T0 + m * MINUTE_MS);
    await store.addBuckets(
      'range',
      minutes.map((minute) => ({ minute, good: 1, total: 1 })),
    );
    await store.addBuckets('range-other', [{ minute: T0 + 2 * MINUTE_MS, good: 9, total: 9 }]);
    const read = await store.readBuckets('range', T0 + 2 * MINUTE_MS, T0 + 5 * MINUTE_MS);
    expect(read.map((b) => b.minute)).toEqual([2, 3, 4].map((m) => T0 + m * MINUTE_MS));
    expect(await store.readBuckets('no-such-slo', T0, T0 + DAY_MS)).toEqual([]);
  });

  it('reads the buckets of every SLO in a range, grouped by SLO', async () => {
    const base = Date.UTC(2030, 0, 1);
    const input: Record<string, SliBucket[]> = {
      'all-a': [
        { minute: base + MINUTE_MS, good: 1, total: 2 },
        { minute: base, good: 3, total: 4 },
      ],
      'all-b': [{ minute: base + 2 * MINUTE_MS, good: 5, total: 6 }],
    };
    for (const [name, buckets] of Object.entries(input)) await store.addBuckets(name, buckets);
    await store.addBuckets('all-a', [{ minute: base + DAY_MS, good: 1, total: 1 }]);
    const all = await store.readAllBuckets(base, base + DAY_MS);
    expect([...all.keys()].sort()).toEqual(['all-a', 'all-b']);
    expect(all.get('all-a')).toEqual(sumByMinute([input['all-a']!]));
    expect(all.get('all-b')).toEqual(input['all-b']);
  });

  it('stores raw samples and reads a range back in time order', async () => {
    const samples = [30, 10, 20, 40].map((s) => ({ timestamp: T0 + s * 1000, value: s / 7 }));
    await store.addSamples('samples', samples);
    await store.addSamples('samples-other', [{ timestamp: T0 + 15_000, value: 1 }]);
    const read = await store.readSamples('samples', T0 + 10_000, T0 + 40_000);
    expect(read).toEqual(
      [...samples].filter((s) => s.timestamp < T0 + 40_000).sort((a, b) => a.timestamp - b.timestamp),
    );
  });

  it('records alert transitions and filters them by SLO, time and limit', async () => {
    const transitions = [
      { slo: 'alert-a', severity: 'page', from: 'ok', to: 'firing', at: T0 + 1000, reason: '1h/5m > 14.4' },
      { slo: 'alert-b', severity: 'ticket', from: 'ok', to: 'firing', at: T0 + 2000 },
      { slo: 'alert-a', severity: 'page', from: 'firing', to: 'ok', at: T0 + 3000 },
      { slo: 'alert-a', severity: 'ticket', from: 'ok', to: 'no_data', at: T0 + 4000 },
    ] as const;
    const stored = [];
    for (const t of transitions) {
      stored.push(
        await store.recordAlertTransition({
          ...t,
          service: 'alerts-svc',
          burnRates: { '1h': 15, '5m': null },
        }),
      );
    }
    expect(stored.map((e) => e.id)).toEqual([...stored.map((e) => e.id)].sort((a, b) => a - b));
    expect(stored[0]).toMatchObject({ ...transitions[0], burnRates: { '1h': 15, '5m': null } });
    expect(stored[1]).not.toHaveProperty('reason');

    const forA = await store.listAlertEvents({ slo: 'alert-a' });
    expect(forA.map((e) => e.at)).toEqual([T0 + 1000, T0 + 3000, T0 + 4000]);
    expect((await store.listAlertEvents({ slo: 'alert-a', since: T0 + 3000 })).map((e) => e.at)).toEqual([
      T0 + 3000,
      T0 + 4000,
    ]);
    const latest = await store.listAlertEvents({ since: T0, limit: 2 });
    expect(latest.map((e) => e.id)).toEqual(stored.slice(-2).map((e) => e.id));
  });

  it('keeps the current alert state per SLO and severity, ignoring a late older transition', async () => {
    const base = { slo: 'state-a', service: 'svc', severity: 'page', burnRates: {} };
    await store.recordAlertTransition({ ...base, from: 'ok', to: 'firing', at: T0 + 2000 });
    await store.recordAlertTransition({ ...base, from: 'no_data', to: 'ok', at: T0 + 1000 });
    expect(await store.listAlertStates('state-a')).toEqual([
      { slo: 'state-a', severity: 'page', state: 'firing', since: T0 + 2000 },
    ]);
    expect(await store.listAlertEvents({ slo: 'state-a' })).toHaveLength(2);
  });

  it('keeps the alerts of a check apart from those of an SLO with the same name', async () => {
    const common = { slo: 'shared-name', service: 'svc', severity: 'page', burnRates: {} };
    const sloEvent = await store.recordAlertTransition({
      ...common,
      from: 'ok',
      to: 'firing',
      at: T0 + 1000,
    });
    const checkEvent = await store.recordAlertTransition({
      ...common,
      source: 'check',
      from: 'ok',
      to: 'firing',
      at: T0 + 2000,
      reason: '3 consecutive failures',
    });
    await store.recordAlertTransition({
      ...common,
      source: 'check',
      from: 'firing',
      to: 'ok',
      at: T0 + 3000,
    });
    // An SLO event carries no source at all, exactly as before checks existed.
    expect(sloEvent).not.toHaveProperty('source');
    expect(checkEvent).toMatchObject({ source: 'check', reason: '3 consecutive failures' });
    expect(await store.listAlertStates('shared-name')).toEqual([
      { source: 'check', slo: 'shared-name', severity: 'page', state: 'ok', since: T0 + 3000 },
      { slo: 'shared-name', severity: 'page', state: 'firing', since: T0 + 1000 },
    ]);
    const all = await store.listAlertEvents({ slo: 'shared-name' });
    expect(all.map((e) => [e.source ?? 'slo', e.to])).toEqual([
      ['slo', 'firing'],
      ['check', 'firing'],
      ['check', 'ok'],
    ]);
    expect(await store.listAlertEvents({ slo: 'shared-name', source: 'slo' })).toEqual([sloEvent]);
    const checkOnly = await store.listAlertEvents({ slo: 'shared-name', source: 'check', limit: 1 });
    expect(checkOnly.map((e) => [e.source, e.to, e.at])).toEqual([['check', 'ok', T0 + 3000]]);
  });

  it('migrates alerts stored before checks existed to source slo, keeping them', async () => {
    const { folder, cleanup } = await migrationsBeforeAlertSource();
    try {
      const options = await h.freshDatabase({ reopenable: true });
      await prepareOldDatabase(options, folder, [
        `insert into alert_events (slo, service, severity, from_state, to_state, at, reason, burn_rates)
         values ('old-slo', 'old-svc', 'page', 'ok', 'firing', ${T0}, 'burning', '{"1h": 20}')`,
        `insert into alert_state (slo, severity, state, since, reason)
         values ('old-slo', 'page', 'firing', ${T0}, 'burning')`,
      ]);
      const migrated = await h.open(options);
      const before = { slo: 'old-slo', severity: 'page', state: 'firing', since: T0, reason: 'burning' };
      expect(await migrated.listAlertStates('old-slo')).toEqual([before]);
      const events = await migrated.listAlertEvents({ slo: 'old-slo', source: 'slo' });
      expect(events).toEqual([
        {
          id: events[0]?.id,
          slo: 'old-slo',
          service: 'old-svc',
          severity: 'page',
          from: 'ok',
          to: 'firing',
          at: T0,
          reason: 'burning',
          burnRates: { '1h': 20 },
        },
      ]);
      // The old SLO state still moves, and a check of the same name gets its own.
      const common = { slo: 'old-slo', service: 'old-svc', severity: 'page', burnRates: {} };
      await migrated.recordAlertTransition({ ...common, from: 'firing', to: 'ok', at: T0 + 1000 });
      await migrated.recordAlertTransition({
        ...common,
        source: 'check',
        from: 'ok',
        to: 'firing',
        at: T0 + 2000,
      });
      expect(await migrated.listAlertStates('old-slo')).toEqual([
        { source: 'check', slo: 'old-slo', severity: 'page', state: 'firing', since: T0 + 2000 },
        { slo: 'old-slo', severity: 'page', state: 'ok', since: T0 + 1000 },
      ]);
      await migrated.close();
    } finally {
      await cleanup();
    }
  });

  it('creates tokens whose secret finds them, and finds nothing for an unknown secret', async () => {
    const before = await store.countTokens();
    const { record, secret } = await store.createToken('ci', 'responder');
    expect(secret).toMatch(/^blst_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({ name: 'ci', role: 'responder' });
    expect(await store.findToken(secret)).toEqual(record);
    expect(await store.findToken(`${secret}x`)).toBeUndefined();
    expect(await store.countTokens()).toBe(before + 1);
  });

  it('stores a given token once however often it is ensured', async () => {
    const secret = 'blst_given-admin-secret';
    const before = await store.countTokens();
    const first = await store.ensureToken('admin', 'admin', secret);
    const second = await store.ensureToken('admin', 'admin', secret);
    expect(second).toEqual(first);
    expect(await store.findToken(secret)).toEqual(first);
    expect(await store.countTokens()).toBe(before + 1);
  });

  it('migrates an existing database as a no-op and keeps its data', async () => {
    const options = await h.freshDatabase({ reopenable: true });
    const first = await h.open(options);
    await first.applyDocuments(specs('reopen', ['reopen-a']));
    await first.addBuckets('reopen-a', [{ minute: T0, good: 1, total: 2 }]);
    await first.close();
    // Re-running the initial migration would fail on CREATE TABLE; opening again proves it was skipped.
    const second = await h.open(options);
    expect((await second.listSlos()).map((s) => s.name)).toEqual(['reopen-a']);
    expect(await second.readBuckets('reopen-a', T0, T0 + MINUTE_MS)).toEqual([
      { minute: T0, good: 1, total: 2 },
    ]);
    await second.close();
  });

  // PostgreSQL-only behaviour: registered for that driver alone, so no run reports a skip.
  if (h.driver === 'postgres') {
    it('lets several replicas open one new database at once', async () => {
      const options = await h.freshDatabase();
      const stores = await Promise.all([h.open(options), h.open(options), h.open(options)]);
      await Promise.all(stores.map((s) => s.addBuckets('replicas', [{ minute: T0, good: 1, total: 1 }])));
      expect(await stores[0]!.readBuckets('replicas', T0, T0 + MINUTE_MS)).toEqual([
        { minute: T0, good: 3, total: 3 },
      ]);
      await Promise.all(stores.map((s) => s.close()));
    });

    it('stores JSON as jsonb objects that SQL can query', async () => {
      const options = await h.freshDatabase();
      const own = await h.open(options);
      await own.applyDocuments(specs('json', ['json-a']));
      const sql = postgres(options.databaseUrl!, { max: 1 });
      try {
        const rows = await sql`select jsonb_typeof(definition) as t, definition->>'objective' as o from slos`;
        expect(rows.map((r) => [r.t, Number(r.o)])).toEqual([['object', 0.999]]);
      } finally {
        await sql.end();
      }
      await own.close();
    });
  }

  it('closes idempotently and refuses work afterwards', async () => {
    const own = await h.open(await h.freshDatabase());
    await Promise.all([own.close(), own.close()]);
    await own.close();
    expect(() => own.countTokens()).toThrow(/closed/);
  });
});

describe('openStore', () => {
  it('names the database, without its password, when PostgreSQL cannot be reached', async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const failure = openStore({ databaseUrl: 'postgres://ballast:s3cret@127.0.0.1:1/ballast' });
    await expect(failure).rejects.toThrow(
      /cannot open the PostgreSQL database at postgres:\/\/ballast:\*\*\*@127\.0\.0\.1:1\/ballast/,
    );
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });

  it.each([
    {
      name: 'a password is masked',
      url: 'postgres://u:pw@h:5432/db',
      expected: 'postgres://u:***@h:5432/db',
    },
    { name: 'a URL without password is kept', url: 'postgres://u@h/db', expected: 'postgres://u@h/db' },
    {
      name: 'an unparsable URL is not echoed',
      url: 'not a url pw',
      expected: '(an unparsable DATABASE_URL)',
    },
  ])('redactUrl: $name', ({ url, expected }) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
