/**
 * Raw SLI events → per-minute buckets: what the ingestion route stores and
 * feeds to the engine. Pure; the caller has validated the inputs.
 */
import { mergeBuckets } from './budgeting.ts';
import { MINUTE_MS, type SliBucket, type SloDefinition, type ThresholdOperator } from './model.ts';

/** An ingested event: counts, one request's outcome, or a threshold SLI's sample. */
export type SliInputEvent =
  | { timestamp: number; good: number; total: number }
  | { timestamp: number; success: boolean }
  | { timestamp: number; value: number };

/** Whether a threshold SLI's sample is good. */
export function meetsThreshold(value: number, op: ThresholdOperator, threshold: number): boolean {
  switch (op) {
    case 'lt':
      return value < threshold;
    case 'lte':
      return value <= threshold;
    case 'gt':
      return value > threshold;
    case 'gte':
      return value >= threshold;
  }
}

/**
 * Turns events into per-minute buckets (summed per minute, ascending) and
 * keeps the raw samples of value events.
 *
 * - `{good, total}` adds the counts as given;
 * - `{success}` is one event, good when true;
 * - `{value}` is one event of a threshold SLI, good when `value <op> threshold`.
 *   On an SLI without a threshold it cannot be judged and only joins `samples`.
 *
 * @example eventsToBuckets(latencySlo, [{ timestamp: 1_000, value: 120 }, { timestamp: 2_000, value: 900 }])
 *   // with `lt 500` → buckets [{ minute: 0, good: 1, total: 2 }], samples = both values
 */
export function eventsToBuckets(
  def: SloDefinition,
  events: SliInputEvent[],
): { buckets: SliBucket[]; samples: { timestamp: number; value: number }[] } {
  const raw: SliBucket[] = [];
  const samples: { timestamp: number; value: number }[] = [];
  const threshold = def.indicator.threshold;
  for (const e of events) {
    const minute = Math.floor(e.timestamp / MINUTE_MS) * MINUTE_MS;
    if ('total' in e) {
      raw.push({ minute, good: e.good, total: e.total });
    } else if ('success' in e) {
      raw.push({ minute, good: e.success ? 1 : 0, total: 1 });
    } else {
      samples.push({ timestamp: e.timestamp, value: e.value });
      if (threshold) {
        raw.push({ minute, good: meetsThreshold(e.value, threshold.op, threshold.value) ? 1 : 0, total: 1 });
      }
    }
  }
  return { buckets: mergeBuckets(raw), samples };
}
