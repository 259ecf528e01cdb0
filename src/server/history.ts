import { computeHistory, prometheusHistory } from '../slo/index.ts';
import type { SloDefinition } from '../slo/model.ts';
import { HOUR_MS, MINUTE_MS } from '../slo/model.ts';
import type { ServerContext } from './context.ts';
import { HttpError } from './errors.ts';
import { windowMaxMs } from './ingest-validate.ts';
import { clientFor } from './prometheus-slos.ts';
import type { HistoryPoint } from './schemas.ts';

/** More points than this in one history request is refused (the chart cannot show them anyway). */
export const MAX_HISTORY_POINTS = 5_000;

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: MINUTE_MS,
  h: HOUR_MS,
  d: 24 * HOUR_MS,
  w: 7 * 24 * HOUR_MS,
};

function bad(path: string, message: string): HttpError {
  return new HttpError(400, 'bad_request', `${path}: ${message}`, [{ path, message }]);
}

/** Parses `5m`, `1h`, `30s` or a plain number of ms. */
export function parseStep(raw: string): number | undefined {
  if (/^\d+$/.test(raw)) return Number(raw);
  const match = /^(\d+)([smhdw])$/.exec(raw);
  if (!match?.[1] || !match[2]) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2]] ?? 0);
}

function parseTime(raw: string | undefined, path: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const ms = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw bad(path, `"${raw}" is neither epoch ms nor an ISO time`);
  return ms;
}

/** Resolves and checks the `from`, `to` and `step` query parameters. */
export function historyRange(query: Record<string, string | undefined>, now: number) {
  for (const key of Object.keys(query)) {
    if (!['from', 'to', 'step', 'access_token'].includes(key))
      throw bad(key, `unknown query parameter "${key}"`);
  }
  const to = parseTime(query.to, 'to', now);
  const from = parseTime(query.from, 'from', to - 24 * HOUR_MS);
  const step = query.step === undefined ? 5 * MINUTE_MS : parseStep(query.step);
  if (step === undefined || step < MINUTE_MS)
    throw bad('step', 'step must be a duration of at least 1m, like 5m');
  if (from >= to) throw bad('from', 'from must be before to');
  const points = Math.floor((to - from) / step) + 1;
  if (points > MAX_HISTORY_POINTS) {
    throw bad('step', `${points} points requested; at most ${MAX_HISTORY_POINTS} (use a larger step)`);
  }
  return { from, to, step };
}

/** History of one SLO: from stored buckets, or from Prometheus range queries. */
export async function readHistory(
  ctx: ServerContext,
  def: SloDefinition,
  query: Record<string, string | undefined>,
): Promise<HistoryPoint[]> {
  const { from, to, step } = historyRange(query, ctx.now());
  const alertLookback = Math.max(0, ...def.alerting.windows.map((w) => w.longWindowMs));
  const lookback = Math.max(windowMaxMs(def.timeWindow), alertLookback);
  const buckets =
    def.indicator.source.kind === 'prometheus'
      ? await prometheusBuckets(ctx, def, { from, to, step, lookback, alertLookback })
      : await ctx.store.readBuckets(def.name, from - lookback, to + MINUTE_MS);
  return computeHistory(def, buckets, from, to, step);
}

/**
 * Buckets for a Prometheus SLO's history. Only the alert windows need the
 * chart's step; the rest of the SLO window (30 days back) only feeds the
 * budget, so it is fetched in hour steps. Fetching 30 days at a 1m step
 * would ask Prometheus for more points than it answers (11,000 a series).
 */
async function prometheusBuckets(
  ctx: ServerContext,
  def: SloDefinition,
  r: { from: number; to: number; step: number; lookback: number; alertLookback: number },
) {
  const client = await clientFor(ctx.store, def);
  const fineFrom = r.from - Math.ceil(r.alertLookback / r.step) * r.step;
  const coarseStep = Math.max(r.step, HOUR_MS);
  const coarseFrom = fineFrom - Math.ceil((fineFrom - (r.from - r.lookback)) / coarseStep) * coarseStep;
  const [coarse, fine] = await Promise.all([
    coarseFrom < fineFrom ? prometheusHistory(def, client, coarseFrom, fineFrom, coarseStep) : [],
    prometheusHistory(def, client, fineFrom, r.to, r.step),
  ]);
  return [...coarse, ...fine];
}
