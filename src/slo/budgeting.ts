/**
 * Budgeting methods, reduced to one shape: every method turns per-minute
 * buckets into *units* `{good, total}` whose window sums give the error ratio
 * as `1 − Σgood/Σtotal`.
 *
 * - Occurrences: a unit is an event; the minute bucket is the unit sum as is.
 * - Timeslices: time is cut into slices of `timesliceMs`, aligned to the Unix
 *   epoch (so 1m, 5m, 10m, 15m, 30m and 60m slices align to the hour). A slice
 *   with data is one unit, good when its ratio ≥ `timesliceTarget`. Slices
 *   without any event are excluded: no traffic is neither good nor bad, so the
 *   error ratio over a window is bad slices / slices with data.
 * - RatioTimeslices: a slice with data is one unit whose good part is its
 *   ratio, so a window's SLI is the mean of the per-slice ratios.
 *
 * A slice's unit is dated at the slice's first minute; the slice still in
 * progress counts with the data it has so far.
 */
import { MINUTE_MS, type SliBucket, type SloDefinition } from './model.ts';

/** Whether the method counts slices rather than events. */
export function isTimeslice(def: Pick<SloDefinition, 'budgetingMethod'>): boolean {
  return def.budgetingMethod !== 'Occurrences';
}

/** Slice length in whole minutes (≥ 1); 1 for Occurrences. */
export function sliceMinutes(def: Pick<SloDefinition, 'budgetingMethod' | 'timesliceMs'>): number {
  if (!isTimeslice(def)) return 1;
  return Math.max(1, Math.round((def.timesliceMs ?? MINUTE_MS) / MINUTE_MS));
}

/** The first minute index (minutes since the epoch) of the slice holding `minuteIndex`. */
export function sliceStartMinute(minuteIndex: number, sliceMin: number): number {
  return minuteIndex - (((minuteIndex % sliceMin) + sliceMin) % sliceMin);
}

/**
 * The unit one slice contributes, given the slice's summed good/total.
 * Writes `[good, total]` into `out` to stay allocation-free on the hot path.
 */
export function sliceUnit(
  def: Pick<SloDefinition, 'budgetingMethod' | 'timesliceTarget' | 'objective'>,
  good: number,
  total: number,
  out: [number, number],
): [number, number] {
  if (!(total > 0)) {
    out[0] = 0;
    out[1] = 0;
    return out;
  }
  const ratio = Math.min(Math.max(good, 0), total) / total;
  if (def.budgetingMethod === 'RatioTimeslices') {
    out[0] = ratio;
  } else {
    out[0] = ratio >= (def.timesliceTarget ?? def.objective) ? 1 : 0;
  }
  out[1] = 1;
  return out;
}

/** Sums buckets by minute (epoch ms aligned down to the minute), ascending. */
export function mergeBuckets(buckets: Iterable<SliBucket>): SliBucket[] {
  const byMinute = new Map<number, SliBucket>();
  for (const b of buckets) {
    const minute = Math.floor(b.minute / MINUTE_MS) * MINUTE_MS;
    const prev = byMinute.get(minute);
    if (prev) {
      prev.good += b.good;
      prev.total += b.total;
    } else {
      byMinute.set(minute, { minute, good: b.good, total: b.total });
    }
  }
  return [...byMinute.values()].sort((a, b) => a.minute - b.minute);
}

/**
 * Per-minute buckets → units dated at their minute (Occurrences) or at their
 * slice's first minute (timeslice methods), ascending.
 *
 * @example toUnits(fiveMinuteSlices, [{minute: 0, good: 9, total: 10}, {minute: 60_000, good: 10, total: 10}])
 *   // → [{ minute: 0, good: 0 or 1 (19/20 vs target), total: 1 }]
 */
export function toUnits(def: SloDefinition, buckets: Iterable<SliBucket>): SliBucket[] {
  const merged = mergeBuckets(buckets);
  if (!isTimeslice(def)) return merged;
  const sliceMin = sliceMinutes(def);
  const slices = new Map<number, { good: number; total: number }>();
  for (const b of merged) {
    const start = sliceStartMinute(b.minute / MINUTE_MS, sliceMin);
    const acc = slices.get(start) ?? { good: 0, total: 0 };
    acc.good += b.good;
    acc.total += b.total;
    slices.set(start, acc);
  }
  const out: SliBucket[] = [];
  const unit: [number, number] = [0, 0];
  for (const [start, s] of [...slices].sort((a, b) => a[0] - b[0])) {
    sliceUnit(def, s.good, s.total, unit);
    if (unit[1] > 0) out.push({ minute: start * MINUTE_MS, good: unit[0], total: unit[1] });
  }
  return out;
}
