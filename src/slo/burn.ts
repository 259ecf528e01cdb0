/**
 * Error-budget arithmetic on window sums. Numbers in, numbers out.
 *
 * Every long window is a ratio of sums (Σbad / Σtotal over the window), never
 * an average of per-minute ratios: a quiet minute with one failed request must
 * not weigh as much as a busy minute with thousands.
 */

/**
 * The error ratio `1 − good/total`, or null when the window holds no events.
 * `good` is clamped into `[0, total]` so rounding never yields a negative ratio.
 */
export function errorRatio(good: number, total: number): number | null {
  if (!(total > 0)) return null;
  const ok = Math.min(Math.max(good, 0), total);
  return (total - ok) / total;
}

/**
 * Burn rate: how many times faster than sustainable the budget is spent,
 * `errorRatio / (1 − objective)`. 1 spends exactly the budget over the window.
 */
export function burnRate(ratio: number | null, objective: number): number | null {
  if (ratio === null) return null;
  return ratio / (1 - objective);
}

/** Burn rate straight from window sums. */
export function burnRateOf(good: number, total: number, objective: number): number | null {
  return burnRate(errorRatio(good, total), objective);
}

/**
 * Share of the error budget left: 1 untouched, 0 spent, negative overspent;
 * null without data. Equals `1 − burn rate over the SLO window`.
 */
export function budgetRemaining(good: number, total: number, objective: number): number | null {
  const burn = burnRateOf(good, total, objective);
  return burn === null ? null : 1 - burn;
}

/**
 * The budget counted in units (events for Occurrences, slices for the
 * timeslice methods): `total × (1 − objective)` allowed bad units, minus the
 * bad units seen. Null without data.
 */
export function budgetUnits(
  good: number,
  total: number,
  objective: number,
): { totalEvents: number | null; remainingEvents: number | null } {
  if (!(total > 0)) return { totalEvents: null, remainingEvents: null };
  const allowed = total * (1 - objective);
  const bad = total - Math.min(Math.max(good, 0), total);
  return { totalEvents: allowed, remainingEvents: allowed - bad };
}

/**
 * Time until the budget is spent if the current burn continues: the remaining
 * share of the budget, at `burn` budgets per `periodMs`, lasts
 * `remaining × periodMs / burn`. 0 when the budget is already spent while
 * burning; null when not burning (burn ≤ 0) or without data.
 *
 * @example timeToExhaustionMs(0.5, 2, 30 * DAY_MS) // 7.5 days
 */
export function timeToExhaustionMs(
  remaining: number | null,
  burn: number | null,
  periodMs: number,
): number | null {
  if (remaining === null || burn === null || !(burn > 0)) return null;
  if (remaining <= 0) return 0;
  return (remaining * periodMs) / burn;
}
