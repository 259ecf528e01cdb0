import { describe, expect, test } from 'vitest';
import { toUnits } from './budgeting.ts';
import { buildStatus, SloEngine } from './engine.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, type SliBucket, type SloDefinition, type SloStatus } from './model.ts';
import { layoutOf } from './state.ts';
import { makeSlo, seededRandom, WORKBOOK_PAIRS } from './testing.ts';
import { calendarInterval } from './windows.ts';

/**
 * The naive reference: recompute every sum from the full list of accepted
 * buckets with plain loops. Same window semantics as the engine documents:
 * alert windows are the minutes (now − W, now]; the SLO window starts at the
 * hour containing its nominal start.
 */
function referenceStatus(def: SloDefinition, all: SliBucket[], now: number, prev?: SloStatus): SloStatus {
  const c = Math.floor(now / MINUTE_MS);
  const units = toUnits(def, all);
  const sumUnits = (from: number, to: number) => {
    let good = 0;
    let total = 0;
    for (const u of units) {
      const m = u.minute / MINUTE_MS;
      if (m >= from && m <= to) {
        good += u.good;
        total += u.total;
      }
    }
    return { good, total };
  };
  const windows = layoutOf(def, 0).windowsMs.map((ms) => {
    const from = c - ms / MINUTE_MS + 1;
    let events = 0;
    for (const b of all) if (b.minute / MINUTE_MS >= from && b.minute / MINUTE_MS <= c) events += b.total;
    return { windowMs: ms, ...sumUnits(from, c), events };
  });
  const tw = def.timeWindow;
  const nominalStart =
    tw.kind === 'rolling' ? (c + 1) * MINUTE_MS - tw.durationMs : calendarInterval(tw, c * MINUTE_MS).start;
  const startHour = Math.floor(nominalStart / HOUR_MS);
  const period = sumUnits(startHour * 60, c);
  const reported = tw.kind === 'rolling' ? startHour * HOUR_MS : nominalStart;
  return buildStatus(def, now, windows, { start: reported, end: now, ...period }, prev?.alerts);
}

function expectSame(actual: SloStatus | undefined, expected: SloStatus, where: string): void {
  expect(actual, where).toBeDefined();
  const a = actual!;
  expect(a.window, where).toEqual(expected.window);
  expect(a.events.total, where).toBeCloseTo(expected.events.total, 3);
  expect(a.events.good, where).toBeCloseTo(expected.events.good, 3);
  for (const [label, rate] of Object.entries(expected.burnRates)) {
    if (rate === null) expect(a.burnRates[label], `${where} ${label}`).toBeNull();
    else expect(a.burnRates[label], `${where} ${label}`).toBeCloseTo(rate, 4);
  }
  expect(
    a.alerts.map((x) => [x.severity, x.state, x.since]),
    where,
  ).toEqual(expected.alerts.map((x) => [x.severity, x.state, x.since]));
}

interface Scenario {
  name: string;
  seed: number;
  def: SloDefinition;
  start: number;
  ticks: number;
  /** Changes the definition half-way (data-compatible, so the data must survive). */
  change?: (def: SloDefinition) => SloDefinition;
  /** Whether very old late data (hour ring only) is sent: Occurrences keep it. */
  oldData: boolean;
}

const T0 = Date.UTC(2024, 2, 29, 21, 17);
const short = { kind: 'rolling' as const, durationMs: 7 * DAY_MS };

const scenarios: Scenario[] = [
  {
    name: 'Occurrences over a rolling window matches the recomputation through late data and a window change',
    seed: 1,
    def: makeSlo({ name: 'occ', timeWindow: short }),
    start: T0,
    ticks: 300,
    change: (d) => ({
      ...d,
      objective: 0.99,
      alerting: { ...d.alerting, windows: d.alerting.windows.slice(0, 2), noDataAfterMs: 15 * MINUTE_MS },
    }),
    oldData: true,
  },
  {
    name: 'Timeslices with 5-minute slices match the recomputation',
    seed: 2,
    def: makeSlo({
      name: 'ts',
      timeWindow: short,
      budgetingMethod: 'Timeslices',
      timesliceMs: 5 * MINUTE_MS,
      timesliceTarget: 0.95,
    }),
    start: T0,
    ticks: 300,
    change: (d) => ({ ...d, alerting: { ...d.alerting, minEvents: 50 } }),
    oldData: false,
  },
  {
    name: 'RatioTimeslices with 7-minute slices match the recomputation',
    seed: 3,
    def: makeSlo({
      name: 'rts',
      timeWindow: short,
      budgetingMethod: 'RatioTimeslices',
      timesliceMs: 7 * MINUTE_MS,
    }),
    start: T0,
    ticks: 300,
    oldData: false,
  },
  {
    name: 'A calendar day in Europe/Berlin resets across the DST night and matches the recomputation',
    seed: 4,
    def: makeSlo({
      name: 'cal',
      timeWindow: {
        kind: 'calendar',
        unit: 'Day',
        count: 1,
        startTime: '2024-01-01 00:00:00',
        timeZone: 'Europe/Berlin',
      },
    }),
    start: Date.UTC(2024, 2, 30, 20, 3),
    ticks: 300,
    oldData: true,
  },
];

