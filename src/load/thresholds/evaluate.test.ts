import { describe, expect, it } from 'vitest';
import type { SloDefinition } from '../../slo/index.ts';
import type { ThresholdSpec } from '../types.ts';
import { evaluateThresholds, type MetricsView } from './evaluate.ts';

interface Sample {
  latency: number;
  service: number;
  ok: boolean;
}

/** A real MetricsView over plain arrays (nearest-rank percentiles), as the evaluator's input. */
function arrayView(samples: Sample[], durationMs: number): MetricsView {
  const pct = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  };
  const lat = samples.map((s) => s.latency);
  const failed = samples.filter((s) => !s.ok).length;
  return {
    durationMs,
    total: samples.length,
    ok: samples.length - failed,
    failed,
    errors: failed ? { status: failed } : {},
    rps: samples.length / (durationMs / 1000),
    latencyPercentile: (p) => pct(lat, p),
    serviceTimePercentile: (p) =>
      pct(
        samples.map((s) => s.service),
        p,
      ),
    latencyMean: () => lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length),
    latencyMax: () => Math.max(0, ...lat),
    countLatencyAbove: (ms) => lat.filter((x) => x > ms).length,
  };
}

/** 100 requests over 10 s: latencies 1..100 ms, service time half of it, the last `failures` failed. */
function run(failures: number): Sample[] {
  return Array.from({ length: 100 }, (_, i) => ({
    latency: i + 1,
    service: (i + 1) / 2,
    ok: i < 100 - failures,
  }));
}

const expr = (e: string, extra: Partial<Extract<ThresholdSpec, { kind: 'expr' }>> = {}): ThresholdSpec => ({
  kind: 'expr',
  expr: e,
  abortOnFail: false,
  ...extra,
});

const latencySlo: SloDefinition = {
  name: 'checkout-latency',
  service: 'checkout',
  objective: 0.9,
  timeWindow: { kind: 'rolling', durationMs: 86_400_000 },
  budgetingMethod: 'Occurrences',
  indicator: { type: 'threshold', source: { kind: 'events' }, threshold: { op: 'lt', value: 95 } },
  alerting: { windows: [], minEvents: 1, noDataAfterMs: 1, severityLabel: 'severity' },
  labels: {},
};
const slos = new Map([[latencySlo.name, latencySlo]]);

describe('evaluateThresholds', () => {
  it.each([
    ['p99 under a bound above it passes', 'p(99) < 100ms', 0, true, 99],
    ['p99 under a bound below it fails', 'p(99) < 50ms', 0, false, 99],
    ['the mean latency is compared', 'avg <= 50.5', 0, true, 50.5],
    ['the max latency is compared', 'max < 100', 0, false, 100],
    ['service time percentiles use service time', 'service_p(50) < 26ms', 0, true, 25],
    ['a failure rate above its bound fails', 'rate(failed) < 1%', 2, false, 0.02],
    ['a success rate is ok over failed', 'rate(ok) >= 98%', 2, true, 0.98],
    ['rps is requests over seconds', 'rps > 9', 0, true, 10],
    ['counts count failed requests', 'count(failed) < 3', 2, true, 2],
  ])('%s', (_name, e, failures, ok, value) => {
    const [r] = evaluateThresholds([expr(e)], () => arrayView(run(failures), 10_000), slos);
    expect(r).toEqual({ expr: e, ok, value, abort: false });
  });

  it('a failing threshold with abortOnFail aborts once its delay has passed, not before', () => {
    const spec = expr('rate(failed) < 1%', { abortOnFail: true, delayAbortEvalMs: 5_000 });
    const early = evaluateThresholds([spec], () => arrayView(run(5), 4_000), slos);
    const late = evaluateThresholds([spec], () => arrayView(run(5), 6_000), slos);
    expect(early[0]).toMatchObject({ ok: false, abort: false });
    expect(late[0]).toMatchObject({ ok: false, abort: true });
  });

  it('a windowed threshold is judged on the window view, the delay on the whole run', () => {
    const windows: (number | undefined)[] = [];
    const spec = expr('rate(failed) < 1%', { abortOnFail: true, windowMs: 10_000 });
    const [r] = evaluateThresholds(
      [spec],
      (w) => {
        windows.push(w);
        return w === undefined ? arrayView(run(0), 60_000) : arrayView(run(10), w);
      },
      slos,
    );
    expect(windows).toEqual([undefined, 10_000]);
    expect(r).toMatchObject({ ok: false, value: 0.1, abort: true });
  });

  it('latency and rate thresholds pass without data, counts are judged on zero', () => {
    const rs = evaluateThresholds(
      [expr('p(99) < 1ms'), expr('rate(ok) > 99%'), expr('count(ok) > 0')],
      () => arrayView([], 1_000),
      slos,
    );
    expect(rs.map((r) => r.ok)).toEqual([true, true, false]);
    expect(rs[0]?.value).toBeUndefined();
  });

  it.each([
    // bad = failed + latencies above 95 ms (96..100: 5); the budget is 1 − 0.9 = 10%.
    ['an SLO burned exactly at the budget rate passes a max burn of 1', 5, 1, true, 1],
    ['an SLO burned twice as fast fails a max burn of 1.5', 15, 1.5, false, 2],
  ])('%s', (_name, failures, maxBurnRate, ok, burn) => {
    const spec: ThresholdSpec = { kind: 'slo', slo: 'checkout-latency', maxBurnRate, abortOnFail: false };
    const [r] = evaluateThresholds([spec], () => arrayView(run(failures), 10_000), slos);
    expect(r?.ok).toBe(ok);
    expect(r?.value).toBeCloseTo(burn, 9);
    expect(r?.expr).toBe(`slo(checkout-latency) burn <= ${maxBurnRate}`);
  });

  it('an SLO that is not loaded fails rather than passing silently', () => {
    const spec: ThresholdSpec = { kind: 'slo', slo: 'missing', maxBurnRate: 1, abortOnFail: false };
    const [r] = evaluateThresholds([spec], () => arrayView(run(0), 10_000), slos);
    expect(r?.ok).toBe(false);
  });
});
