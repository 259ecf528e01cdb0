/**
 * Capacity search logic against a deterministic stand-in target: a service
 * whose latency and errors break past a known rate, and a generator that
 * falls behind past another. The real engine is exercised in
 * test/load-capacity.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { SloDefinition } from '../slo/model.ts';
import {
  type CapacityCriteria,
  type CapacityOptions,
  capacityCriteria,
  findCapacity,
  judgeStep,
  latencyAtPercentile,
  stepPlan,
} from './capacity.ts';
import type { LatencySummary, LoadPlan, LoadSummary } from './types.ts';

const basePlan: LoadPlan = {
  name: 'checkout',
  executor: { executor: 'constant-arrival-rate', rate: 1, timeUnitMs: 1000, durationMs: 1000 },
  requests: [
    {
      name: 'GET /',
      method: 'GET',
      url: 'http://127.0.0.1:1/',
      headers: {},
      weight: 1,
      checks: [],
      tags: {},
    },
  ],
  variables: [],
  thresholds: [{ kind: 'expr', expr: 'p(99) < 1ms', abortOnFail: true }],
  http: { maxConnections: 10, pipelining: 1, timeoutMs: 1000, insecureSkipVerify: false, keepAlive: true },
  limits: { maxRatePerSecond: 5000, maxDurationMs: 600_000, maxVUs: 1000 },
  allowHosts: [],
  tags: {},
};

interface Model {
  /** Above this rate the service queues: latency climbs steeply. */
  latencyKnee: number;
  /** Above this rate the service sheds load: errors. */
  errorKnee: number;
  /** Above this rate the generator cannot keep its schedule. */
  generatorLimit: number;
}

/** Latency at quantile q (0..1) for a rate: 5 ms base, tail ×20 per unit of overload. */
function modelLatency(m: Model, rate: number, q: number): number {
  const overload = Math.max(0, rate / m.latencyKnee - 1);
  return 5 + 20 * q ** 4 * (1 + 2000 * overload);
}

function lat(f: (q: number) => number): LatencySummary {
  return { p50: f(0.5), p90: f(0.9), p99: f(0.99), p999: f(0.999), max: f(1), mean: f(0.5) };
}

/** A stand-in for runLoad: the summary the model predicts for the plan's rate. */
function modelRun(m: Model, seen: number[] = []) {
  return async (plan: LoadPlan): Promise<LoadSummary> => {
    if (plan.executor.executor !== 'constant-arrival-rate')
      throw new Error('capacity must run constant-arrival-rate steps');
    expect(plan.thresholds).toEqual([]);
    const rate = plan.executor.rate;
    seen.push(rate);
    const total = Math.round((rate * plan.executor.durationMs) / 1000);
    const failed = Math.round(total * Math.max(0, 1 - m.errorKnee / rate));
    const valid = rate <= m.generatorLimit;
    const f = (q: number) => modelLatency(m, rate, q);
    return {
      name: plan.name,
      startedAt: new Date(0).toISOString(),
      durationMs: plan.executor.durationMs,
      executor: 'constant-arrival-rate',
      requests: { total, ok: total - failed, failed },
      errors: failed ? { status: failed } : {},
      rate: { target: rate, achieved: rate },
      latency_ms: lat(f),
      service_time_ms: lat(f),
      dropped: 0,
      valid,
      invalid_reasons: valid ? [] : ['schedule lag beyond 10 ms'],
      thresholds: [],
      aborted: false,
      perRequest: {},
      series: [],
      spectrum: [0, 50, 90, 99, 99.9, 99.99, 100].map((p) => ({ percentile: p, latency_ms: f(p / 100) })),
    };
  };
}

/** The analytic rate where the model's p99 reaches `bound` ms. */
function latencyBoundary(m: Model, bound: number, q = 0.99): number {
  const overload = ((bound - 5) / (20 * q ** 4) - 1) / 2000;
  return m.latencyKnee * (1 + overload);
}

const wide: Model = { latencyKnee: 400, errorKnee: 1e9, generatorLimit: 1e9 };
const opts = (m: Model, o: Partial<CapacityOptions>): CapacityOptions => ({
  plan: basePlan,
  latencyMs: 100,
  startRate: 50,
  ceiling: 10_000,
  stepDurationMs: 1000,
  mode: 'step',
  run: modelRun(m),
  ...o,
});

