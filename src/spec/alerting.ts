/**
 * Alerting defaults: the SRE Workbook's multiwindow multi-burn-rate table,
 * scaled to the SLO period. Pure functions: numbers in, config out.
 */
import { type AlertingConfig, type BurnRateWindowPair, DAY_MS, HOUR_MS, MINUTE_MS } from '../slo/model.ts';

/** The period the Workbook's table is written for. */
const WORKBOOK_PERIOD_MS = 30 * DAY_MS;

/** SRE Workbook, chapter 5, table 5-8: for a 30-day window. */
const WORKBOOK_WINDOWS: BurnRateWindowPair[] = [
  { severity: 'page', longWindowMs: HOUR_MS, shortWindowMs: 5 * MINUTE_MS, burnRate: 14.4 },
  { severity: 'page', longWindowMs: 6 * HOUR_MS, shortWindowMs: 30 * MINUTE_MS, burnRate: 6 },
  { severity: 'ticket', longWindowMs: DAY_MS, shortWindowMs: 2 * HOUR_MS, burnRate: 3 },
  { severity: 'ticket', longWindowMs: 3 * DAY_MS, shortWindowMs: 6 * HOUR_MS, burnRate: 1 },
];

/**
 * Fewer events than this in a pair's long window and the pair cannot fire.
 * Ten keeps one or two failed requests on an idle service from paging while a
 * real outage of even a low-traffic service still alerts within the hour.
 */
export const DEFAULT_MIN_EVENTS = 10;
export const DEFAULT_NO_DATA_AFTER_MS = 10 * MINUTE_MS;
export const DEFAULT_SEVERITY_LABEL = 'severity';

/** Scales a Workbook window to `periodMs`, rounded to whole minutes, at least one minute. */
export function scaleWindow(windowMs: number, periodMs: number): number {
  const scaled = Math.round((windowMs * periodMs) / WORKBOOK_PERIOD_MS / MINUTE_MS) * MINUTE_MS;
  return Math.max(MINUTE_MS, scaled);
}

/**
 * The default alerting of an SLO whose window lasts `periodMs`: the Workbook
 * windows scaled by period ÷ 30 days, burn-rate factors unchanged (a factor
 * already means "this share of the whole budget in this share of the period").
 *
 * @example defaultAlerting(28 * DAY_MS).windows[0] // page, long 56m, short 5m, ×14.4
 */
export function defaultAlerting(periodMs: number): AlertingConfig {
  return {
    windows: WORKBOOK_WINDOWS.map((w) => ({
      ...w,
      longWindowMs: scaleWindow(w.longWindowMs, periodMs),
      shortWindowMs: scaleWindow(w.shortWindowMs, periodMs),
    })),
    minEvents: DEFAULT_MIN_EVENTS,
    noDataAfterMs: DEFAULT_NO_DATA_AFTER_MS,
    severityLabel: DEFAULT_SEVERITY_LABEL,
  };
}
