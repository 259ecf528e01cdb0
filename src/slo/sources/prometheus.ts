/**
 * The Prometheus SLI source: asks PromQL for good and total counts per window
 * and hands them to the engine's pure `buildStatus`, so a Prometheus-backed
 * SLO reads exactly like one fed by Ballast's own ingestion.
 */
import type { WindowSums } from '../alerts.ts';
import { type AlertStatus, MINUTE_MS, type SliBucket, type SloDefinition, type SloStatus } from '../model.ts';
import { eventsQuery, promDuration, substituteWindow } from '../rules-promql.ts';
import { alertWindowsMs, buildStatus } from '../status.ts';
import { windowInterval } from '../windows.ts';
import type { PrometheusClient, PromResult } from './prometheus-client.ts';

export * from './prometheus-client.ts';

/** PromQL for the good and total units of one window ending at the evaluation time. */
export interface CountQueries {
  good: string;
  total: string;
}

const OPS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/**
 * The count queries for an SLO over a window.
 * - ratio: events from the counters (`good`, or `total − bad`).
 * - raw ratios: no counts exist, so each minute is one unit: total = minutes
 *   sampled, good = the sum of per-minute success ratios.
 * - threshold: each minute's sample is one unit, good when it meets the threshold
 *   (as Ballast's own ingestion turns samples into per-minute good/total).
 */
export function countQueries(def: SloDefinition, windowMs: number): CountQueries {
  const source = def.indicator.source;
  if (source.kind !== 'prometheus') throw new Error(`SLO ${def.name} is not Prometheus-backed`);
  const q = source.query;
  const w = promDuration(windowMs);
  const perMinute = (expr: string) => `(${expr})[${w}:1m]`;
  switch (q.type) {
    case 'ratio': {
      const total = eventsQuery(q.total, windowMs);
      const good =
        q.good !== undefined
          ? eventsQuery(q.good, windowMs)
          : `(${total}) - (${eventsQuery(q.bad ?? '', windowMs)})`;
      return { good, total };
    }
    case 'rawSuccessRatio':
    case 'rawErrorRatio': {
      // A 1m window keeps a windowed raw query (rate over [{{.window}}]) per minute.
      const raw = substituteWindow(q.type === 'rawSuccessRatio' ? q.successRatio : q.errorRatio, 60_000);
      const success = q.type === 'rawSuccessRatio' ? `(${raw})` : `(1 - (${raw}))`;
      return {
        good: `sum(sum_over_time(${perMinute(success)}))`,
        total: `sum(count_over_time(${perMinute(raw)}))`,
      };
    }
    case 'threshold': {
      const t = def.indicator.threshold;
      if (!t) throw new Error(`SLO ${def.name}: a threshold SLI needs a threshold`);
      const good = `(${q.metric}) ${OPS[t.op]} bool ${t.value}`;
      return {
        good: `sum(sum_over_time(${perMinute(good)}))`,
        total: `sum(count_over_time(${perMinute(q.metric)}))`,
      };
    }
  }
}

/** Good and total units over one window ending at `time`; an empty answer counts as no data. */
async function windowSums(
  def: SloDefinition,
  client: PrometheusClient,
  windowMs: number,
  time: number,
): Promise<{ good: number; total: number }> {
  const q = countQueries(def, windowMs);
  const [good, total] = await Promise.all([client.sum(q.good, time), client.sum(q.total, time)]);
  // increase() extrapolation can put good a hair above total; clamp so ratios stay in [0, 1].
  const t = Math.max(total ?? 0, 0);
  return { good: Math.min(Math.max(good ?? 0, 0), t), total: t };
}

/**
 * Evaluates a Prometheus-backed SLO at `now`: one pair of queries per alert
 * window (and the no-data window), one for the SLO window, then `buildStatus`.
 * @example
 * const status = await evaluatePrometheusSlo(def, new PrometheusClient({ url }), Date.now());
 */
export async function evaluatePrometheusSlo(
  def: SloDefinition,
  client: PrometheusClient,
  now: number,
  previousAlerts?: AlertStatus[],
): Promise<SloStatus> {
  const windowsMs = [...new Set([...alertWindowsMs(def), def.alerting.noDataAfterMs])].filter((ms) => ms > 0);
  const period = windowInterval(def.timeWindow, now);
  const [periodSums, ...sums] = await Promise.all([
    windowSums(def, client, Math.max(now - period.start, 60_000), now),
    ...windowsMs.map((ms) => windowSums(def, client, ms, now)),
  ]);
  const windows: WindowSums[] = windowsMs.map((windowMs, i) => ({ windowMs, ...sums[i]! }));
  return buildStatus(def, now, windows, { start: period.start, end: now, ...periodSums! }, previousAlerts);
}

/**
 * SLI history from Prometheus as buckets in the store's shape, one per
 * `stepMs`: range queries evaluated at each step's end `e` give the units of
 * `(e − step, e]`, and the bucket sits on the last minute of that span, the
 * minute holding `e − 1 ms`. Why the last minute: `computeHistory` counts a
 * bucket in every window that holds its minute, and a window ending at `e`
 * must hold the step ending at `e` but not the one ending at `e + step` (on
 * the first minute it would show every point one step early, future data
 * included, and leave the newest point without its short windows).
 */
/** Points per range query; Prometheus refuses more than 11,000 per series. */
const MAX_POINTS_PER_QUERY = 10_000;

function collectPoints(r: PromResult, into: Map<number, number>): void {
  if (r.resultType !== 'matrix') return;
  for (const s of r.series)
    for (const p of s.points) if (Number.isFinite(p.value)) into.set(p.timestamp, p.value);
}

export async function prometheusHistory(
  def: SloDefinition,
  client: PrometheusClient,
  from: number,
  to: number,
  stepMs: number,
): Promise<SliBucket[]> {
  const q = countQueries(def, stepMs);
  // Prometheus answers at most 11,000 points per series: long ranges go in chunks.
  const chunkMs = MAX_POINTS_PER_QUERY * stepMs;
  const goodAt = new Map<number, number>();
  const totalAt = new Map<number, number>();
  for (let start = from; start < to; start += chunkMs) {
    const end = Math.min(to, start + chunkMs);
    const [good, total] = await Promise.all([
      client.queryRange(`sum(${q.good})`, start + stepMs, end, stepMs),
      client.queryRange(`sum(${q.total})`, start + stepMs, end, stepMs),
    ]);
    collectPoints(good, goodAt);
    collectPoints(total, totalAt);
  }
  const buckets: SliBucket[] = [];
  for (const [end, t] of [...totalAt].sort((a, b) => a[0] - b[0])) {
    const tot = Math.max(t, 0);
    buckets.push({
      minute: Math.floor((end - 1) / MINUTE_MS) * MINUTE_MS,
      total: tot,
      good: Math.min(Math.max(goodAt.get(end) ?? 0, 0), tot),
    });
  }
  return buckets;
}
