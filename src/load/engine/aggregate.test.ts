import { describe, expect, it } from 'vitest';
import { createHistogram, encodeHistogram, recordMs } from '../histogram.ts';
import type { ExecutorSpec } from '../types.ts';
import { Aggregator, TallyPool } from './aggregate.ts';
import type { Snapshot } from './protocol.ts';

const executor: ExecutorSpec = {
  executor: 'constant-arrival-rate',
  rate: 10,
  timeUnitMs: 1000,
  durationMs: 3_600_000,
};

/** One worker's snapshot of `second`: `n` requests with latencies 1..n ms (the last one failed). */
function snapshot(second: number, n: number): Snapshot {
  const latency = createHistogram();
  for (let i = 1; i <= n; i++) recordMs(latency, i);
  const encoded = encodeHistogram(latency);
  return {
    second,
    started: n,
    ok: n - 1,
    failed: 1,
    errors: { status: 1 },
    dropped: 0,
    latency: encoded,
    service: encoded,
    lag: encodeHistogram(createHistogram()),
    maxLagMs: 0,
    inFlight: 0,
    eventLoopDelayP99Ms: second % 7,
    elu: 0.1,
    capHit: false,
    maxQueued: 0,
  };
}

describe('Aggregator memory', () => {
  it.each([
    { name: 'without windowed thresholds no per-second histograms are kept', ring: 0, workers: 1 },
    { name: 'a 10-second threshold window keeps only the last 10 seconds', ring: 10, workers: 1 },
    { name: 'two workers with a 5-second window stay bounded too', ring: 5, workers: 2 },
  ])('$name', ({ ring, workers }) => {
    const agg = new Aggregator(executor, workers, ring);
    const seconds = 300;
    let peak = 0;
    for (let sec = 0; sec < seconds; sec++) {
      for (let w = 0; w < workers; w++) agg.add(snapshot(sec, 10));
      // Threshold evaluation builds window views each second; they are pooled too.
      if (ring > 0) agg.windowView(ring * 1000);
      peak = Math.max(peak, agg.retainedHistograms);
    }
    // Whole run + ring + one pending + one window view + at most 4 pooled spares, 3 histograms each.
    const bound = 3 * (1 + ring + 1 + 1 + 4);
    expect(peak).toBeLessThanOrEqual(bound);
    expect(agg.talliesCreated).toBeLessThanOrEqual(ring + 3);
    // The scalars the run needs afterwards are all still there.
    expect(agg.series).toHaveLength(seconds);
    expect(agg.seconds).toHaveLength(seconds);
    expect(agg.seconds[13]?.eventLoopDelayP99Ms).toBe(13 % 7);
    expect(agg.whole.ok + agg.whole.failed).toBe(seconds * workers * 10);
    expect(agg.whole.errors.status).toBe(seconds * workers);
  });
});

describe('Aggregator windows', () => {
  it('a window view counts exactly the requests of its last seconds, after seconds left the ring and tallies were reused', () => {
    const agg = new Aggregator(executor, 1, 3);
    for (let sec = 0; sec < 20; sec++) agg.add(snapshot(sec, sec + 1));
    // Seconds 17, 18, 19 had 18, 19 and 20 requests.
    const v = agg.windowView(3000);
    expect(v.total).toBe(18 + 19 + 20);
    expect(v.failed).toBe(3);
    expect(v.errors).toEqual({ status: 3 });
    // Above 17.5 ms: 18 | 18, 19 | 18, 19, 20.
    expect(v.countLatencyAbove(17.5)).toBe(1 + 2 + 3);
    expect(v.durationMs).toBe(3000);
    expect(v.latencyMax()).toBeCloseTo(20, 1);
    // A shorter window in the same second is its own view.
    expect(agg.windowView(1000).total).toBe(20);
    // A window longer than the ring is cut to the ring.
    expect(agg.windowView(60_000).total).toBe(18 + 19 + 20);
  });

  it('a released second carries its live percentiles and sample without its histograms', () => {
    const agg = new Aggregator(executor, 1, 0);
    const [m] = agg.add(snapshot(0, 100));
    expect(m?.sample.ok).toBe(99);
    expect(m?.p50Ms).toBeCloseTo(50, 0);
    expect(m?.p99Ms).toBeCloseTo(99, 0);
    expect(m && 'tally' in m).toBe(false);
  });
});

describe('TallyPool', () => {
  it('hands back reset tallies instead of new ones', () => {
    const pool = new TallyPool(2);
    const a = pool.take();
    recordMs(a.latency, 5);
    a.ok = 3;
    a.errors.timeout = 1;
    pool.give(a);
    const b = pool.take();
    expect(b).toBe(a);
    expect(b.latency.totalCount).toBe(0);
    expect(b.ok).toBe(0);
    expect(b.errors).toEqual({});
    expect(pool.created).toBe(1);
  });

  it('keeps no more spares than its limit', () => {
    const pool = new TallyPool(2);
    const all = [pool.take(), pool.take(), pool.take()];
    for (const t of all) pool.give(t);
    expect(pool.free).toBe(2);
  });
});
