/**
 * Time windows: rolling and calendar-aligned (in an IANA time zone), their
 * nominal and maximal lengths, and the short labels used as burn-rate keys.
 * Pure: `now` is always an argument.
 */
import { DateTime } from 'luxon';
import { type CalendarUnit, DAY_MS, HOUR_MS, MINUTE_MS, type TimeWindow } from './model.ts';

/** A half-open interval of epoch milliseconds, `[start, end)`. */
export interface Interval {
  start: number;
  end: number;
}

const UNIT_KEY = {
  Day: 'days',
  Week: 'weeks',
  Month: 'months',
  Quarter: 'quarters',
  Year: 'years',
} as const satisfies Record<CalendarUnit, string>;

/** Nominal length of one calendar unit (a month counts as 30 days, as SLO tooling does). */
const NOMINAL_UNIT_MS: Record<CalendarUnit, number> = {
  Day: DAY_MS,
  Week: 7 * DAY_MS,
  Month: 30 * DAY_MS,
  Quarter: 91 * DAY_MS,
  Year: 365 * DAY_MS,
};

/** The longest a calendar unit can be, counting a DST hour. */
const MAX_UNIT_MS: Record<CalendarUnit, number> = {
  Day: DAY_MS + HOUR_MS,
  Week: 7 * DAY_MS + HOUR_MS,
  Month: 31 * DAY_MS + HOUR_MS,
  Quarter: 92 * DAY_MS + HOUR_MS,
  Year: 366 * DAY_MS + HOUR_MS,
};

/**
 * The window's nominal length: the rolling duration, or count × unit for a
 * calendar window (Month = 30 days). Used to scale alert windows and to turn
 * a burn rate into a time to exhaustion.
 */
export function nominalPeriodMs(window: TimeWindow): number {
  return window.kind === 'rolling' ? window.durationMs : window.count * NOMINAL_UNIT_MS[window.unit];
}

/** The longest the window can ever be (31-day months, 25-hour DST days): how much history to keep. */
export function maxPeriodMs(window: TimeWindow): number {
  return window.kind === 'rolling' ? window.durationMs : window.count * MAX_UNIT_MS[window.unit];
}

/** The rolling window ending at `now`. */
export function rollingInterval(durationMs: number, now: number): Interval {
  return { start: now - durationMs, end: now };
}

function anchorOf(window: Extract<TimeWindow, { kind: 'calendar' }>): DateTime {
  const anchor = DateTime.fromISO(window.startTime.trim().replace(' ', 'T'), { zone: window.timeZone });
  if (!anchor.isValid) {
    throw new Error(
      `calendar window: startTime '${window.startTime}' in zone '${window.timeZone}' is not valid (${anchor.invalidExplanation})`,
    );
  }
  return anchor;
}

/**
 * The calendar window containing `now`: boundaries are whole multiples of
 * `count` units after the anchor, computed in the window's time zone, so a
 * month in Europe/Berlin starts at local midnight on the 1st whether that is
 * 22:00 or 23:00 UTC.
 *
 * @example calendarInterval({ kind: 'calendar', unit: 'Month', count: 1,
 *   startTime: '2024-01-01 00:00:00', timeZone: 'Europe/Berlin' }, Date.parse('2024-04-10T00:00:00Z'))
 *   // → { start: 2024-03-31T22:00Z, end: 2024-04-30T22:00Z }
 */
export function calendarInterval(window: Extract<TimeWindow, { kind: 'calendar' }>, now: number): Interval {
  const anchor = anchorOf(window);
  const key = UNIT_KEY[window.unit];
  const step = Math.max(1, window.count);
  const boundary = (k: number): number => anchor.plus({ [key]: k * step }).toMillis();
  // Estimate with the nominal length, then correct: the estimate is off by at most one or two steps.
  let k = Math.floor((now - anchor.toMillis()) / (step * NOMINAL_UNIT_MS[window.unit]));
  while (boundary(k) > now) k--;
  while (boundary(k + 1) <= now) k++;
  return { start: boundary(k), end: boundary(k + 1) };
}

/** The window containing `now`, `[start, end)`; a rolling window ends at `now`. */
export function windowInterval(window: TimeWindow, now: number): Interval {
  return window.kind === 'rolling' ? rollingInterval(window.durationMs, now) : calendarInterval(window, now);
}

const LABEL_UNITS: Array<[string, number]> = [
  ['d', DAY_MS],
  ['h', HOUR_MS],
  ['m', MINUTE_MS],
  ['s', 1000],
];

/**
 * A Prometheus-style label for a duration: the largest unit that divides it.
 *
 * @example windowLabel(300_000) // '5m'; windowLabel(90 * 60_000) // '90m'; windowLabel(3 * DAY_MS) // '3d'
 */
export function windowLabel(ms: number): string {
  for (const [suffix, unit] of LABEL_UNITS) {
    if (ms >= unit && ms % unit === 0) return `${ms / unit}${suffix}`;
  }
  return `${ms}ms`;
}

/**
 * A human description of a window, as the overview shows it.
 *
 * @example describeWindow({ kind: 'rolling', durationMs: 30 * DAY_MS }) // '30d rolling'
 * @example describeWindow(monthInBerlin) // '1 Month calendar (Europe/Berlin)'
 */
export function describeWindow(window: TimeWindow): string {
  if (window.kind === 'rolling') return `${windowLabel(window.durationMs)} rolling`;
  return `${window.count} ${window.unit} calendar (${window.timeZone})`;
}