describe('SloEngine against a naive recomputation (randomized, fixed seeds)', () => {
  test.each(scenarios)('$name', ({ seed, def: initial, start, ticks, change, oldData }) => {
    const rand = seededRandom(seed);
    const engine = new SloEngine();
    let def = initial;
    engine.setSlos([def]);
    expect(engine.warmUpNeeded()).toEqual([def.name]);
    const accepted: SliBucket[] = [];
    const bucket = (minute: number): SliBucket => {
      const total = Math.floor(rand() * 40);
      const errorRate = rand() < 0.1 ? 0.5 : 0.002;
      const bad = Math.min(total, Math.floor(total * errorRate + rand()));
      return { minute: minute * MINUTE_MS, good: total - bad, total };
    };
    // Warm-up: 8 days of history in random order, with gaps.
    const c0 = Math.floor(start / MINUTE_MS);
    const warm: SliBucket[] = [];
    for (let m = c0 - 8 * 1440; m <= c0; m++) if (rand() < 0.8) warm.push(bucket(m));
    warm.sort(() => rand() - 0.5);
    // Buckets older than the rings may be dropped; the reference sees only the accepted ones.
    for (const b of warm) if (engine.addBuckets(def.name, [b]) === 0) accepted.push(b);
    expect(accepted.length).toBeGreaterThan(1440);
    let now = start;
    let prev: SloStatus | undefined;
    for (let i = 0; i < ticks; i++) {
      const r = rand();
      now += r < 0.8 ? MINUTE_MS : r < 0.9 ? Math.floor(rand() * 90) * MINUTE_MS : rand() * MINUTE_MS;
      const c = Math.floor(now / MINUTE_MS);
      const batch: SliBucket[] = [];
      if (rand() < 0.9) batch.push(bucket(c));
      if (rand() < 0.3) batch.push(bucket(c - 1 - Math.floor(rand() * 2 * 1440))); // late
      if (rand() < 0.1) batch.push(bucket(c + 1 + Math.floor(rand() * 5))); // slightly ahead
      expect(engine.addBuckets(def.name, batch)).toBe(0);
      accepted.push(...batch);
      if (oldData && rand() < 0.1) {
        // Past the minute ring: only the hour ring keeps it (and drops what is older than that).
        const old = bucket(c - 4 * 1440 - Math.floor(rand() * 2 * 1440));
        if (engine.addBuckets(def.name, [old]) === 0) accepted.push(old);
      }
      if (change && i === Math.floor(ticks / 2)) {
        def = change(def);
        engine.setSlos([def]);
        expect(engine.warmUpNeeded()).toEqual([]);
      }
      const { statuses } = engine.evaluate(now);
      const expected = referenceStatus(def, accepted, now, prev);
      expectSame(statuses[0], expected, `tick ${i} at ${new Date(now).toISOString()}`);
      prev = expected;
    }
  });
});

/** Shuffles in place with the seeded PRNG (the store returns ascending minutes; the engine must not care). */
function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function expectSamePeriod(actual: SloStatus | undefined, expected: SloStatus, where: string): void {
  expectSame(actual, expected, where);
  expect(expected.sli, where).not.toBeNull();
  expect(actual?.sli, where).toBeCloseTo(expected.sli!, 9);
  // Relative: slice ratios sit in Float32 minute slots (about 6e-8 relative error, see the ADR).
  const close = (a: number | null | undefined, e: number | null) =>
    expect(Math.abs(a! - e!), where).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(e!)));
  close(actual?.budget.remainingRatio, expected.budget.remainingRatio);
  close(actual?.budget.remainingEvents, expected.budget.remainingEvents);
}

const thirtyDays = [
  {
    name: 'Timeslices with 5-minute slices count all 30 days of slices after a warm-up and later ticks',
    seed: 11,
    def: makeSlo({
      name: 'ts30',
      budgetingMethod: 'Timeslices',
      timesliceMs: 5 * MINUTE_MS,
      timesliceTarget: 0.95,
    }),
  },
  {
    name: 'RatioTimeslices with 7-minute slices count all 30 days of slices after a warm-up and later ticks',
    seed: 12,
    def: makeSlo({ name: 'rts30', budgetingMethod: 'RatioTimeslices', timesliceMs: 7 * MINUTE_MS }),
  },
];

