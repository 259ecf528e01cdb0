/**
 * Budget history for charts: SLI, budget remaining and alert-window burn
 * rates at regular points, from stored buckets. Pure.
 *
 * The windows mean exactly what they mean in the live engine (alert windows
 * exact to the minute, the SLO window's old edge aligned down to the hour),
 * so the last point of a history equals the live status. One difference: a
 * timeslice is judged on all of its data, including minutes after the point.
 */
import { toUnits } from './budgeting.ts';
import { budgetRemaining, burnRateOf, errorRatio } from './burn.ts';
import { HOUR_MS, MINUTE_MS, type SliBucket, type SloDefinition } from './model.ts';
import { alertWindowsMs } from './status.ts';
import { calendarInterval, windowLabel } from './windows.ts';

/** One point of a budget history. */
export interface HistoryPoint {
  t: number;
  sli: number | null;
  budgetRemaining: number | null;
  burnRates: Record<string, number | null>;
}

/** Prefix sums of units over a dense minute range, for O(1) window sums. */
class MinutePrefix {
  readonly lo: number;
  private readonly good: Float64Array;
  private readonly total: Float64Array;

  constructor(units: SliBucket[], lo: number, hi: number) {
    this.lo = lo;
    const n = Math.max(0, hi - lo + 1);
    this.good = new Float64Array(n + 1);
    this.total = new Float64Array(n + 1);
    const g = new Float64Array(n);
    const t = new Float64Array(n);
    for (const u of units) {
      const i = Math.floor(u.minute / MINUTE_MS) - lo;
      if (i < 0 || i >= n) continue;
      g[i] = g[i]! + u.good;
      t[i] = t[i]! + u.total;
    }
    for (let i = 0; i < n; i++) {
      this.good[i + 1] = this.good[i]! + g[i]!;
      this.total[i + 1] = this.total[i]! + t[i]!;
    }
  }

  /** Sums over minutes `[from, to]` (indices since the epoch), clipped to the range. */
  sum(from: number, to: number): { good: number; total: number } {
    const n = this.good.length - 1;
    const a = Math.min(Math.max(from - this.lo, 0), n);
    const b = Math.min(Math.max(to - this.lo + 1, 0), n);
    if (b <= a) return { good: 0, total: 0 };
    return { good: this.good[b]! - this.good[a]!, total: this.total[b]! - this.total[a]! };
  }
}

/** First minute of the SLO window at minute `c`, aligned down to the hour as in the engine. */
export function periodStartMinute(def: SloDefinition, c: number): number {
  const tw = def.timeWindow;
  const startMs =
    tw.kind === 'rolling' ? (c + 1) * MINUTE_MS - tw.durationMs : calendarInterval(tw, c * MINUTE_MS).start;
  return Math.floor(startMs / HOUR_MS) * 60;
}

/**
 * The SLI, budget remaining and burn rates at `from`, `from + stepMs`, … `to`.
 *
 * @example computeHistory(slo, buckets, now - 7 * DAY_MS, now, HOUR_MS) // 169 hourly points
 */
export function computeHistory(
  def: SloDefinition,
  buckets: SliBucket[],
  from: number,
  to: number,
  stepMs: number,
): HistoryPoint[] {
  if (!(stepMs > 0) || to < from) return [];
  const windows = alertWindowsMs(def);
  const first = Math.floor(from / MINUTE_MS);
  const last = Math.floor(to / MINUTE_MS);
  const longest = Math.max(1, ...windows.map((ms) => Math.ceil(ms / MINUTE_MS)));
  const lo = Math.min(periodStartMinute(def, first), first - longest + 1);
  const prefix = new MinutePrefix(toUnits(def, buckets), lo, last);
  const points: HistoryPoint[] = [];
  for (let t = from; t <= to; t += stepMs) {
    const c = Math.floor(t / MINUTE_MS);
    const period = prefix.sum(periodStartMinute(def, c), c);
    const ratio = errorRatio(period.good, period.total);
    const burnRates: Record<string, number | null> = {};
    for (const ms of windows) {
      const w = prefix.sum(c - Math.ceil(ms / MINUTE_MS) + 1, c);
      burnRates[windowLabel(ms)] = burnRateOf(w.good, w.total, def.objective);
    }
    points.push({
      t,
      sli: ratio === null ? null : 1 - ratio,
      budgetRemaining: budgetRemaining(period.good, period.total, def.objective),
      burnRates,
    });
  }
  return points;
}
