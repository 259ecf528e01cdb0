import { DAY_MS, MINUTE_MS, seededRandom } from '../slo/index.ts';

/** One minute of synthetic history. */
export interface BackfillMinute {
  timestamp: number;
  good: number;
  total: number;
}

/**
 * Synthetic per-minute history for a demo SLO: traffic with a daily cycle,
 * a small background error rate and two incidents (one sharp, one slow), so
 * the budget chart has shape. Pure: same inputs, same output.
 *
 * @param errorBudget 1 − objective; error rates are scaled to it so any
 *   objective gets a believable burn.
 */
export function backfillMinutes(now: number, days: number, errorBudget: number, seed = 1): BackfillMinute[] {
  const end = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const start = end - days * DAY_MS;
  const rand = seededRandom(seed);
  const out: BackfillMinute[] = [];
  const sharp = end - Math.round(days * 0.6 * DAY_MS);
  const slow = end - Math.round(days * 0.25 * DAY_MS);
  for (let t = start; t < end; t += MINUTE_MS) {
    const phase = ((t % DAY_MS) / DAY_MS) * 2 * Math.PI;
    const total = Math.max(1, Math.round(120 + 80 * Math.sin(phase) + rand() * 20));
    let errorRatio = errorBudget * 0.3 * rand();
    if (t >= sharp && t < sharp + 20 * MINUTE_MS) errorRatio = Math.min(1, errorBudget * 40);
    if (t >= slow && t < slow + 6 * 60 * MINUTE_MS) errorRatio = Math.min(1, errorBudget * 4);
    const expected = total * errorRatio;
    // Whole errors plus one more with the fractional part's probability, so small rates still show.
    const bad = Math.min(total, Math.floor(expected) + (rand() < expected - Math.floor(expected) ? 1 : 0));
    out.push({ timestamp: t, good: total - bad, total });
  }
  return out;
}
