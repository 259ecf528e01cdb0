/**
 * Ring sizes of one SLO's incremental state (state.ts), and what they imply
 * for late data. Pure: no IO, no state.
 */
import { isTimeslice, sliceMinutes } from './budgeting.ts';
import { HOUR_MS, MINUTE_MS, type SloDefinition } from './model.ts';
import { alertWindowsMs } from './status.ts';
import { maxPeriodMs } from './windows.ts';

/** How many minutes of data the rings hold beyond the last evaluated minute (clock skew, lagging ticks). */
export const FUTURE_SLACK_MINUTES = 10;

/** Ring sizes and tracked windows of one SLO: when these change, the state is migrated. */
export interface StateLayout {
  /** Tracked windows in ms: every alert window plus the no-data window, ascending, distinct. */
  windowsMs: number[];
  ringMinutes: number;
  ringHours: number;
}

/** Computes the layout an SLO definition needs. */
export function layoutOf(def: SloDefinition, retainMs: number): StateLayout {
  const windowsMs = [...new Set([...alertWindowsMs(def), def.alerting.noDataAfterMs])]
    .filter((ms) => ms > 0)
    .sort((a, b) => a - b);
  const longest = Math.max(60, ...windowsMs.map((ms) => Math.ceil(ms / MINUTE_MS)));
  const ringMinutes = longest + sliceMinutes(def) + FUTURE_SLACK_MINUTES;
  const ringHours = Math.ceil(Math.max(maxPeriodMs(def.timeWindow), retainMs) / HOUR_MS) + 2;
  return { windowsMs, ringMinutes, ringHours };
}

/**
 * How late (behind the clock) a bucket of this SLO may arrive and still be
 * counted exactly once the engine is running: the minute ring's span minus one
 * slice and the future slack, i.e. the longest alert or no-data window (at
 * least 1 hour). A timeslice SLO re-judges a slice from its raw minutes, which
 * only the minute ring keeps; older slices are final, so later minutes of them
 * are refused. The slack covers data up to `FUTURE_SLACK_MINUTES` ahead of the
 * clock. Occurrences SLOs take late data as far back as the hour ring
 * (`Infinity` here; the SLO window bounds it).
 *
 * @example lateDataLimitMs(thirtyDayTimeslicesWithWorkbookAlerts) // → 3 days
 */
export function lateDataLimitMs(def: SloDefinition): number {
  if (!isTimeslice(def)) return Number.POSITIVE_INFINITY;
  const { ringMinutes } = layoutOf(def, 0);
  return (ringMinutes - sliceMinutes(def) - FUTURE_SLACK_MINUTES) * MINUTE_MS;
}