describe('SloEngine warmed up with a whole 30-day SLO window (randomized, fixed seeds)', () => {
  test.each(thirtyDays)('$name', ({ seed, def }) => {
    const rand = seededRandom(seed);
    const engine = new SloEngine();
    engine.setSlos([def]);
    const bucket = (minute: number): SliBucket => {
      const total = 1 + Math.floor(rand() * 40);
      const bad = Math.min(total, Math.floor(total * (rand() < 0.1 ? 0.5 : 0.01) + rand()));
      return { minute: minute * MINUTE_MS, good: total - bad, total };
    };
    // What the server loads at start-up: every stored minute since now − neededHistoryMs, in one call.
    let now = Date.UTC(2024, 4, 20, 9, 41, 17);
    const c0 = Math.floor(now / MINUTE_MS);
    const accepted: SliBucket[] = [];
    for (let m = c0 - engine.neededHistoryMs() / MINUTE_MS; m <= c0 + 2; m++) {
      if (rand() < 0.9) accepted.push(bucket(m));
    }
    expect(engine.addBuckets(def.name, shuffle([...accepted], rand))).toBe(0);
    let prev = referenceStatus(def, accepted, now);
    expect(prev.events.total).toBeGreaterThan((25 * 1440) / (def.timesliceMs! / MINUTE_MS));
    expectSamePeriod(engine.evaluate(now).statuses[0], prev, 'right after the warm-up');
    const minuteRing = layoutOf(def, 0).ringMinutes;
    for (let i = 0; i < 60; i++) {
      now += rand() < 0.9 ? MINUTE_MS : Math.floor(rand() * 120) * MINUTE_MS;
      const c = Math.floor(now / MINUTE_MS);
      const batch = [bucket(c)];
      if (rand() < 0.3) batch.push(bucket(c - 1 - Math.floor(rand() * 2 * 1440))); // late, in the ring
      expect(engine.addBuckets(def.name, batch)).toBe(0);
      accepted.push(...batch);
      // A minute of a slice older than the minute ring: already judged, so refused.
      const old = bucket(c - minuteRing - 60 - Math.floor(rand() * 20 * 1440));
      expect(engine.addBuckets(def.name, [old]), `tick ${i}`).toBe(1);
      const expected = referenceStatus(def, accepted, now, prev);
      expectSamePeriod(
        engine.evaluate(now).statuses[0],
        expected,
        `tick ${i} at ${new Date(now).toISOString()}`,
      );
      prev = expected;
    }
  });
});

describe('SloEngine with slices older than the minute ring', () => {
  const def = makeSlo({
    name: 'ts',
    budgetingMethod: 'Timeslices',
    timesliceMs: 5 * MINUTE_MS,
    timesliceTarget: 0.9,
  });
  const now = Date.UTC(2024, 4, 20, 12);
  const c = now / MINUTE_MS;
  const b = (minute: number, good: number, total: number): SliBucket => ({
    minute: minute * MINUTE_MS,
    good,
    total,
  });
  /** A warm-up with one good slice ten days back (4 of its 5 minutes) and a recent good slice. */
  const warm = (engine: SloEngine) => {
    const oldSlice = c - 10 * 1440;
    const buckets = [0, 1, 2, 3].map((i) => b(oldSlice + i, 10, 10));
    buckets.push(b(c - 5, 10, 10));
    expect(engine.addBuckets(def.name, buckets)).toBe(0);
    expect(engine.status(def.name, now)?.events).toEqual({ good: 2, total: 2 });
    return oldSlice;
  };

  test.each([
    { name: 'a late minute of an old slice judged at warm-up is refused', at: (old: number) => old + 4 },
    { name: 'a minute of an old slice the warm-up had no data for is refused', at: (old: number) => old + 5 },
    {
      name: 'a minute of an old slice straddling the ring edge is refused',
      at: () => c - layoutOf(def, 0).ringMinutes,
    },
  ])('$name and reported as dropped', ({ at }) => {
    const engine = new SloEngine();
    engine.setSlos([def]);
    const old = warm(engine);
    expect(engine.addBuckets(def.name, [b(at(old), 0, 100)])).toBe(1);
    expect(engine.status(def.name, now)?.events).toEqual({ good: 2, total: 2 });
  });

  test('slices that left the minute ring stay judged once when larger alert windows grow the ring', () => {
    const engine = new SloEngine();
    engine.setSlos([def]);
    engine.warmUpNeeded();
    const old = warm(engine);
    const longer = { ...def.alerting, windows: [{ ...WORKBOOK_PAIRS[3]!, longWindowMs: 12 * DAY_MS }] };
    engine.setSlos([{ ...def, alerting: longer }]);
    expect(engine.warmUpNeeded()).toEqual([]);
    // Ten days back is inside the new 12-day minute ring, but its raw minutes were not migrated.
    expect(engine.addBuckets(def.name, [b(old + 4, 0, 100)])).toBe(1);
    expect(engine.status(def.name, now)?.events).toEqual({ good: 2, total: 2 });
    expect(engine.addBuckets(def.name, [b(c, 0, 100)])).toBe(0);
    expect(engine.status(def.name, now)?.events).toEqual({ good: 2, total: 3 });
  });

  test('an old slice is judged from all its minutes in the warm-up, whatever their order', () => {
    const engine = new SloEngine();
    engine.setSlos([def]);
    const old = c - 20 * 1440;
    // 4 × 10/10 then 0/10: 40/50 = 80 % < 90 %, a bad slice; judged minute by minute it would not be.
    const buckets = [b(old + 4, 0, 10), b(c, 10, 10), ...[0, 1, 2, 3].map((i) => b(old + i, 10, 10))];
    expect(engine.addBuckets(def.name, buckets)).toBe(0);
    expect(engine.status(def.name, now)?.events).toEqual({ good: 1, total: 2 });
  });
});

