/**
 * Window sums → `SloStatus`. Both the incremental engine and the Prometheus
 * source (which gets its sums from PromQL) go through `buildStatus`, so an
 * SLO reads the same whichever way its numbers arrive.
 */
import { evaluateSeverities, nextAlertStatuses, type WindowSums } from './alerts.ts';
import { budgetRemaining, budgetUnits, burnRateOf, errorRatio, timeToExhaustionMs } from './burn.ts';
import type { AlertStatus, SloDefinition, SloStatus } from './model.ts';
import { nominalPeriodMs, windowLabel } from './windows.ts';

// Definitions are immutable values: the windows and labels are computed once per policy.
const windowCache = new WeakMap<SloDefinition['alerting'], { ms: number[]; labels: string[] }>();

function alertWindows(def: Pick<SloDefinition, 'alerting'>): { ms: number[]; labels: string[] } {
  let cached = windowCache.get(def.alerting);
  if (!cached) {
    const set = new Set<number>();
    for (const p of def.alerting.windows) {
      set.add(p.longWindowMs);
      set.add(p.shortWindowMs);
    }
    const ms = [...set].sort((a, b) => a - b);
    cached = { ms, labels: ms.map(windowLabel) };
    windowCache.set(def.alerting, cached);
  }
  return cached;
}

/** Distinct windows (ms) used by the alert pairs, ascending. */
export function alertWindowsMs(def: Pick<SloDefinition, 'alerting'>): number[] {
  return [...alertWindows(def).ms];
}

/**
 * The window whose burn drives `exhaustionInMs`: the long window of the
 * fastest `page` pair (the highest factor; 1h with the Workbook defaults), or
 * of the fastest pair of any severity when none is called `page`. This is the
 * "current" burn: long enough not to flap on one bad minute, short enough to
 * follow an incident. Null when the SLO has no alert pairs.
 */
export function exhaustionWindowMs(def: Pick<SloDefinition, 'alerting'>): number | null {
  const pairs = def.alerting.windows;
  const pages = pairs.filter((p) => p.severity === 'page');
  const pool = pages.length > 0 ? pages : pairs;
  let fastest = pool[0];
  for (const p of pool) if (fastest && p.burnRate > fastest.burnRate) fastest = p;
  return fastest ? fastest.longWindowMs : null;
}

/** Burn rate per alert-window label; null where a window has no data (or was not given). */
export function burnRatesByLabel(
  def: Pick<SloDefinition, 'alerting' | 'objective'>,
  sums: ReadonlyMap<number, WindowSums>,
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const { ms, labels } = alertWindows(def);
  for (let i = 0; i < ms.length; i++) {
    const s = sums.get(ms[i]!);
    out[labels[i]!] = s ? burnRateOf(s.good, s.total, def.objective) : null;
  }
  return out;
}

/**
 * Builds an SLO's status from window sums.
 *
 * @param windows sums over windows ending at `now`: every alert window, plus
 *   `alerting.noDataAfterMs` for the no-data check (else the shortest window counts).
 * @param periodWindow the SLO window (`[start, end)`) and its sums: SLI and budget.
 * @param previousAlerts the statuses of the last evaluation, to keep `since`.
 */
export function buildStatus(
  def: SloDefinition,
  now: number,
  windows: WindowSums[],
  periodWindow: { start: number; end: number; good: number; total: number },
  previousAlerts?: AlertStatus[],
): SloStatus {
  const sums = new Map<number, WindowSums>();
  for (const w of windows) sums.set(w.windowMs, w);
  const { good, total } = periodWindow;
  const ratio = errorRatio(good, total);
  const remaining = budgetRemaining(good, total, def.objective);
  const units = budgetUnits(good, total, def.objective);
  const burnRates = burnRatesByLabel(def, sums);
  const exhaustionMs = exhaustionWindowMs(def);
  const current = exhaustionMs === null ? null : (burnRates[windowLabel(exhaustionMs)] ?? null);
  const verdicts = evaluateSeverities(def, sums);
  return {
    slo: def.name,
    service: def.service,
    objective: def.objective,
    evaluatedAt: now,
    window: { start: periodWindow.start, end: periodWindow.end },
    sli: ratio === null ? null : 1 - ratio,
    events: { good, total },
    budget: {
      totalRatio: 1 - def.objective,
      remainingRatio: remaining,
      totalEvents: units.totalEvents,
      remainingEvents: units.remainingEvents,
    },
    burnRates,
    exhaustionInMs: timeToExhaustionMs(remaining, current, nominalPeriodMs(def.timeWindow)),
    alerts: nextAlertStatuses(def.name, verdicts, now, previousAlerts),
  };
}
