/**
 * Cross-check: ONE synthetic 30-day series of per-minute good/total counts is
 * fed (a) to Ballast's SloEngine as buckets and (b) to a REAL Prometheus as
 * counters (OpenMetrics → `promtool tsdb create-blocks-from openmetrics`).
 * Ballast's SLI and burn rates must equal what PromQL computes on the same
 * windows, and `evaluatePrometheusSlo` against that Prometheus must agree
 * with the engine.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/server/index.ts';
import { computeHistory, type HistoryPoint } from '../src/slo/history.ts';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  type SliBucket,
  type SloDefinition,
  type SloStatus,
} from '../src/slo/model.ts';
import { seededRandom } from '../src/slo/random.ts';
import { prometheusSlo } from '../src/slo/rules-fixtures.ts';
import { promDuration } from '../src/slo/rules-promql.ts';
import {
  evaluatePrometheusSlo,
  PrometheusClient,
  PrometheusError,
  prometheusHistory,
} from '../src/slo/sources/prometheus.ts';
import { windowLabel } from '../src/slo/windows.ts';

const run = promisify(execFile);

/*
 * Tolerance. Samples are written every 60 s exactly on the minute and every
 * query is evaluated on a minute boundary, so each window (t − w, t] starts
 * on a sample: PromQL's increase() then needs no extrapolation at the window
 * edges and counts exactly the buckets [t − w, t) the engine sums. What is
 * left is float rounding (the counters reach ~10^7, rates are divided and
 * re-multiplied by the window length), hence a relative 1e-9. Were samples
 * off the minute, increase() would extrapolate up to half a scrape interval at
 * each edge, and the tolerance would have to be about interval ÷ window.
 */
const REL_TOLERANCE = 1e-9;

function expectClose(
  actual: number | null | undefined,
  expected: number | null | undefined,
  what: string,
): void {
  expect(actual, what).not.toBeNull();
  expect(expected, what).not.toBeNull();
  const a = actual as number;
  const e = expected as number;
  expect(Math.abs(a - e), `${what}: ${a} vs ${e}`).toBeLessThanOrEqual(
    REL_TOLERANCE * Math.max(Math.abs(e), 1e-12),
  );
}

/** Error ratio of minute `i` of `n`: a low baseline, two outages, a slow burn, and an incident at the end. */
function errorRatioAt(i: number, n: number, noise: number): number {
  const fromEnd = n - i;
  if (i >= 5 * 1440 + 600 && i < 5 * 1440 + 620) return 1; // a 20-minute full outage on day 5
  if (i >= 20 * 1440 && i < 20 * 1440 + 45) return 0.3; // 45 minutes at 30 % on day 20
  if (fromEnd <= 50) return 0.08; // an incident in the last 50 minutes: the page windows see it
  if (fromEnd <= 3 * 1440) return 0.0015 + noise * 0.001; // a slow burn over the last 3 days
  return noise * 0.0004;
}

/** One synthetic series of `minutes` per-minute buckets ending at `end`. */
function syntheticBuckets(end: number, minutes: number): SliBucket[] {
  const random = seededRandom(20240601);
  const buckets: SliBucket[] = [];
  for (let i = 0; i < minutes; i++) {
    const minute = end - (minutes - i) * MINUTE_MS;
    const daily = Math.sin(((minute % DAY_MS) / DAY_MS) * 2 * Math.PI);
    const total = Math.round(600 + 300 * daily + 100 * random());
    const bad = Math.round(total * errorRatioAt(i, minutes, random()));
    buckets.push({ minute, good: total - bad, total });
  }
  return buckets;
}

