/**
 * Wall-clock arithmetic in IANA time zones: instant → local time and back, with
 * explicit rules for the local times a DST change skips or repeats. Offsets come
 * from luxon (which asks the platform's Intl tz data); they are memoised per
 * zone and UTC day because schedules ask for the same few zones millions of
 * times (a year of shifts for 1,000 schedules).
 *
 * "Local ms" below is a wall-clock reading encoded as if it were UTC:
 * `Date.UTC(y, m - 1, d, hh, mm)`. It is a number for arithmetic, not an instant.
 */
import { IANAZone } from 'luxon';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A UTC day whose offset changes once: `before` until `at` (exclusive), `after` from it. */
interface Transition {
  at: number;
  before: number;
  after: number;
}

/** Per zone: UTC day number → the offset that holds all day, or its one transition. */
const offsetCache = new Map<string, Map<number, number | Transition>>();
/** Days remembered per zone before the memo starts over (about 270 years; bounds memory). */
const MAX_CACHED_DAYS = 100_000;

function zoneOf(name: string): IANAZone {
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new RangeError(`unknown time zone "${name}"`);
  return zone;
}

/** True for a zone name the platform knows (`Europe/Berlin`, `UTC`). */
export function isValidTimeZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

/**
 * The zone's UTC offset at instant `t`, in ms (east of Greenwich positive).
 * Assumes at most one offset change per UTC day, which holds for every zone in
 * the tz database since 1900 as far as schedules care.
 */
export function offsetAt(zoneName: string, t: number): number {
  let days = offsetCache.get(zoneName);
  if (!days) {
    zoneOf(zoneName);
    days = new Map();
    offsetCache.set(zoneName, days);
  }
  const day = Math.floor(t / DAY_MS);
  let entry = days.get(day);
  if (entry === undefined) {
    if (days.size >= MAX_CACHED_DAYS) days.clear();
    entry = dayOffsets(zoneName, day);
    days.set(day, entry);
  }
  if (typeof entry === 'number') return entry;
  return t < entry.at ? entry.before : entry.after;
}

function rawOffset(zone: IANAZone, t: number): number {
  return Math.round(zone.offset(t) * MINUTE_MS);
}

/** The offset of one UTC day, finding the instant of a change by bisection (about 27 probes, once per change). */
function dayOffsets(zoneName: string, day: number): number | Transition {
  const zone = zoneOf(zoneName);
  const start = day * DAY_MS;
  const before = rawOffset(zone, start);
  const after = rawOffset(zone, start + DAY_MS);
  if (before === after) return before;
  let lo = start; // offset(lo) === before
  let hi = start + DAY_MS; // offset(hi) === after
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (rawOffset(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  return { at: hi, before, after };
}

/** The wall-clock reading at instant `t` in the zone, as local ms. */
export function toLocal(zoneName: string, t: number): number {
  return t + offsetAt(zoneName, t);
}

/**
 * The instant at which the zone's clocks read `local` (local ms).
 *
 * - A reading the clocks skip (spring forward, e.g. 02:30 on the last Sunday of
 *   March in Europe/Berlin) resolves to the next instant that exists: the moment
 *   of the change (03:00 CEST = 01:00 UTC).
 * - A reading that occurs twice (fall back, 02:30 on the last Sunday of October)
 *   resolves to the earlier one, under the summer offset (00:30 UTC).
 */
export function fromLocal(zoneName: string, local: number): number {
  // Probing 6 h either side finds both offsets around any DST change (at most 2 h, Antarctica/Troll).
  const guess = local - offsetAt(zoneName, local);
  const early = offsetAt(zoneName, guess - 6 * HOUR_MS);
  const late = offsetAt(zoneName, guess + 6 * HOUR_MS);
  let best: number | undefined;
  for (const offset of [early, late]) {
    const t = local - offset;
    if (offsetAt(zoneName, t) === offset && (best === undefined || t < best)) best = t;
  }
  if (best !== undefined) return best;
  return firstInstantReaching(zoneName, local, local - Math.max(early, late), local - Math.min(early, late));
}

/**
 * In a skipped stretch of wall-clock time: the first instant in [lo, hi] whose
 * local reading is at or after `local` (the moment the clocks jumped).
 */
function firstInstantReaching(zoneName: string, local: number, lo: number, hi: number): number {
  if (toLocal(zoneName, lo) >= local) return lo;
  // Invariant: toLocal(lo) < local <= toLocal(hi); about 30 halvings for a few hours.
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (toLocal(zoneName, mid) >= local) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Whole days since 1970-01-01 of a local ms reading. */
export function localDay(local: number): number {
  return Math.floor(local / DAY_MS);
}

/** Weekday of a local day number: 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOfDay(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const CLOCK = /^(\d{2}):(\d{2})$/;

/**
 * Parses a zone-less local date-time, `2026-01-05T09:00` (seconds optional), to
 * local ms. Undefined for anything else, including impossible dates (`02-30`).
 */
export function parseLocalDateTime(text: string): number | undefined {
  const m = LOCAL_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (y < 1000 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 31 April over to 1 May: a date that does not round-trip does not exist.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return undefined;
  return ms;
}

/** Parses `HH:MM` (00:00–23:59) to ms since local midnight. */
export function parseClock(text: string): number | undefined {
  const m = CLOCK.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (h > 23 || mi > 59) return undefined;
  return h * HOUR_MS + mi * MINUTE_MS;
}
