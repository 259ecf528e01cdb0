import { lateDataLimitMs } from '../slo/index.ts';
import { DAY_MS, type SloDefinition, type TimeWindow } from '../slo/model.ts';
import { HttpError, parseOr400 } from './errors.ts';
import { SliEventBatchSchema } from './schemas.ts';

/** An SLI event with its timestamp resolved to epoch ms. */
export type NormalizedEvent =
  | { timestamp: number; good: number; total: number }
  | { timestamp: number; success: boolean }
  | { timestamp: number; value: number };

/** Events may be up to this far ahead of the server clock (clock skew), no further. */
export const MAX_FUTURE_MS = 5 * 60_000;

const UNIT_MAX_MS: Record<string, number> = {
  Day: DAY_MS,
  Week: 7 * DAY_MS,
  Month: 31 * DAY_MS,
  Quarter: 92 * DAY_MS,
  Year: 366 * DAY_MS,
};

/** The longest a window of this kind can be, in ms (calendar months count as 31 days). */
export function windowMaxMs(w: TimeWindow): number {
  if (w.kind === 'rolling') return w.durationMs;
  return (UNIT_MAX_MS[w.unit] ?? 366 * DAY_MS) * w.count;
}

/** How far back an event may be: the SLO period or its longest alert window, whichever is longer. */
export function retainedMs(def: SloDefinition): number {
  const longest = Math.max(0, ...def.alerting.windows.map((w) => w.longWindowMs));
  return Math.max(windowMaxMs(def.timeWindow), longest);
}

/**
 * The oldest timestamp an event may carry at `now`, and why: what the SLO
 * retains, or, for timeslice methods, the oldest slice the engine can still
 * re-judge (older slices are final; the engine would drop the event).
 */
export function oldestAccepted(def: SloDefinition, now: number): { oldest: number; reason: string } {
  const retained = now - retainedMs(def);
  const rejudged = now - lateDataLimitMs(def);
  if (rejudged > retained) {
    const at = new Date(rejudged).toISOString();
    return {
      oldest: rejudged,
      reason: `timestamp is older than a ${def.budgetingMethod} SLO can still re-judge its slice (${at}); older slices are final`,
    };
  }
  return {
    oldest: retained,
    reason: `timestamp is older than the SLO keeps (${new Date(retained).toISOString()})`,
  };
}

function parseTimestamp(raw: number | string, path: string): number {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw))
      throw fieldError(path, 'timestamp must be a finite number of epoch milliseconds');
    return raw;
  }
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw fieldError(path, `"${raw}" is not an ISO 8601 timestamp`);
  return ms;
}

function fieldError(path: string, message: string): HttpError {
  return new HttpError(400, 'bad_request', `${path}: ${message}`, [{ path, message }]);
}

/**
 * Validates a whole `POST /slos/{name}/events` body against one SLO before
 * anything is written: shape (unknown fields, types), numbers (finite,
 * non-negative, good ≤ total), timestamps (not more than 5 min ahead, not
 * older than what the SLO retains or, for timeslice methods, than the oldest
 * slice the engine can re-judge: `oldestAccepted`) and event kind (value samples only for
 * threshold SLIs). Throws an HttpError naming every offending field.
 */
export function validateEventBatch(def: SloDefinition, body: unknown, now: number): NormalizedEvent[] {
  const batch = parseOr400(SliEventBatchSchema, body, 'event batch');
  const { oldest, reason } = oldestAccepted(def, now);
  const problems: { path: string; message: string }[] = [];
  const out: NormalizedEvent[] = [];
  batch.events.forEach((event, i) => {
    const at = `events[${i}]`;
    let timestamp: number;
    try {
      timestamp = parseTimestamp(event.timestamp, `${at}.timestamp`);
    } catch (err) {
      problems.push(...((err as HttpError).details ?? []));
      return;
    }
    if (timestamp > now + MAX_FUTURE_MS) {
      problems.push({ path: `${at}.timestamp`, message: 'timestamp is more than 5 minutes in the future' });
    } else if (timestamp < oldest) {
      problems.push({ path: `${at}.timestamp`, message: reason });
    }
    if ('good' in event) {
      for (const key of ['good', 'total'] as const) {
        if (!Number.isFinite(event[key]))
          problems.push({ path: `${at}.${key}`, message: `${key} must be finite` });
      }
      if (event.good > event.total) {
        problems.push({ path: `${at}.good`, message: 'good must not exceed total' });
      }
      out.push({ timestamp, good: event.good, total: event.total });
    } else if ('success' in event) {
      out.push({ timestamp, success: event.success });
    } else {
      if (def.indicator.type !== 'threshold') {
        problems.push({
          path: `${at}.value`,
          message: 'value samples need a threshold SLI; send good/total or success',
        });
      } else if (!Number.isFinite(event.value)) {
        problems.push({ path: `${at}.value`, message: 'value must be finite' });
      }
      out.push({ timestamp, value: event.value });
    }
  });
  const first = problems[0];
  if (first) throw new HttpError(400, 'bad_request', `${first.path}: ${first.message}`, problems);
  return out;
}
