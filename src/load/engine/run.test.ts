import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { plannedIterations } from '../schedule.ts';
import type { ExecutorSpec, SecondSample } from '../types.ts';
import { runLoad } from './run.ts';
import { planFor, startTarget, type Target } from './test-target.ts';

const targets: Target[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((t) => t.close()));
});

async function target(b: Parameters<typeof startTarget>[0] = {}): Promise<Target> {
  const t = await startTarget(b);
  targets.push(t);
  return t;
}

/** A loopback port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const rate = (r: number, durationMs: number): ExecutorSpec => ({
  executor: 'constant-arrival-rate',
  rate: r,
  timeUnitMs: 1000,
  durationMs,
});

describe('runLoad: executors', () => {
  it.each([
    {
      name: 'a constant arrival rate on one worker starts every planned iteration',
      workers: 1,
      ex: rate(300, 2000),
    },
    { name: 'two workers share a constant rate exactly', workers: 2, ex: rate(300, 2000) },
    {
      name: 'a ramping arrival rate starts the integral of its rate',
      workers: 1,
      ex: {
        executor: 'ramping-arrival-rate',
        startRate: 0,
        timeUnitMs: 1000,
        stages: [
          { durationMs: 1000, target: 200 },
          { durationMs: 500, target: 200 },
        ],
      } as ExecutorSpec,
    },
  ])('$name', async ({ workers, ex }) => {
    const t = await target();
    const seconds: SecondSample[] = [];
    const s = await runLoad(planFor(t.url, ex, { workers }), { onSecond: (sample) => seconds.push(sample) });
    const planned = plannedIterations(ex);
    expect(s.requests).toEqual({ total: planned, ok: planned, failed: 0 });
    expect(t.received()).toBe(planned);
    expect(s.dropped).toBe(0);
    expect(s.valid, s.invalid_reasons.join('; ')).toBe(true);
    expect(s.rate.target).toBeCloseTo(
      (planned * 1000) / 2000 / (ex.executor === 'ramping-arrival-rate' ? 0.75 : 1),
      6,
    );
    // Achieved within a generous band of the target (the run's duration includes the last response).
    expect(s.rate.achieved).toBeGreaterThan(s.rate.target * 0.8);
    expect(s.rate.achieved).toBeLessThanOrEqual(s.rate.target * 1.05);
    // The per-second series adds up to the run, and onSecond saw every second.
    expect(s.series.reduce((n, x) => n + x.ok, 0)).toBe(planned);
    expect(seconds).toEqual(s.series);
    expect(s.perRequest['GET /']?.total).toBe(planned);
    expect(s.spectrum.at(-1)?.percentile).toBe(100);
  });

  it('closed-model VUs loop request after response for the duration', async () => {
    const t = await target({ delayMs: 10 });
    const s = await runLoad(planFor(t.url, { executor: 'constant-vus', vus: 4, durationMs: 1000 }));
    expect(t.received()).toBe(s.requests.total);
    expect(s.requests.failed).toBe(0);
    // Each VU waits ≥ 10 ms per response: at most 100 per VU and second, and they kept looping.
    expect(s.requests.total).toBeLessThanOrEqual(4 * 100 + 4);
    expect(s.requests.total).toBeGreaterThan(4 * 20);
    // Closed model: latency is service time.
    expect(s.latency_ms.p50).toBeGreaterThanOrEqual(10);
    expect(s.valid, s.invalid_reasons.join('; ')).toBe(true);
  });

  it('ramping VUs follow their stages', async () => {
    const t = await target({ delayMs: 5 });
    const s = await runLoad(
      planFor(t.url, {
        executor: 'ramping-vus',
        startVUs: 1,
        stages: [
          { durationMs: 500, target: 3 },
          { durationMs: 500, target: 0 },
        ],
      }),
    );
    expect(s.requests.total).toBe(t.received());
    expect(s.requests.total).toBeGreaterThan(10);
    expect(s.requests.failed).toBe(0);
  });

  it.each([
    {
      name: 'the iterations executor runs exactly N iterations over its VUs',
      vus: 3,
      iterations: 57,
      workers: 1,
    },
    { name: 'shared iterations split exactly over two workers', vus: 4, iterations: 41, workers: 2 },
  ])('$name', async ({ vus, iterations, workers }) => {
    const t = await target();
    const s = await runLoad(
      planFor(t.url, { executor: 'iterations', vus, iterations, maxDurationMs: 10_000 }, { workers }),
    );
    expect(s.requests.total).toBe(iterations);
    expect(t.received()).toBe(iterations);
    expect(s.durationMs).toBeLessThan(10_000);
  });
});

describe('runLoad: measuring', () => {
  it('measures the latency of a target that delays every response by 50 ms as at least 50 ms', async () => {
    const t = await target({ delayMs: 50 });
    const s = await runLoad(planFor(t.url, rate(50, 1000)));
    expect(s.requests.ok).toBe(50);
    expect(s.latency_ms.p50).toBeGreaterThanOrEqual(50);
    expect(s.service_time_ms.p50).toBeGreaterThanOrEqual(50);
    expect(s.latency_ms.max).toBeGreaterThanOrEqual(s.latency_ms.p99);
    expect(s.valid, s.invalid_reasons.join('; ')).toBe(true);
  });

  // The stall scenario, shortened: 500 req/s for 3 s; the target answers at once but holds
  // every answer between 1.0 s and 1.6 s until 1.6 s. The 300 requests due in the stall wait from their
  // intended time to its end: uniform from 0.6 s down to 0. Of 1500 requests, the slowest 10 % (150) are
  // above 0.6·(1 − 150/300) = 0.30 s and the slowest 1 % (15) above 0.6·(1 − 15/300) = 0.57 s.
  const stall = { atMs: 1000, durationMs: 600 };
  const analytic = { p90: 300, p99: 570 };

  it('reports the analytic p90 and p99 of a target that stalls once (coordinated omission corrected)', async () => {
    const t = await target({ stall });
    const s = await runLoad(
      planFor(t.url, rate(500, 3000), { http: { ...planFor('', rate(1, 1)).http, maxConnections: 1000 } }),
    );
    expect(s.requests.ok).toBe(1500);
    expect(s.latency_ms.p90).toBeGreaterThan(analytic.p90 * 0.75);
    expect(s.latency_ms.p90).toBeLessThan(analytic.p90 * 1.25);
    expect(s.latency_ms.p99).toBeGreaterThan(analytic.p99 * 0.75);
    expect(s.latency_ms.p99).toBeLessThan(analytic.p99 * 1.25);
    expect(s.valid, s.invalid_reasons.join('; ')).toBe(true);
  });

  it('keeps latency honest behind a small connection cap: service time is far lower, and the run says the cap was hit', async () => {
    const t = await target({ stall });
    const s = await runLoad(
      planFor(t.url, rate(500, 3000), { http: { ...planFor('', rate(1, 1)).http, maxConnections: 10 } }),
    );
    expect(s.requests.ok).toBe(1500);
    // Requests queued in the client still count from their intended time ...
    expect(s.latency_ms.p90).toBeGreaterThan(analytic.p90 * 0.75);
    expect(s.latency_ms.p99).toBeGreaterThan(analytic.p99 * 0.75);
    expect(s.latency_ms.p99).toBeLessThan(analytic.p99 * 1.25);
    // ... while the time on the wire (what closed-loop tools report) misses the stall.
    expect(s.service_time_ms.p90).toBeLessThan(s.latency_ms.p90 / 5);
    expect(s.valid).toBe(false);
    expect(s.invalid_reasons.join('\n')).toMatch(
      /connection cap hit: all 10 connections per worker \(http\.maxConnections/,
    );
  });

  it('marks an overloaded generator invalid, naming the connection cap', async () => {
    const t = await target({ delayMs: 4 });
    const http = { ...planFor('', rate(1, 1)).http, maxConnections: 1 };
    const s = await runLoad(planFor(t.url, rate(400, 1000), { http }));
    expect(s.requests.total).toBe(400);
    expect(s.valid).toBe(false);
    expect(
      s.invalid_reasons.some((r) => r.includes('connection cap hit') && r.includes('http.maxConnections')),
    ).toBe(true);
    // Waiting in the client's queue shows in latency, not in service time.
    expect(s.latency_ms.p99).toBeGreaterThan(s.service_time_ms.p99 * 5);
  });

  it('counts refused connections by kind when the target port is closed', async () => {
    const port = await closedPort();
    const s = await runLoad(planFor(`http://127.0.0.1:${port}/`, rate(50, 1000)));
    expect(s.requests).toEqual({ total: 50, ok: 0, failed: 50 });
    expect(s.errors).toEqual({ connect_refused: 50 });
    expect(s.perRequest['GET /']).toMatchObject({ total: 50, failed: 50 });
  });

  it('counts non-2xx answers as status errors', async () => {
    const t = await target();
    const plan = planFor(t.url, rate(20, 1000));
    plan.requests = plan.requests.map((r) => ({ ...r, checks: [{ kind: 'status', in: [201] }] }));
    const s = await runLoad(plan);
    expect(s.requests.failed).toBe(20);
    expect(s.errors).toEqual({ status: 20 });
  });
});

describe('runLoad: stopping', () => {
  it('returns an aborted summary at once when the signal was already aborted', async () => {
    const t = await target();
    const ac = new AbortController();
    ac.abort();
    const s = await runLoad(planFor(t.url, rate(100, 20_000)), { signal: ac.signal });
    expect(s.aborted).toBe(true);
    expect(s.abortReason).toBe('interrupted');
    expect(s.requests.total).toBe(t.received());
    expect(s.requests.total).toBeLessThan(100);
    expect(s.valid, s.invalid_reasons.join('; ')).toBe(true);
  });

  it('stops a running test on abort within about a second, summarising what ran', async () => {
    const t = await target();
    const ac = new AbortController();
    const s = await runLoad(planFor(t.url, rate(100, 20_000)), {
      signal: ac.signal,
      onSecond: (sample) => {
        if (sample.t === 0) ac.abort();
      },
    });
    expect(s.aborted).toBe(true);
    expect(s.abortReason).toBe('interrupted');
    // Aborted after the first second of a 20 s run: far fewer than the 2,000 planned requests.
    expect(s.requests.total).toBeGreaterThanOrEqual(100);
    expect(s.requests.total).toBeLessThan(400);
    expect(s.durationMs).toBeLessThan(5000);
    expect(s.series.length).toBeGreaterThanOrEqual(1);
  });

  it('aborts on a failing threshold with abortOnFail and says which', async () => {
    const t = await target({ delayMs: 20 });
    const s = await runLoad(
      planFor(t.url, rate(50, 20_000), {
        thresholds: [
          { kind: 'expr', expr: 'p(99) < 5ms', abortOnFail: true },
          { kind: 'expr', expr: 'rate(failed) < 1%', abortOnFail: false },
        ],
      }),
    );
    expect(s.aborted).toBe(true);
    expect(s.abortReason).toContain('p(99) < 5ms');
    expect(s.requests.total).toBeLessThan(500);
    expect(s.thresholds).toEqual([
      expect.objectContaining({ expr: 'p(99) < 5ms', ok: false, abortedRun: true }),
      expect.objectContaining({ expr: 'rate(failed) < 1%', ok: true }),
    ]);
  });

  it('ends a run against a target that never answers by itself, counting pending requests as timeouts', async () => {
    const t = await target({ delayMs: 60_000 });
    const http = { ...planFor('', rate(1, 1)).http, timeoutMs: 300 };
    const s = await runLoad(planFor(t.url, rate(20, 1000), { http }));
    expect(s.requests).toEqual({ total: 20, ok: 0, failed: 20 });
    expect(s.errors.timeout).toBe(20);
    expect(s.latency_ms.p50).toBeGreaterThanOrEqual(300);
  });
});

describe('runLoad: start-up', () => {
  it.each([
    {
      name: 'a one-worker plan (generator in this thread) that cannot start fails with its reason',
      workers: 1,
    },
    { name: 'a two-worker plan (worker threads) that cannot start fails with its reason', workers: 2 },
  ])('$name', async ({ workers }) => {
    const t = await target();
    const plan = planFor(t.url, rate(10, 1000), { workers, requests: [] });
    await expect(runLoad(plan)).rejects.toThrow('has no requests');
    expect(t.received()).toBe(0);
  });

  it('judges a windowed threshold over the last seconds of the run only', async () => {
    const t = await target();
    const plan = planFor(t.url, rate(50, 3000), {
      thresholds: [{ kind: 'expr', expr: 'rps > 40', abortOnFail: false, windowMs: 2000 }],
    });
    plan.requests = plan.requests.map((r) => ({ ...r, checks: [{ kind: 'status', in: [201] }] }));
    const s = await runLoad(plan);
    expect(s.requests.total).toBe(150);
    // The window is the last two released seconds of the series (the last one is the drain), not the run.
    const lastTwo = s.series.slice(-2).reduce((n, x) => n + x.achievedRate, 0);
    expect(s.series.length).toBeGreaterThanOrEqual(3);
    expect(s.thresholds).toEqual([
      expect.objectContaining({ expr: 'rps > 40', ok: lastTwo / 2 > 40, value: lastTwo / 2 }),
    ]);
  });
});
