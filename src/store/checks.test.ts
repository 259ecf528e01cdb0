import { beforeAll, expect, it } from 'vitest';
import { forEachDriver } from '../../test/helpers/databases.ts';
import type { CheckDefinition, CheckResult, CheckStatus } from '../checks/types.ts';
import { DAY_MS, HOUR_MS } from '../slo/model.ts';
import { utcDay } from './checks.ts';
import type { DrizzleStore } from './index.ts';
import type { CheckDailyRecord, StoredCheckResult } from './types.ts';

const T0 = Date.UTC(2025, 2, 1);

function definition(name: string, overrides: Partial<CheckDefinition> = {}): CheckDefinition {
  return {
    name,
    service: `${name}-svc`,
    tags: ['synthetic'],
    locations: ['local'],
    schedule: { kind: 'interval', everyMs: 60_000, jitterMs: 0 },
    timeoutMs: 10_000,
    retries: { count: 1, backoff: 'fixed', delayMs: 500, onlyNetworkErrors: true },
    failAfter: 2,
    recoverAfter: 1,
    conditions: ['[STATUS] == 200'],
    degradedConditions: ['[RESPONSE_TIME] < 500'],
    enabled: true,
    spec: {
      type: 'http',
      request: { method: 'GET', url: 'http://127.0.0.1:8080/health', headers: {} },
      followRedirects: true,
      maxRedirects: 5,
      tls: { verify: true },
      maxBodyBytes: 65_536,
    },
    ...overrides,
  };
}

/** A result with only the required fields. */
function result(check: string, startedAt: number, status: CheckStatus = 'pass'): CheckResult {
  return {
    check,
    service: `${check}-svc`,
    type: 'http',
    location: 'local',
    startedAt,
    durationMs: 12.5,
    status,
    conditions: [{ condition: '[STATUS] == 200', ok: status !== 'fail', shown: '[STATUS] (200) == 200' }],
    phases: { connect: 1.25, processing: 8 },
    attempts: 1,
  };
}

/** A result with every optional field (and every optional field of its parts) set. */
function fullResult(check: string, startedAt: number): CheckResult {
  return {
    check,
    service: `${check}-svc`,
    type: 'multistep',
    location: 'local',
    startedAt,
    durationMs: 1234.75,
    status: 'fail',
    reason: 'step login: [STATUS] (503) == 200',
    error: { kind: 'timeout', message: 'no answer within 10s' },
    conditions: [
      { condition: '[STATUS] == 200', ok: false, shown: '[STATUS] (503) == 200' },
      {
        condition: '[RESPONSE_TIME] < 500',
        ok: false,
        shown: '[RESPONSE_TIME] (1234) < 500',
        degraded: true,
      },
    ],
    phases: { resolve: 0, connect: 1.5, tls: 3.25, processing: 100, transfer: 2 },
    httpStatus: 503,
    certificateNotAfter: Date.UTC(2026, 0, 1),
    attempts: 3,
    steps: [
      { name: 'home', status: 200, durationMs: 20, extracted: { token: 'abc…' } },
      {
        name: 'login',
        status: 503,
        durationMs: 1200,
        error: { kind: 'protocol', message: 'unexpected close' },
        failed: [{ condition: '[STATUS] == 200', ok: false, shown: '[STATUS] (503) == 200' }],
      },
    ],
    artifacts: { screenshot: 'full/1/screenshot.png', trace: 'full/1/trace.zip' },
  };
}

/** Daily counts computed from the results, independently of the store. */
function expectedDaily(results: CheckResult[]): CheckDailyRecord[] {
  const days = new Map<string, CheckDailyRecord>();
  for (const r of results) {
    const day = Math.floor(r.startedAt / DAY_MS) * DAY_MS;
    const key = `${day}/${r.check}`;
    const record = days.get(key) ?? { check: r.check, day, pass: 0, degraded: 0, fail: 0 };
    record[r.status] += 1;
    days.set(key, record);
  }
  return [...days.values()].sort((a, b) => a.day - b.day || a.check.localeCompare(b.check));
}

/** Newest first, later inserts first among equal start times: what the store promises. */
function newestFirst(stored: StoredCheckResult[]): StoredCheckResult[] {
  return [...stored].sort((a, b) => b.startedAt - a.startedAt || b.id - a.id);
}