describe('SloEngine', () => {
  test('a full outage pages, and recovery clears the page with transitions naming the pair', () => {
    const def = makeSlo();
    const engine = new SloEngine();
    engine.setSlos([def]);
    const start = Date.UTC(2024, 0, 10);
    const c0 = start / MINUTE_MS;
    const healthy = (m: number) => ({ minute: m * MINUTE_MS, good: 100, total: 100 });
    const history: SliBucket[] = [];
    for (let m = c0 - 3 * 1440; m < c0; m++) history.push(healthy(m));
    engine.addBuckets(def.name, history);
    expect(engine.evaluate(start - MINUTE_MS).transitions).toEqual([]);
    const transitions = [];
    for (let m = c0; m < c0 + 10; m++) {
      engine.addBuckets(def.name, [{ minute: m * MINUTE_MS, good: 0, total: 100 }]);
      transitions.push(...engine.evaluate(m * MINUTE_MS).transitions);
    }
    const page = transitions.find((t) => t.severity === 'page');
    expect(page?.from).toBe('ok');
    expect(page?.to).toBe('firing');
    expect(page?.reason).toMatch(/^1h burn [\d.]+ > 14.4 and 5m burn [\d.]+ > 14.4$/);
    const recovered = [];
    for (let m = c0 + 10; m < c0 + 60; m++) {
      engine.addBuckets(def.name, [healthy(m)]);
      recovered.push(...engine.evaluate(m * MINUTE_MS).transitions);
    }
    expect(recovered.find((t) => t.severity === 'page')?.to).toBe('ok');
    expect(
      engine.status(def.name, (c0 + 59) * MINUTE_MS)?.alerts.find((a) => a.severity === 'page')?.state,
    ).toBe('ok');
  });

  test('a definition whose indicator changes starts empty and asks for a warm-up', () => {
    const engine = new SloEngine();
    const def = makeSlo();
    engine.setSlos([def]);
    engine.warmUpNeeded();
    engine.addBuckets(def.name, [{ minute: 0, good: 1, total: 1 }]);
    engine.setSlos([{ ...def, budgetingMethod: 'Timeslices', timesliceMs: MINUTE_MS }]);
    expect(engine.warmUpNeeded()).toEqual([def.name]);
    expect(engine.status(def.name, MINUTE_MS)?.events.total).toBe(0);
  });

  test('Prometheus SLOs are left to their source and removed SLOs disappear', () => {
    const engine = new SloEngine();
    const prom = makeSlo({
      name: 'prom',
      indicator: {
        type: 'ratio',
        source: { kind: 'prometheus', query: { type: 'rawErrorRatio', errorRatio: 'x' } },
      },
    });
    engine.setSlos([prom, makeSlo()]);
    expect(engine.evaluate(0).statuses.map((s) => s.slo)).toEqual(['checkout-availability']);
    engine.setSlos([]);
    expect(engine.status('checkout-availability', 0)).toBeUndefined();
  });

  test('the history needed at start-up covers the SLO window plus an hour', () => {
    const engine = new SloEngine();
    engine.setSlos([makeSlo()]);
    expect(engine.neededHistoryMs()).toBe(30 * DAY_MS + HOUR_MS);
  });

  test('buckets arriving while the ticks lag behind are kept and counted once their minute is evaluated', () => {
    const engine = new SloEngine();
    engine.setSlos([makeSlo()]);
    engine.evaluate(0);
    expect(engine.addBuckets('checkout-availability', [{ minute: DAY_MS, good: 3, total: 4 }])).toBe(0);
    expect(engine.status('checkout-availability', DAY_MS)?.events).toEqual({ good: 3, total: 4 });
  });
});
