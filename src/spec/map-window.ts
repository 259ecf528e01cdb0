/** OpenSLO `timeWindow` → the domain TimeWindow, with the m/M confusion check. */
import { DAY_MS, MINUTE_MS, type TimeWindow } from '../slo/model.ts';
import type { Report } from './context.ts';
import { NOMINAL_UNIT_MS, parseCalendarDuration, parseDuration } from './duration.ts';
import { normalizeStartTime } from './schemas/common.ts';
import type { TimeWindowSpec } from './schemas/openslo.ts';

/** Used when an SLO has no timeWindow: the same 30 days Sloth uses. */
export const DEFAULT_WINDOW: TimeWindow = { kind: 'rolling', durationMs: 30 * DAY_MS };
/** Anchor of a calendar window written without `calendar:` (a Monday, so weeks start on Mondays). */
export const DEFAULT_CALENDAR = { startTime: '2024-01-01 00:00:00', timeZone: 'UTC' };

const FIXED_FOR: Record<string, string> = { M: '30d', Q: '90d', Y: '365d' };

/** Nominal length of a window, used to scale alert windows and size the budget for warnings. */
export function nominalPeriodMs(window: TimeWindow): number {
  return window.kind === 'rolling' ? window.durationMs : NOMINAL_UNIT_MS[window.unit] * window.count;
}

/**
 * Maps the window; `context` (the SLO's name, display name, description) lets
 * it warn when `1m` (a minute) sits on an SLO that reads as monthly.
 */
export function mapTimeWindow(
  tw: TimeWindowSpec | undefined,
  context: string,
  report: Report,
): TimeWindow | undefined {
  if (!tw) return DEFAULT_WINDOW;
  const rolling = tw.isRolling ?? tw.calendar === undefined;
  if (rolling && tw.calendar) {
    report(
      ['isRolling'],
      'error',
      'a rolling window has no calendar: remove calendar or set isRolling: false',
    );
    return undefined;
  }
  return rolling ? mapRolling(tw.duration, context, report) : mapCalendar(tw, report);
}

function mapRolling(duration: string, context: string, report: Report): TimeWindow | undefined {
  const ms = parseDuration(duration);
  if (ms === undefined) {
    const unit = duration.slice(-1);
    const hint = FIXED_FOR[unit]
      ? `: write ${Number(duration.slice(0, -1)) * Number.parseInt(FIXED_FOR[unit], 10)}d instead`
      : '';
    report(
      ['duration'],
      'error',
      `a rolling window needs a fixed length, "${duration}" is a calendar duration${hint} (or use a calendar window)`,
    );
    return undefined;
  }
  if (ms % MINUTE_MS !== 0) {
    report(['duration'], 'error', `window duration "${duration}" must be a whole number of minutes`);
    return undefined;
  }
  if (/^\d+m$/.test(duration) && /month/i.test(context)) {
    report(
      ['duration'],
      'warning',
      `duration "${duration}" means ${ms / MINUTE_MS} minute(s), but this SLO reads as monthly: did you mean "${duration.slice(0, -1)}M" (calendar month) or "30d"?`,
    );
  }
  return { kind: 'rolling', durationMs: ms };
}

function mapCalendar(tw: TimeWindowSpec, report: Report): TimeWindow | undefined {
  const cal = parseCalendarDuration(tw.duration);
  if (!cal) {
    const minutes = /^\d+m$/.test(tw.duration);
    report(
      ['duration'],
      'error',
      minutes
        ? `duration "${tw.duration}" means minutes, which a calendar window cannot use: did you mean "${tw.duration.slice(0, -1)}M" (calendar month)?`
        : `a calendar window's duration uses d, w, M, Q or Y (e.g. 1M), got "${tw.duration}"`,
    );
    return undefined;
  }
  return {
    kind: 'calendar',
    unit: cal.unit,
    count: cal.count,
    startTime: tw.calendar
      ? (normalizeStartTime(tw.calendar.startTime) as string)
      : DEFAULT_CALENDAR.startTime,
    timeZone: tw.calendar?.timeZone ?? DEFAULT_CALENDAR.timeZone,
  };
}