forEachDriver('store: checks', (h) => {
  let store: DrizzleStore;
  beforeAll(async () => {
    store = await h.open(await h.freshDatabase());
  });

  it('applies checks as created, then unchanged, then updated when a definition changes', async () => {
    const a = definition('apply-a');
    const b = definition('apply-b');
    expect(await store.applyChecks([b, a])).toEqual({
      created: ['Check/apply-a', 'Check/apply-b'],
      updated: [],
      unchanged: [],
    });
    expect(await store.applyChecks([a, b])).toEqual({
      created: [],
      updated: [],
      unchanged: ['Check/apply-a', 'Check/apply-b'],
    });
    const slower = definition('apply-a', { timeoutMs: 30_000, service: 'moved-svc' });
    expect(await store.applyChecks([slower, b])).toEqual({
      created: [],
      updated: ['Check/apply-a'],
      unchanged: ['Check/apply-b'],
    });
    expect(await store.getCheck('apply-a')).toEqual(slower);
    expect(await store.getCheck('apply-b')).toEqual(b);
    expect(await store.getCheck('no-such-check')).toBeUndefined();
  });

  it('treats a definition whose keys were only reordered as unchanged', async () => {
    const original = definition('order');
    await store.applyChecks([original]);
    const reordered = Object.fromEntries(Object.entries(original).reverse()) as unknown as CheckDefinition;
    expect(await store.applyChecks([reordered])).toEqual({
      created: [],
      updated: [],
      unchanged: ['Check/order'],
    });
  });

  it('keeps checks a later apply does not name, and lets the last of duplicate names win', async () => {
    await store.applyChecks([definition('keep-a'), definition('keep-b')]);
    const last = definition('keep-a', { enabled: false });
    const result = await store.applyChecks([definition('keep-a', { failAfter: 9 }), last]);
    expect(result).toEqual({ created: [], updated: ['Check/keep-a'], unchanged: [] });
    expect(await store.getCheck('keep-a')).toEqual(last);
    const names = (await store.listChecks()).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['keep-a', 'keep-b']));
    expect(names).toEqual([...names].sort());
    expect(await store.applyChecks([])).toEqual({ created: [], updated: [], unchanged: [] });
  });

  it('reads a result back whole, with every optional field', async () => {
    const input = fullResult('full', T0);
    const stored = await store.addCheckResult(input);
    expect(stored).toEqual({ ...input, id: stored.id });
    expect(await store.getCheckResult(stored.id)).toEqual(stored);
    expect(await store.listCheckResults('full')).toEqual([stored]);
  });

  it('reads a minimal result back without any absent optional field', async () => {
    const input = result('minimal', T0);
    const stored = await store.addCheckResult(input);
    expect(stored).toStrictEqual({ ...input, id: stored.id });
    const read = await store.getCheckResult(stored.id);
    expect(read).toStrictEqual(stored);
    for (const field of ['reason', 'error', 'httpStatus', 'certificateNotAfter', 'steps', 'artifacts']) {
      expect(read).not.toHaveProperty(field);
    }
  });

  it('leaves out optional fields given as undefined', async () => {
    const input: CheckResult = {
      ...result('undefined-fields', T0),
      reason: undefined,
      httpStatus: undefined,
    };
    const stored = await store.addCheckResult(input);
    expect(stored).not.toHaveProperty('reason');
    expect(await store.getCheckResult(stored.id)).not.toHaveProperty('httpStatus');
  });

  it('finds no result for an id that does not exist or cannot be one', async () => {
    const stored = await store.addCheckResult(result('ids', T0));
    for (const id of [stored.id + 1_000_000, 0, -1, 1.5, 2 ** 31, Number.NaN]) {
      expect(await store.getCheckResult(id)).toBeUndefined();
    }
  });

  it('lists a check results newest first, filtered by since, until, status and limit', async () => {
    const statuses: CheckStatus[] = ['pass', 'fail', 'degraded', 'pass', 'fail', 'pass'];
    // Out of order on purpose, with two results at one instant.
    const offsets = [5, 1, 3, 3, 0, 4];
    const stored: StoredCheckResult[] = [];
    for (const [i, status] of statuses.entries()) {
      stored.push(await store.addCheckResult(result('list', T0 + offsets[i]! * 60_000, status)));
    }
    await store.addCheckResult(result('list-other', T0 + 2 * 60_000));
    const all = newestFirst(stored);
    expect(await store.listCheckResults('list')).toEqual(all);

    const since = T0 + 60_000;
    const until = T0 + 4 * 60_000;
    const inWindow = all.filter((r) => r.startedAt >= since && r.startedAt < until);
    expect(await store.listCheckResults('list', { since, until })).toEqual(inWindow);
    expect(await store.listCheckResults('list', { status: 'fail' })).toEqual(
      all.filter((r) => r.status === 'fail'),
    );
    expect(await store.listCheckResults('list', { limit: 2 })).toEqual(all.slice(0, 2));
    expect(await store.listCheckResults('list', { since, status: 'pass', limit: 1 })).toEqual(
      all.filter((r) => r.startedAt >= since && r.status === 'pass').slice(0, 1),
    );
    expect(await store.listCheckResults('no-such-check')).toEqual([]);
  });

  it('returns at most 100 results by default', async () => {
    const count = 105;
    for (let i = 0; i < count; i++) await store.addCheckResult(result('many', T0 + i * 1000));
    const listed = await store.listCheckResults('many');
    expect(listed).toHaveLength(100);
    expect(listed[0]?.startedAt).toBe(T0 + (count - 1) * 1000);
    expect(await store.listCheckResults('many', { limit: count + 10 })).toHaveLength(count);
  });

  it('adds every result to the counts of its check and UTC day', async () => {
    const base = Date.UTC(2031, 5, 10);
    const results = [
      result('daily-a', base + HOUR_MS, 'pass'),
      result('daily-a', base + 2 * HOUR_MS, 'fail'),
      result('daily-a', base + DAY_MS - 1, 'degraded'),
      result('daily-a', base + DAY_MS, 'pass'),
      result('daily-a', base + DAY_MS + 1, 'pass'),
      result('daily-b', base + 3 * HOUR_MS, 'fail'),
      result('daily-a', base + 3 * DAY_MS, 'pass'),
    ];
    for (const r of results) await store.addCheckResult(r);
    const expected = expectedDaily(results);
    expect(await store.listCheckDaily({ fromDay: base, toDay: base + 4 * DAY_MS })).toEqual(expected);
    expect(await store.listCheckDaily({ check: 'daily-a', fromDay: base, toDay: base + 4 * DAY_MS })).toEqual(
      expected.filter((d) => d.check === 'daily-a'),
    );
    expect(await store.listCheckDaily({ fromDay: base + DAY_MS, toDay: base + 3 * DAY_MS })).toEqual(
      expected.filter((d) => d.day >= base + DAY_MS && d.day < base + 3 * DAY_MS),
    );
  });

  it('counts concurrent results of one day exactly', async () => {
    const base = Date.UTC(2032, 0, 1);
    const statuses: CheckStatus[] = ['pass', 'degraded', 'fail'];
    const results = Array.from({ length: 30 }, (_, i) =>
      result('daily-concurrent', base + i * 1000, statuses[i % 3]!),
    );
    await Promise.all(results.map((r) => store.addCheckResult(r)));
    expect(
      await store.listCheckDaily({ check: 'daily-concurrent', fromDay: base, toDay: base + DAY_MS }),
    ).toEqual(expectedDaily(results));
  });

  it('refuses a result whose status no count exists for, storing nothing', async () => {
    const bad = { ...result('bad-status', T0), status: 'unknown' as CheckStatus };
    await expect(store.addCheckResult(bad)).rejects.toThrow(RangeError);
    expect(await store.listCheckResults('bad-status')).toEqual([]);
  });

  it('gives the newest result of every check, the later insert winning a tie', async () => {
    const base = Date.UTC(2033, 0, 1);
    await store.addCheckResult(result('latest-a', base + 2000));
    const newestA = await store.addCheckResult(result('latest-a', base + 5000, 'fail'));
    await store.addCheckResult(result('latest-a', base + 1000));
    await store.addCheckResult(result('latest-b', base + 7000));
    const tieWinner = await store.addCheckResult(result('latest-b', base + 7000, 'degraded'));
    const latest = await store.latestCheckResults();
    const names = latest.map((r) => r.check);
    expect(names).toEqual([...new Set(names)].sort());
    expect(latest.find((r) => r.check === 'latest-a')).toEqual(newestA);
    expect(latest.find((r) => r.check === 'latest-b')).toEqual(tieWinner);
  });

  it('saves a check health state and replaces it on the next save', async () => {
    const failing = {
      check: 'health-a',
      state: 'failing' as const,
      consecutiveFailures: 3,
      consecutivePasses: 0,
      since: T0,
      lastResultAt: T0 + 1000,
    };
    const fresh = {
      check: 'health-b',
      state: 'passing' as const,
      consecutiveFailures: 0,
      consecutivePasses: 0,
      since: T0,
      lastResultAt: null,
    };
    await store.saveCheckHealth(failing);
    await store.saveCheckHealth(fresh);
    expect(await store.listCheckHealth()).toEqual([failing, fresh]);
    const recovered = {
      ...failing,
      state: 'passing' as const,
      consecutiveFailures: 0,
      consecutivePasses: 1,
      since: T0 + 2000,
      lastResultAt: T0 + 2000,
    };
    await store.saveCheckHealth(recovered);
    expect(await store.listCheckHealth()).toEqual([recovered, fresh]);
  });

  it('hands out one stable, URL-safe key per heartbeat check, and finds the check by it', async () => {
    const first = await store.heartbeatKey('beat-a');
    expect(first).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await store.heartbeatKey('beat-a')).toBe(first);
    const other = await store.heartbeatKey('beat-b');
    expect(other).not.toBe(first);
    expect(await store.findHeartbeatByKey(first)).toBe('beat-a');
    expect(await store.findHeartbeatByKey(other)).toBe('beat-b');
    expect(await store.findHeartbeatByKey(`${first}x`)).toBeUndefined();
  });

  it('gives concurrent first callers the same key', async () => {
    const keys = await Promise.all(Array.from({ length: 10 }, () => store.heartbeatKey('beat-race')));
    expect(new Set(keys).size).toBe(1);
    expect(await store.findHeartbeatByKey(keys[0]!)).toBe('beat-race');
  });

  it('counts pings, keeps the latest ping time, and lists only checks that were pinged', async () => {
    const key = await store.heartbeatKey('ping-a');
    await store.heartbeatKey('ping-never');
    const pings = [T0 + 3000, T0 + 1000, T0 + 5000, T0 + 2000];
    for (const at of pings) await store.recordHeartbeat('ping-a', at);
    // A ping for a check without a key yet creates its row (and a key).
    await store.recordHeartbeat('ping-b', T0 + 7000);
    const listed = await store.listHeartbeats();
    const mine = listed.filter((b) => b.check.startsWith('ping-'));
    expect(mine).toEqual([
      { check: 'ping-a', lastPingAt: Math.max(...pings), pings: pings.length },
      { check: 'ping-b', lastPingAt: T0 + 7000, pings: 1 },
    ]);
    expect(await store.heartbeatKey('ping-a')).toBe(key);
    const keyB = await store.heartbeatKey('ping-b');
    expect(keyB).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await store.findHeartbeatByKey(keyB)).toBe('ping-b');
  });

  it('counts concurrent pings exactly', async () => {
    const times = Array.from({ length: 25 }, (_, i) => T0 + i * 1000);
    await Promise.all(times.map((at) => store.recordHeartbeat('ping-concurrent', at)));
    const beat = (await store.listHeartbeats()).find((b) => b.check === 'ping-concurrent');
    expect(beat).toEqual({ check: 'ping-concurrent', lastPingAt: Math.max(...times), pings: times.length });
  });
});

it.each([
  { name: 'midnight is its own day', at: Date.UTC(2025, 0, 2), day: Date.UTC(2025, 0, 2) },
  {
    name: 'the last millisecond belongs to the day',
    at: Date.UTC(2025, 0, 3) - 1,
    day: Date.UTC(2025, 0, 2),
  },
  { name: 'noon falls to that midnight', at: Date.UTC(2025, 0, 2, 12), day: Date.UTC(2025, 0, 2) },
  { name: 'an instant before 1970 falls to its own midnight', at: -1, day: -DAY_MS },
])('utcDay: $name', ({ at, day }) => {
  expect(utcDay(at)).toBe(day);
});