describe('findCapacity', () => {
  it('in step mode, multiplies the rate until the latency bound breaks and reports the last rate that held', async () => {
    const seen: number[] = [];
    const r = await findCapacity(opts(wide, { stepFactor: 2, run: modelRun(wide, seen) }));
    const boundary = latencyBoundary(wide, 100);
    expect(r.stoppedBy).toBe('breach');
    expect(r.capacity).not.toBeNull();
    expect(r.capacity).toBeLessThanOrEqual(boundary);
    expect((r.capacity as number) * 2).toBeGreaterThan(boundary);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBe((seen[i - 1] as number) * 2);
    expect(r.steps.map((s) => s.held)).toEqual([...seen.slice(0, -1).map(() => true), false]);
    expect(r.steps.at(-1)?.reason).toMatch(/p\(99\) .* ms > 100 ms/);
  });

  it('in step mode with an increment, adds the increment each step', async () => {
    const seen: number[] = [];
    const r = await findCapacity(opts(wide, { stepAdd: 25, run: modelRun(wide, seen) }));
    for (let i = 1; i < seen.length; i++) expect((seen[i] as number) - (seen[i - 1] as number)).toBe(25);
    expect(latencyBoundary(wide, 100) - (r.capacity as number)).toBeLessThan(25);
  });

  it('in bisect mode, finds the boundary within the precision', async () => {
    const r = await findCapacity(opts(wide, { mode: 'bisect', precision: 2 }));
    const boundary = latencyBoundary(wide, 100);
    expect(r.stoppedBy).toBe('breach');
    expect(r.capacity).toBeLessThanOrEqual(boundary);
    expect(boundary - (r.capacity as number)).toBeLessThanOrEqual(2);
  });

  it('stops at the ceiling when every step holds', async () => {
    const r = await findCapacity(opts(wide, { ceiling: 120, stepFactor: 2 }));
    expect(r.stoppedBy).toBe('ceiling');
    expect(r.capacity).toBe(120);
    expect(r.steps.at(-1)?.rate).toBe(120);
  });

  it('stops with "invalid", not a breach, when the generator falls behind first', async () => {
    const m: Model = { ...wide, generatorLimit: 150 };
    const r = await findCapacity(opts(m, { stepFactor: 2, mode: 'bisect' }));
    expect(r.stoppedBy).toBe('invalid');
    expect(r.capacity).toBeLessThanOrEqual(150);
    expect(r.steps.at(-1)?.valid).toBe(false);
    expect(r.steps.at(-1)?.held).toBe(false);
    expect(r.steps.at(-1)?.reason).toContain('not valid');
  });

  it('breaks on the error rate when latency still holds', async () => {
    const m: Model = { latencyKnee: 1e9, errorKnee: 300, generatorLimit: 1e9 };
    const r = await findCapacity(
      opts(m, { latencyMs: undefined, errorRate: 0.01, mode: 'bisect', precision: 1 }),
    );
    // errors = 1 − knee/rate ≤ 1% ⇔ rate ≤ knee / 0.99
    const boundary = 300 / 0.99;
    expect(boundary - (r.capacity as number)).toBeLessThanOrEqual(1 + 1e-9);
    expect(r.steps.some((s) => s.reason?.startsWith('error rate'))).toBe(true);
  });

  it('reports no capacity when the first step already breaks, and bisects below it', async () => {
    const m: Model = { ...wide, latencyKnee: 20 };
    const step = await findCapacity(opts(m, {}));
    expect(step.capacity).toBeNull();
    expect(step.steps).toHaveLength(1);
    const bisect = await findCapacity(opts(m, { mode: 'bisect', precision: 1 }));
    expect(bisect.capacity).not.toBeNull();
    expect(latencyBoundary(m, 100) - (bisect.capacity as number)).toBeLessThanOrEqual(1);
  });

  it('stops with "aborted" when the signal fires between steps', async () => {
    const controller = new AbortController();
    const r = await findCapacity(
      opts(wide, {
        stepFactor: 1.1,
        signal: controller.signal,
        onStep: (s) => s.rate > 80 && controller.abort(),
      }),
    );
    expect(r.stoppedBy).toBe('aborted');
    expect(r.steps.at(-1)?.rate).toBeGreaterThan(80);
    expect(r.capacity).toBe(r.steps.at(-1)?.rate);
  });

  it.each([
    ['no bound at all', { latencyMs: undefined }, /SLO or a latency/],
    ['a start rate of zero', { startRate: 0 }, /start rate/],
    ['a ceiling below the start', { ceiling: 10 }, /ceiling/],
    ['a step factor of one', { stepFactor: 1 }, /factor/],
  ])('rejects %s', async (_name, o, message) => {
    await expect(findCapacity(opts(wide, o))).rejects.toThrow(message);
  });
});

const slo = (objective: number, threshold?: number): SloDefinition =>
  ({
    name: 'checkout-latency',
    service: 'checkout',
    objective,
    indicator:
      threshold === undefined
        ? { type: 'ratio', counts: 'good', source: { kind: 'events' } }
        : { type: 'threshold', source: { kind: 'events' }, threshold: { op: 'lt', value: threshold } },
  }) as unknown as SloDefinition;

describe('capacityCriteria', () => {
  it.each<[string, Parameters<typeof capacityCriteria>[0], CapacityCriteria]>([
    [
      'a latency SLO judges its objective percentile against its threshold',
      { slo: slo(0.999, 250) },
      { percentile: 99.9, latencyMs: 250, errorRate: 0.001 },
    ],
    ['a ratio SLO judges only the error budget', { slo: slo(0.99) }, { percentile: 99, errorRate: 0.01 }],
    [
      'explicit bounds override the SLO and judge p99',
      { slo: slo(0.999, 250), latencyMs: 300, errorRate: 0.05 },
      { percentile: 99, latencyMs: 300, errorRate: 0.05 },
    ],
    ['bounds without an SLO judge p99', { latencyMs: 300 }, { percentile: 99, latencyMs: 300 }],
  ])('%s', (_name, input, expected) => {
    const c = capacityCriteria(input);
    expect(c.percentile).toBeCloseTo(expected.percentile, 9);
    expect(c.latencyMs).toBe(expected.latencyMs);
    if (expected.errorRate === undefined) expect(c.errorRate).toBeUndefined();
    else expect(c.errorRate).toBeCloseTo(expected.errorRate, 12);
  });
});

describe('judgeStep', () => {
  it('judges the SLO percentile on the interpolated spectrum', async () => {
    const m = wide;
    const s = await modelRun(m)(stepPlan(basePlan, 420, 1000));
    const at999 = latencyAtPercentile(s, 99.9);
    expect(at999).toBeCloseTo(modelLatency(m, 420, 0.999), 6);
    const justAbove = judgeStep(420, s, { percentile: 99.9, latencyMs: at999 + 0.01 });
    const justBelow = judgeStep(420, s, { percentile: 99.9, latencyMs: at999 - 0.01 });
    expect([justAbove.held, justBelow.held]).toEqual([true, false]);
  });
});
