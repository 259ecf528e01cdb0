/**
 * Durations as written in specs: OpenSLO's duration shorthand and Prometheus
 * durations (`5m`, `1h30m`, `30d`), plus OpenSLO's calendar units (`1M`, `1Q`,
 * `1Y`) which only calendar-aligned windows accept.
 */
import { type CalendarUnit, DAY_MS, HOUR_MS, MINUTE_MS } from '../slo/model.ts';

const FIXED_UNITS: Record<string, number> = {
  w: 7 * DAY_MS,
  d: DAY_MS,
  h: HOUR_MS,
  m: MINUTE_MS,
  s: 1000,
  ms: 1,
};
/** Largest first: compound durations must list units in this order, as Prometheus requires. */
const UNIT_ORDER = ['w', 'd', 'h', 'm', 's', 'ms'];
const PART = /(\d+)(ms|[wdhms])/y;

/**
 * Parses a fixed-length duration to milliseconds: `250ms`, `30s`, `5m`, `1h30m`,
 * `28d`, `1w`. Returns undefined for anything else, including negative numbers,
 * decimals and calendar units (`1M`, `1Q`, `1Y`: use {@link parseCalendarDuration}).
 */
export function parseDuration(text: string): number | undefined {
  if (text.length === 0) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let lastUnit = -1;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (!match) return undefined;
    const unit = match[2] as string;
    const order = UNIT_ORDER.indexOf(unit);
    if (order <= lastUnit) return undefined;
    lastUnit = order;
    total += Number(match[1]) * (FIXED_UNITS[unit] as number);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

const CALENDAR_UNITS: Record<string, CalendarUnit> = {
  d: 'Day',
  w: 'Week',
  M: 'Month',
  Q: 'Quarter',
  Y: 'Year',
};

/** A calendar-aligned window length: `1M` is one calendar month. */
export interface CalendarDuration {
  unit: CalendarUnit;
  count: number;
}

/** Parses an OpenSLO calendar duration (`1d`, `2w`, `1M`, `1Q`, `1Y`); undefined otherwise. */
export function parseCalendarDuration(text: string): CalendarDuration | undefined {
  const match = /^([1-9]\d*)([dwMQY])$/.exec(text);
  if (!match) return undefined;
  return { unit: CALENDAR_UNITS[match[2] as string] as CalendarUnit, count: Number(match[1]) };
}

/** Nominal length of a calendar unit, used only to scale alert windows (budgets use real lengths). */
export const NOMINAL_UNIT_MS: Record<CalendarUnit, number> = {
  Day: DAY_MS,
  Week: 7 * DAY_MS,
  Month: 30 * DAY_MS,
  Quarter: 90 * DAY_MS,
  Year: 365 * DAY_MS,
};

const FORMAT_UNITS: [string, number][] = [
  ['d', DAY_MS],
  ['h', HOUR_MS],
  ['m', MINUTE_MS],
  ['s', 1000],
  ['ms', 1],
];

/**
 * Formats milliseconds as a compact Prometheus duration, largest units first.
 *
 * @example formatDuration(9_000_000) // '2h30m'
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of FORMAT_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
