import { DAY_MS, MINUTE_MS } from '../slo/model.ts';

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
  const rand = mulberry32(seed);
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

/** A small seeded PRNG so backfills are reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
