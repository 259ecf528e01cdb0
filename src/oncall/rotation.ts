/**
 * One layer on its own: where its rotation's shifts start and end, whose turn
 * each is, and which stretches its restrictions leave on duty. Shift k is found
 * arithmetically from the instant (never by walking from the layer's start), so
 * a question about the year 2100 costs what one about tomorrow does.
 */
import type { Layer, Override, Restriction, Schedule, Weekday } from './types.ts';
import {
  DAY_MS,
  fromLocal,
  HOUR_MS,
  localDay,
  parseClock,
  parseLocalDateTime,
  toLocal,
  weekdayOfDay,
} from './zone.ts';

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A restriction with its weekdays as a bit mask (bit 0 = Monday) and clock times as ms since midnight. */
export interface CompiledRestriction {
  days: number;
  start: number;
  end: number;
}

export type CompiledShift =
  /** Absolute length: shift k starts `k × length` ms after the layer's start. */
  | { kind: 'fixed'; length: number }
  /** Calendar length: shift k starts at the start's wall-clock time, `k × days` local days later. */
  | { kind: 'calendar'; days: number; startDay: number; startClock: number };

export interface CompiledLayer {
  /** Position in the schedule: higher wins. */
  index: number;
  name: string;
  participants: readonly string[];
  /** Instant participant 0's first shift starts. */
  start: number;
  /** Instant the layer stops (Infinity: never). */
  end: number;
  shift: CompiledShift;
  restrictions: CompiledRestriction[];
}

export interface CompiledSchedule {
  name: string;
  zone: string;
  layers: CompiledLayer[];
  overrides: readonly Override[];
}

/** One stretch of a layer with someone on duty, epoch ms [start, end). */
export interface Segment {
  start: number;
  end: number;
  user: string;
}

/** Shift k of a layer and its bounds, epoch ms [start, end). */
export interface ShiftBounds {
  k: number;
  start: number;
  end: number;
}

// Schedules are treated as immutable values: compiled once per object.
const compiled = new WeakMap<Schedule, CompiledSchedule>();

/**
 * Resolves a schedule's local date-times and clock times once (memoised per
 * schedule object). Throws a RangeError for input the spec schema rejects (an
 * unknown zone, a malformed start), since domain values are validated before.
 */
export function compileSchedule(schedule: Schedule): CompiledSchedule {
  let c = compiled.get(schedule);
  if (!c) {
    c = {
      name: schedule.name,
      zone: schedule.timeZone,
      layers: schedule.layers.map((layer, index) => compileLayer(layer, index, schedule.timeZone)),
      overrides: schedule.overrides.filter((o) => o.end > o.start),
    };
    compiled.set(schedule, c);
  }
  return c;
}

function localOrThrow(text: string, what: string): number {
  const local = parseLocalDateTime(text);
  if (local === undefined) throw new RangeError(`${what} ${JSON.stringify(text)} is not a local date-time`);
  return local;
}

function compileLayer(layer: Layer, index: number, zone: string): CompiledLayer {
  const startLocal = localOrThrow(layer.start, `layer ${layer.name}: start`);
  const start = fromLocal(zone, startLocal);
  const end = layer.end === undefined ? Infinity : fromLocal(zone, localOrThrow(layer.end, 'end'));
  if (!Number.isInteger(layer.shift.count) || layer.shift.count < 1)
    throw new RangeError(`layer ${layer.name}: shift count must be a whole number of at least 1`);
  const shift: CompiledShift =
    layer.shift.unit === 'hours'
      ? { kind: 'fixed', length: layer.shift.count * HOUR_MS }
      : {
          kind: 'calendar',
          days: layer.shift.count * (layer.shift.unit === 'weeks' ? 7 : 1),
          startDay: localDay(startLocal),
          startClock: startLocal - localDay(startLocal) * DAY_MS,
        };
  return {
    index,
    name: layer.name,
    participants: layer.participants,
    start,
    end,
    shift,
    restrictions: layer.restrictions.map((r) => compileRestriction(r, layer.name)),
  };
}

function compileRestriction(r: Restriction, layer: string): CompiledRestriction {
  const start = parseClock(r.start);
  const end = parseClock(r.end);
  if (start === undefined || end === undefined)
    throw new RangeError(`layer ${layer}: restriction times must be HH:MM`);
  let days = 0;
  for (const d of r.days) days |= 1 << WEEKDAYS.indexOf(d);
  return { days, start, end };
}