/** The buckets as cumulative counters in OpenMetrics text, a sample at the end of each minute. */
function openMetrics(buckets: SliBucket[]): string {
  const first = buckets[0]!.minute / 1000;
  const family = (name: string, pick: (b: SliBucket) => number): string[] => {
    const lines = [
      `# HELP ${name} Synthetic SLI counter.`,
      `# TYPE ${name} counter`,
      `${name}_total 0 ${first}`,
    ];
    let sum = 0;
    for (const b of buckets) {
      sum += pick(b);
      lines.push(`${name}_total ${sum} ${(b.minute + MINUTE_MS) / 1000}`);
    }
    return lines;
  };
  return [
    ...family('ballast_good', (b) => b.good),
    ...family('ballast_requests', (b) => b.total),
    '# EOF',
    '',
  ].join('\n');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitReady(url: string, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('prometheus did not become ready');
}

/*
 * Where the windows meet. PromQL at time T counts the samples in (T − w, T];
 * the sample at m + 1m carries bucket m, so that is buckets [T − w, T). The
 * engine's minute windows end with the current minute, floor(now / 1m), so
 * it is evaluated at T − 1 ms to cover the same buckets. Its SLO window starts
 * on an hour boundary (see state.ts); with T on the hour that is exactly T − 30d.
 * The data ends at the last whole hour, so it sits in the recent past as
 * Prometheus expects.
 */
const NOW = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
const ENGINE_NOW = NOW - 1;
const PERIOD_MS = 30 * DAY_MS;
// An hour more than the period, so the 30-day window starts on a sample, not at the series' first one.
const buckets = syntheticBuckets(NOW, PERIOD_MS / MINUTE_MS + 60);
const slo: SloDefinition = prometheusSlo({
  name: 'crosscheck',
  // Two query styles on purpose: a rate() with a placeholder, and a bare counter selector.
  query: {
    type: 'ratio',
    good: 'sum(rate(ballast_good_total[{{.window}}]))',
    total: 'ballast_requests_total',
  },
});
/** History cross-check: the last 6 hours at 5-minute steps, ending at NOW. */
const HISTORY_STEP = 5 * MINUTE_MS;
const HISTORY_FROM = NOW - 6 * HOUR_MS;
const ALERT_WINDOWS = [5, 30, 60, 120, 360, 1440, 3 * 1440].map((m) => m * MINUTE_MS);

let dir = '';
let prom: ChildProcess | undefined;
let client: PrometheusClient;
let promUrl = '';
let engineStatus: SloStatus;

/** PromQL's error ratio over a window ending at NOW, straight from the counters. */
async function promqlCounts(windowMs: number): Promise<{ good: number; total: number }> {
  const w = promDuration(windowMs);
  const good = await client.sum(`sum(increase(ballast_good_total[${w}]))`, NOW);
  const total = await client.sum(`sum(increase(ballast_requests_total[${w}]))`, NOW);
  return { good: good ?? Number.NaN, total: total ?? Number.NaN };
}

/** Plain arithmetic over the buckets of [end − w, end): the reference both sides must meet. */
function bucketCounts(windowMs: number, end = NOW): { good: number; total: number } {
  let good = 0;
  let total = 0;
  for (const b of buckets) {
    if (b.minute >= end - windowMs && b.minute < end) {
      good += b.good;
      total += b.total;
    }
  }
  return { good, total };
}

const burn = (c: { good: number; total: number }) => (1 - c.good / c.total) / (1 - slo.objective);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ballast-crosscheck-'));
  const om = join(dir, 'series.om');
  const data = join(dir, 'data');
  await writeFile(om, openMetrics(buckets));
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, data], { maxBuffer: 64 << 20 });
  await writeFile(join(dir, 'prometheus.yml'), 'global:\n  evaluation_interval: 1m\n');
  const port = await freePort();
  prom = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${data}`,
      // The blocks hold 30 days; retention must cover them or Prometheus deletes them at start.
      '--storage.tsdb.retention.time=60d',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  promUrl = url;
  await waitReady(url, prom);
  client = new PrometheusClient({ url, timeoutMs: 20_000 });

  const { SloEngine } = await import('../src/slo/engine.ts');
  const engine = new SloEngine();
  // The engine holds data for Ballast-ingested SLOs only: the same SLO, fed by events.
  engine.setSlos([{ ...slo, indicator: { type: 'ratio', source: { kind: 'events' } } }]);
  expect(engine.addBuckets(slo.name, buckets)).toBe(0);
  const status = engine.status(slo.name, ENGINE_NOW);
  if (!status) throw new Error('the engine has no status for the SLO');
  engineStatus = status;
});

afterAll(async () => {
  if (prom?.pid !== undefined && prom.exitCode === null) {
    const exited = new Promise((r) => prom?.once('exit', r));
    process.kill(prom.pid, 'SIGTERM');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('one synthetic 30-day series in Ballast and in a real Prometheus', () => {
  it.each(ALERT_WINDOWS.map((ms) => [windowLabel(ms), ms] as const))(
    'PromQL counts the same events as the buckets over %s',
    async (_label, ms) => {
      const prom = await promqlCounts(ms);
      const ref = bucketCounts(ms);
      expectClose(prom.total, ref.total, 'total');
      expectClose(prom.good, ref.good, 'good');
    },
  );

  it('the engine SLI over the 30-day period equals PromQL increase(good[30d]) / increase(total[30d])', async () => {
    expect(engineStatus.window.start).toBe(NOW - PERIOD_MS);
    const c = await promqlCounts(PERIOD_MS);
    expectClose(engineStatus.sli, c.good / c.total, 'SLI');
    expectClose(engineStatus.events.total, c.total, 'events');
  });

  it.each(ALERT_WINDOWS.map((ms) => [windowLabel(ms), ms] as const))(
    'the engine burn rate over %s equals the PromQL burn rate',
    async (label, ms) => {
      expectClose(engineStatus.burnRates[label], burn(await promqlCounts(ms)), `burn ${label}`);
    },
  );

  it('the series is not trivial: it burns fast at the end and has spent part of its budget', () => {
    expect(engineStatus.burnRates['5m']).toBeGreaterThan(14.4);
    expect(engineStatus.budget.remainingRatio).toBeLessThan(1);
  });

  it('evaluatePrometheusSlo against that Prometheus agrees with the engine', async () => {
    const status = await evaluatePrometheusSlo(slo, client, NOW);
    expectClose(status.sli, engineStatus.sli, 'SLI');
    expectClose(status.budget.remainingRatio, engineStatus.budget.remainingRatio, 'budget remaining');
    for (const [label, rate] of Object.entries(engineStatus.burnRates)) {
      expectClose(status.burnRates[label], rate, `burn ${label}`);
    }
    expect(status.window.start).toBe(engineStatus.window.start);
    expect(status.alerts.map((a) => [a.severity, a.state])).toEqual(
      engineStatus.alerts.map((a) => [a.severity, a.state]),
    );
  });

  it('the client reports a PromQL syntax error as a PrometheusError naming bad_data', async () => {
    const err = await client.query('sum(rate(', NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    expect((err as PrometheusError).errorType).toBe('bad_data');
    expect((err as PrometheusError).statusCode).toBe(400);
  });

  it('the client reads matrix results from range queries', async () => {
    const r = await client.queryRange(
      'sum(increase(ballast_requests_total[1h]))',
      NOW - 3 * HOUR_MS,
      NOW,
      HOUR_MS,
    );
    expect(r.resultType).toBe('matrix');
    if (r.resultType !== 'matrix') return;
    const points = r.series[0]?.points ?? [];
    expect(points.map((p) => p.timestamp)).toEqual([
      NOW - 3 * HOUR_MS,
      NOW - 2 * HOUR_MS,
      NOW - HOUR_MS,
      NOW,
    ]);
    expectClose(points.at(-1)?.value, bucketCounts(HOUR_MS).total, 'last hour');
  });

  it('prometheusHistory over the last 6 hours holds, per 5-minute step, the events of the buckets fed to the engine', async () => {
    const history = await prometheusHistory(slo, client, HISTORY_FROM, NOW, HISTORY_STEP);
    expect(history).toHaveLength((NOW - HISTORY_FROM) / HISTORY_STEP);
    history.forEach((bucket, i) => {
      // Step i ends where Prometheus evaluated it and holds the engine's buckets [end − step, end).
      const end = HISTORY_FROM + (i + 1) * HISTORY_STEP;
      const ref = bucketCounts(HISTORY_STEP, end);
      expect(bucket.minute, `step ${i}`).toBeGreaterThanOrEqual(end - HISTORY_STEP);
      expect(bucket.minute, `step ${i}`).toBeLessThan(end);
      expectClose(bucket.total, ref.total, `total of step ${i}`);
      expectClose(bucket.good, ref.good, `good of step ${i}`);
    });
  });

  it('computeHistory on Prometheus steps at the times Prometheus evaluated equals computeHistory on the engine buckets 1 ms earlier', async () => {
    // As the server does: steps back to the SLO window before `from`, then the points.
    const steps = await prometheusHistory(slo, client, HISTORY_FROM - PERIOD_MS, NOW, HISTORY_STEP);
    const fromPrometheus = computeHistory(slo, steps, HISTORY_FROM, NOW, HISTORY_STEP);
    // The engine's minute windows end with the current minute, so its view of "T" is T − 1 ms (see NOW).
    const fromEngine = computeHistory(slo, buckets, HISTORY_FROM - 1, NOW - 1, HISTORY_STEP);
    expect(fromPrometheus).toHaveLength(fromEngine.length);
    expect(fromPrometheus.map((p) => p.t)).toEqual(fromEngine.map((p) => p.t + 1));
    fromPrometheus.forEach((p, i) => {
      expectSamePoint(p, fromEngine[i]!, `point ${i}`);
    });
    // The last point is the live status, as in the engine.
    const last = fromPrometheus.at(-1);
    expectClose(last?.sli, engineStatus.sli, 'last SLI');
    for (const [label, rate] of Object.entries(engineStatus.burnRates)) {
      expectClose(last?.burnRates[label], rate, `last burn ${label}`);
    }
  });

  it('GET /api/v1/slos/{name}/history of a Prometheus SLO equals computeHistory on the engine buckets', async () => {
    const specs = join(dir, 'specs');
    await mkdir(specs, { recursive: true });
    await writeFile(join(specs, 'crosscheck.yaml'), prometheusSpec(promUrl));
    const server = await startServer({
      port: 0,
      inMemory: true,
      specsDir: specs,
      adminToken: 'crosscheck-admin',
      publicRead: true,
      now: () => NOW,
      evaluateEveryMs: 3_600_000,
    });
    try {
      const def = server.runtime.definitions.find((d) => d.name === 'crosscheck-spec');
      if (!def) throw new Error('the spec SLO was not loaded');
      // 5m, and 1m: 30 days at 1m would be more points than Prometheus answers, so the
      // server fetches the part only the budget needs in hour steps.
      for (const step of [HISTORY_STEP, MINUTE_MS]) {
        const from = step === MINUTE_MS ? NOW - 2 * HOUR_MS : HISTORY_FROM;
        const res = await fetch(
          `${server.url}/api/v1/slos/crosscheck-spec/history?from=${from}&to=${NOW}&step=${step}`,
        );
        expect(res.status, await res.clone().text()).toBe(200);
        const points = (await res.json()) as HistoryPoint[];
        // At a 1m step each Prometheus increase is exactly one engine bucket, so the
        // same instants compare; at 5m the step's bucket sits on its last minute and
        // the engine is read 1 ms earlier (see the case above).
        const shift = step === MINUTE_MS ? 0 : 1;
        const fromEngine = computeHistory(def, buckets, from - shift, NOW - shift, step);
        expect(points.map((p) => p.t)).toEqual(fromEngine.map((p) => p.t + shift));
        points.forEach((p, i) => {
          expectSamePoint(p, fromEngine[i]!, `step ${step}, point ${i}`);
        });
      }
    } finally {
      await server.close();
    }
  });
});

/** The cross-check SLO as OpenSLO files, its DataSource pointing at the test's Prometheus. */
function prometheusSpec(url: string): string {
  return `apiVersion: openslo/v1
kind: Service
metadata:
  name: crosscheck
spec:
  description: Synthetic series
---
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prom
spec:
  type: Prometheus
  connectionDetails:
    url: ${url}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: crosscheck-spec
spec:
  service: crosscheck
  indicator:
    metadata:
      name: crosscheck-requests
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            metricSourceRef: prom
            spec:
              query: sum(rate(ballast_good_total[{{.window}}]))
        total:
          metricSource:
            metricSourceRef: prom
            spec:
              query: sum(rate(ballast_requests_total[{{.window}}]))
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
`;
}

function expectSamePoint(actual: HistoryPoint, expected: HistoryPoint, what: string): void {
  expectClose(actual.sli, expected.sli, `${what} SLI`);
  expectClose(actual.budgetRemaining, expected.budgetRemaining, `${what} budget remaining`);
  expect(Object.keys(actual.burnRates).sort(), what).toEqual(Object.keys(expected.burnRates).sort());
  for (const [label, rate] of Object.entries(expected.burnRates)) {
    expectClose(actual.burnRates[label], rate, `${what} burn ${label}`);
  }
}
