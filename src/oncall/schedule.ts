/**
 * Who is on call: a schedule's layers and overrides flattened into one
 * timeline. Precedence at any instant: the override listed last that covers
 * it; else the last-listed layer that has someone on duty (inside its start,
 * end and restrictions); else nobody. Pure: no clock, no IO.
 *
 * Local-time rules (see `zone.ts`): a handoff or restriction time the clocks
 * skip moves to the moment of the change; one they repeat takes the earlier
 * (summer-time) instant.
 */
import {
  type CompiledSchedule,
  compileSchedule,
  layerSegments,
  restrictionWindows,
  type Segment,
  shiftAt,
} from './rotation.ts';
import type { OnCall, Schedule } from './types.ts';

/** A stretch with nobody on call, epoch ms [start, end). */
export interface Gap {
  start: number;
  end: number;
}

function checkRange(from: number, to: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to))
    throw new RangeError('from and to must be finite epoch milliseconds');
}

/**
 * Who is on call during [from, to), in order: consecutive, non-overlapping
 * pieces clipped to the range. A piece ends where the person or the reason
 * changes; consecutive shifts of the same person from the same layer (or the
 * same override) are one piece. Stretches with nobody on call are absent (see
 * {@link gaps}). Work grows with the number of shifts and restriction days in
 * the range, never with how far the range is from a layer's start.
 */
export function shifts(schedule: Schedule, from: number, to: number): OnCall[] {
  checkRange(from, to);
  return flatten(compileSchedule(schedule), from, to);
}

/**
 * Who is on call at instant t, or undefined when nobody is. The piece's start
 * and end are those of the shift (or override) that puts them there, clipped by
 * restrictions, overrides and higher layers, as in {@link shifts}, except that
 * consecutive shifts of the same person are not joined (that would need an
 * unbounded look back and ahead).
 */
export function onCallAt(schedule: Schedule, t: number): OnCall | undefined {
  checkRange(t, t);
  const c = compileSchedule(schedule);
  const unit = winningUnit(c, t);
  if (!unit) return undefined;
  return flatten(c, unit.start, unit.end).find((p) => p.start <= t && t < p.end);
}

/** Stretches of [from, to) with nobody on call, for "nobody is on call" warnings. */
export function gaps(schedule: Schedule, from: number, to: number): Gap[] {
  checkRange(from, to);
  const out: Gap[] = [];
  let cursor = from;
  for (const piece of flatten(compileSchedule(schedule), from, to)) {
    if (piece.start > cursor) out.push({ start: cursor, end: piece.start });
    cursor = piece.end;
  }
  if (cursor < to) out.push({ start: cursor, end: to });
  return out;
}

/**
 * The override or layer shift that decides who is on call at t, as a range to
 * flatten: the override's own range, or the winning layer's shift clipped to the
 * layer's start and end.
 */
function winningUnit(c: CompiledSchedule, t: number): { start: number; end: number } | undefined {
  for (let i = c.overrides.length - 1; i >= 0; i--) {
    const o = c.overrides[i];
    if (o && o.start <= t && t < o.end) return { start: o.start, end: o.end };
  }
  for (let i = c.layers.length - 1; i >= 0; i--) {
    const layer = c.layers[i];
    if (!layer || layer.participants.length === 0 || t < layer.start || t >= layer.end) continue;
    if (
      layer.restrictions.length > 0 &&
      restrictionWindows(layer.restrictions, c.zone, t, t + 1).length === 0
    )
      continue;
    const shift = shiftAt(layer, c.zone, t);
    return { start: Math.max(shift.start, layer.start), end: Math.min(shift.end, layer.end) };
  }
  return undefined;
}

/**
 * The sweep: every segment edge and override edge is a boundary; between two
 * boundaries nothing changes, so each elementary stretch takes the winner at its
 * start, and stretches with the same person and source are joined.
 */
function flatten(c: CompiledSchedule, from: number, to: number): OnCall[] {
  if (!(from < to)) return [];
  const perLayer: Segment[][] = c.layers.map((layer) => layerSegments(layer, c.zone, from, to));
  // With their index in the schedule: the index identifies the source when joining pieces.
  const overrides = c.overrides
    .map((o, index) => ({ ...o, index }))
    .filter((o) => o.end > from && o.start < to);
  let count = 2 + overrides.length * 2;
  for (const segs of perLayer) count += segs.length * 2;
  const points = new Float64Array(count);
  let n = 0;
  points[n++] = from;
  points[n++] = to;
  for (const o of overrides) {
    points[n++] = Math.max(o.start, from);
    points[n++] = Math.min(o.end, to);
  }
  for (const segs of perLayer) {
    for (const s of segs) {
      points[n++] = s.start;
      points[n++] = s.end;
    }
  }
  points.sort();

  const out: OnCall[] = [];
  const cursor = new Array<number>(perLayer.length).fill(0);
  // Source of the last piece: layer index, or -(override index + 1).
  let lastSource = Number.NaN;
  for (let p = 0; p < count - 1; p++) {
    const start = points[p] as number;
    const end = points[p + 1] as number;
    if (start === end) continue;
    let user: string | undefined;
    let source = Number.NaN;
    for (let i = overrides.length - 1; i >= 0; i--) {
      const o = overrides[i];
      if (o && o.start <= start && start < o.end) {
        user = o.user;
        source = -(o.index + 1);
        break;
      }
    }
    if (user === undefined) {
      for (let i = perLayer.length - 1; i >= 0; i--) {
        const segs = perLayer[i] as Segment[];
        let j = cursor[i] as number;
        while (j < segs.length && (segs[j] as Segment).end <= start) j++;
        cursor[i] = j;
        const seg = segs[j];
        if (seg && seg.start <= start) {
          user = seg.user;
          source = i;
          break;
        }
      }
    }
    if (user === undefined) continue;
    const last = out[out.length - 1];
    if (last && last.end === start && last.user === user && source === lastSource) {
      last.end = end;
      continue;
    }
    out.push(piece(c, user, source, start, end));
    lastSource = source;
  }
  return out;
}

function piece(c: CompiledSchedule, user: string, source: number, start: number, end: number): OnCall {
  if (source >= 0) {
    const layer = c.layers[source]?.name as string;
    return { user, schedule: c.name, source: { kind: 'layer', layer }, start, end };
  }
  const reason = c.overrides[-source - 1]?.reason;
  return {
    user,
    schedule: c.name,
    source: reason === undefined ? { kind: 'override' } : { kind: 'override', reason },
    start,
    end,
  };
}