/** Start instant of shift k (k may be negative or far in the future). */
export function shiftStart(layer: CompiledLayer, zone: string, k: number): number {
  const s = layer.shift;
  if (s.kind === 'fixed') return layer.start + k * s.length;
  return fromLocal(zone, (s.startDay + k * s.days) * DAY_MS + s.startClock);
}

/** The shift containing instant t, unclipped (t may be before the layer's start: then k < 0). */
export function shiftAt(layer: CompiledLayer, zone: string, t: number): ShiftBounds {
  const s = layer.shift;
  if (s.kind === 'fixed') {
    const k = Math.floor((t - layer.start) / s.length);
    const start = layer.start + k * s.length;
    return { k, start, end: start + s.length };
  }
  // Estimate from the local calendar, then correct: a handoff moved by a DST gap
  // or repeated hour can put t one shift either side of the estimate.
  const local = toLocal(zone, t);
  const day = localDay(local);
  const before = local - day * DAY_MS < s.startClock ? 1 : 0;
  let k = Math.floor((day - s.startDay - before) / s.days);
  let start = shiftStart(layer, zone, k);
  for (let i = 0; i < 4 && start > t; i++) start = shiftStart(layer, zone, --k);
  let end = shiftStart(layer, zone, k + 1);
  for (let i = 0; i < 4 && end <= t; i++) {
    k++;
    start = end;
    end = shiftStart(layer, zone, k + 1);
  }
  return { k, start, end };
}

/** The participant whose turn shift k is. */
export function participantOf(layer: CompiledLayer, k: number): string {
  const n = layer.participants.length;
  return layer.participants[((k % n) + n) % n] as string;
}

/**
 * The layer's stretches with someone on duty inside [from, to): its shifts,
 * clipped to the layer's own start and end and to its restrictions. Consecutive
 * shifts of the same person are joined. Work is proportional to the number of
 * shifts in the range.
 */
export function layerSegments(layer: CompiledLayer, zone: string, from: number, to: number): Segment[] {
  const a = Math.max(from, layer.start);
  const b = Math.min(to, layer.end);
  if (!(a < b) || layer.participants.length === 0) return [];
  const out: Segment[] = [];
  let { k, start, end } = shiftAt(layer, zone, a);
  while (start < b) {
    const user = participantOf(layer, k);
    const last = out[out.length - 1];
    if (last && last.user === user) last.end = Math.min(end, b);
    else out.push({ start: Math.max(start, a), end: Math.min(end, b), user });
    k++;
    start = end;
    end = shiftStart(layer, zone, k + 1);
  }
  if (layer.restrictions.length === 0) return out;
  return intersect(out, restrictionWindows(layer.restrictions, zone, a, b));
}

/**
 * Instants inside [from, to) covered by the restrictions, as sorted, merged
 * [start, end) pairs. A window belongs to the day it starts on: `fri 18:00–09:00`
 * runs from Friday evening to Saturday morning. A window whose times fall in a
 * DST gap moves with them to the moment of the change (and may become empty).
 */
export function restrictionWindows(
  restrictions: readonly CompiledRestriction[],
  zone: string,
  from: number,
  to: number,
): [number, number][] {
  if (!(from < to)) return [];
  const windows: [number, number][] = [];
  // From the day before `from`: an overnight window that started then may still be open.
  const firstDay = localDay(toLocal(zone, from)) - 1;
  const lastDay = localDay(toLocal(zone, to - 1));
  for (let day = firstDay; day <= lastDay; day++) {
    const bit = 1 << weekdayOfDay(day);
    for (const r of restrictions) {
      if ((r.days & bit) === 0) continue;
      const start = fromLocal(zone, day * DAY_MS + r.start);
      const end = fromLocal(zone, (r.end <= r.start ? day + 1 : day) * DAY_MS + r.end);
      const s = Math.max(start, from);
      const e = Math.min(end, to);
      if (s < e) windows.push([s, e]);
    }
  }
  windows.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const w of windows) {
    const last = merged[merged.length - 1];
    if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
    else merged.push(w);
  }
  return merged;
}

/** Segments cut to the windows (both sorted and non-overlapping). */
function intersect(segments: Segment[], windows: [number, number][]): Segment[] {
  const out: Segment[] = [];
  let w = 0;
  for (const seg of segments) {
    while (w < windows.length && (windows[w] as [number, number])[1] <= seg.start) w++;
    for (let i = w; i < windows.length; i++) {
      const [ws, we] = windows[i] as [number, number];
      if (ws >= seg.end) break;
      out.push({ start: Math.max(ws, seg.start), end: Math.min(we, seg.end), user: seg.user });
    }
  }
  return out;
}
