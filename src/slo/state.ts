/**
 * The incremental per-SLO state behind `SloEngine` (see
 * docs/adr/0001-incremental-slo-evaluation.md for why it looks like this).
 *
 * - A minute ring (Float32 good/total, interleaved) spans the longest alert
 *   window + slack. Float32 keeps 10k SLOs × 3 days under ~360 MB; per-minute
 *   counts are exact up to 2^24 (16.7M events per minute per SLO).
 * - An hour ring (Float64) spans the SLO period (the longest calendar window)
 *   or `retainMs`, whichever is longer.
 * - Running sums per alert window: stepping one minute adds the newest minute
 *   and subtracts the one that left, so a tick costs O(windows), not O(30 days).
 * - The SLO window is the completed hours since its start plus the current
 *   partial hour. Its old edge is therefore aligned down to the hour: a 30d
 *   rolling window covers 30d to 30d+59m (reported in `SloStatus.window`), and a
 *   calendar window in a zone whose offset is not a whole hour starts at the
 *   hour before its boundary. Alert windows are exact to the minute.
 * - Timeslice methods keep raw counts in a second minute ring and the slice
 *   units (see budgeting.ts) in the first; the hour ring holds unit sums.
 *
 * Late buckets update the rings and every running sum whose window holds them.
 * Data older than the minute ring only reaches the hour ring. Timeslice methods
 * judge such an *old* slice once, from the minutes of it in one `addBatch` call
 * (the warm-up), and refuse later minutes of it: see `addBatch`.
 */
import type { WindowSums } from './alerts.ts';
import { isTimeslice, sliceMinutes, sliceStartMinute, sliceUnit } from './budgeting.ts';
import { FUTURE_SLACK_MINUTES, type StateLayout } from './layout.ts';
import { type AlertStatus, HOUR_MS, MINUTE_MS, type SliBucket, type SloDefinition } from './model.ts';
import { calendarInterval } from './windows.ts';

export { FUTURE_SLACK_MINUTES, lateDataLimitMs, layoutOf, type StateLayout } from './layout.ts';

const scratch: [number, number] = [0, 0];

/** Incremental sums of one SLO. Minute and hour indices count from the Unix epoch. */
export class SloState {
  def: SloDefinition;
  readonly layout: StateLayout;
  /** Alert statuses of the last committed evaluation. */
  alerts: AlertStatus[] | undefined;
  /** Buckets ignored because they were too old for the rings. */
  dropped = 0;
  /** Minute index of the last evaluation; NaN until the first. */
  cursor = Number.NaN;

  private readonly M: number;
  private readonly H: number;
  private readonly windowsMin: Int32Array;
  private readonly timeslice: boolean;
  private readonly sliceMin: number;
  /** Unit good/total per minute, interleaved. */
  private readonly unit: Float32Array;
  /** Raw good/total per minute (timeslice methods; the unit ring otherwise). */
  private readonly raw: Float32Array;
  /** Unit good/total per hour, interleaved. */
  private readonly hours: Float64Array;
  /** Per window: good, total, raw events. */
  private readonly sums: Float64Array;
  private head = Number.NEGATIVE_INFINITY;
  private startHour = 0;
  private hoursGood = 0;
  private hoursTotal = 0;
  private curGood = 0;
  private curTotal = 0;
  private calStart = Number.POSITIVE_INFINITY;
  /**
   * Timeslice methods: slices starting before this minute were never held
   * (+∞ while empty). Slices from here up to the ring's old edge are final.
   */
  private judgedFrom = Number.POSITIVE_INFINITY;
  /** Slices starting at or before this minute are final even inside the ring (their minutes were lost in a migration). */
  private sealedTo = Number.NEGATIVE_INFINITY;
  private calEnd = Number.NEGATIVE_INFINITY;
  /** Spreads the daily re-summation (which sheds float drift) across hours. */
  private readonly stagger: number;

  constructor(def: SloDefinition, layout: StateLayout, stagger = 0) {
    this.def = def;
    this.layout = layout;
    this.M = layout.ringMinutes;
    this.H = layout.ringHours;
    this.windowsMin = Int32Array.from(layout.windowsMs, (ms) => Math.ceil(ms / MINUTE_MS));
    this.timeslice = isTimeslice(def);
    this.sliceMin = sliceMinutes(def);
    this.unit = new Float32Array(2 * this.M);
    this.raw = this.timeslice ? new Float32Array(2 * this.M) : this.unit;
    this.hours = new Float64Array(2 * this.H);
    this.sums = new Float64Array(3 * this.windowsMin.length);
    this.stagger = stagger % 24;
  }

  private slot(minute: number): number {
    return 2 * (((minute % this.M) + this.M) % this.M);
  }

  private hourSlot(hour: number): number {
    return 2 * (((hour % this.H) + this.H) % this.H);
  }

  private validMinute(minute: number): boolean {
    return minute <= this.head && minute > this.head - this.M;
  }

  private validHour(hour: number): boolean {
    const headHour = Math.floor(this.head / 60);
    return hour <= headHour && hour > headHour - this.H;
  }

  /** Moves the newest held minute forward, clearing the slots it reuses. */
  private advanceHead(minute: number): void {
    if (minute <= this.head) return;
    // The first data: everything the ring cannot reach was never seen.
    if (this.head === Number.NEGATIVE_INFINITY) this.judgedFrom = minute - this.M + 1;
    else {
      const n = Math.min(minute - this.head, this.M);
      for (let i = 0; i < n; i++) {
        const s = this.slot(minute - i);
        this.unit[s] = 0;
        this.unit[s + 1] = 0;
        this.raw[s] = 0;
        this.raw[s + 1] = 0;
      }
      const newHour = Math.floor(minute / 60);
      const h = Math.min(newHour - Math.floor(this.head / 60), this.H);
      for (let i = 0; i < h; i++)
        this.hours.fill(0, this.hourSlot(newHour - i), this.hourSlot(newHour - i) + 2);
    }
    this.head = minute;
  }

  /** Unit good/total at a minute (0 outside the ring). */
  private unitAt(minute: number, k: 0 | 1): number {
    return this.validMinute(minute) ? this.unit[this.slot(minute) + k]! : 0;
  }

  private rawTotalAt(minute: number): number {
    return this.validMinute(minute) ? this.raw[this.slot(minute) + 1]! : 0;
  }

  private hourAt(hour: number, k: 0 | 1): number {
    return this.validHour(hour) ? this.hours[this.hourSlot(hour) + k]! : 0;
  }

  /** First hour of the SLO window for the minute `c` (old edge aligned down to the hour). */
  private periodStartHour(c: number): number {
    const tw = this.def.timeWindow;
    if (tw.kind === 'rolling') return Math.floor((c - Math.ceil(tw.durationMs / MINUTE_MS) + 1) / 60);
    const t = c * MINUTE_MS;
    if (t >= this.calEnd || t < this.calStart) {
      // Calendar maths is slow (time zones), so it runs once per calendar window, not per tick.
      const interval = calendarInterval(tw, t);
      this.calStart = interval.start;
      this.calEnd = interval.end;
    }
    return Math.floor(this.calStart / HOUR_MS);
  }

  /** Brings every running sum to minute `c`: step by step when close, re-summed otherwise. */
  advance(c: number): void {
    if (Number.isNaN(this.cursor) || c < this.cursor || c - this.cursor > this.M) {
      this.rebuild(c);
      return;
    }
    while (this.cursor < c) this.step();
  }

  private step(): void {
    const prev = this.cursor;
    const c = prev + 1;
    if (c > this.head) this.advanceHead(c);
    const ph = Math.floor(prev / 60);
    const ch = Math.floor(c / 60);
    if (ch !== ph && (ch + this.stagger) % 24 === 0) {
      this.rebuild(c);
      return;
    }
    const w = this.windowsMin;
    const sums = this.sums;
    const cs = this.slot(c);
    const g = this.unit[cs]!;
    const t = this.unit[cs + 1]!;
    const e = this.raw[cs + 1]!;
    for (let i = 0; i < w.length; i++) {
      const old = c - w[i]!;
      sums[3 * i] = sums[3 * i]! + g - this.unitAt(old, 0);
      sums[3 * i + 1] = sums[3 * i + 1]! + t - this.unitAt(old, 1);
      sums[3 * i + 2] = sums[3 * i + 2]! + e - this.rawTotalAt(old);
    }
    if (ch !== ph) {
      if (ph >= this.startHour) {
        this.hoursGood += this.hourAt(ph, 0);
        this.hoursTotal += this.hourAt(ph, 1);
      }
      this.curGood = 0;
      this.curTotal = 0;
    }
    this.cursor = c;
    this.moveStart(this.periodStartHour(c));
    this.curGood += g;
    this.curTotal += t;
  }

  /** Moves the SLO window's first hour, adding or removing the completed hours in between. */
  private moveStart(newStart: number): void {
    if (newStart === this.startHour) return;
    const ch = Math.floor(this.cursor / 60);
    const sign = newStart > this.startHour ? -1 : 1;
    const from = Math.min(newStart, this.startHour);
    const to = Math.min(Math.max(newStart, this.startHour), ch);
    for (let h = from; h < to; h++) {
      this.hoursGood += sign * this.hourAt(h, 0);
      this.hoursTotal += sign * this.hourAt(h, 1);
    }
    this.startHour = newStart;
  }

  /** Recomputes every sum at minute `c` from the rings. */
  private rebuild(c: number): void {
    if (c > this.head) this.advanceHead(c);
    this.cursor = c;
    // One backward pass: windows are ascending, so each is a prefix of the walk.
    let g = 0;
    let t = 0;
    let e = 0;
    let x = c;
    for (let i = 0; i < this.windowsMin.length; i++) {
      for (const oldest = c - this.windowsMin[i]! + 1; x >= oldest; x--) {
        g += this.unitAt(x, 0);
        t += this.unitAt(x, 1);
        e += this.rawTotalAt(x);
      }
      this.sums[3 * i] = g;
      this.sums[3 * i + 1] = t;
      this.sums[3 * i + 2] = e;
    }
    this.startHour = this.periodStartHour(c);
    const ch = Math.floor(c / 60);
    this.hoursGood = 0;
    this.hoursTotal = 0;
    for (let h = this.startHour; h < ch; h++) {
      this.hoursGood += this.hourAt(h, 0);
      this.hoursTotal += this.hourAt(h, 1);
    }
    this.curGood = 0;
    this.curTotal = 0;
    for (let x = ch * 60; x <= c; x++) {
      this.curGood += this.unitAt(x, 0);
      this.curTotal += this.unitAt(x, 1);
    }
  }

  /** Moves the ring's newest minute to `m`; the rings hold at most FUTURE_SLACK_MINUTES beyond the cursor. */
  private reach(m: number): void {
    // When the ticks lag behind ingestion, the sums are moved forward first, so nothing is lost.
    if (!Number.isNaN(this.cursor) && m > this.cursor + FUTURE_SLACK_MINUTES) {
      this.advance(m - FUTURE_SLACK_MINUTES);
    }
    if (m > this.head) this.advanceHead(m);
  }

  /**
   * Adds buckets (minutes in epoch ms), in any order; returns how many were dropped.
   *
   * Timeslice methods: the ring first moves to the batch's newest minute, so
   * which slices are *old* (first minute at or before the ring's old edge)
   * does not depend on the batch's order. An old slice the state never held
   * (older than anything it held or judged before: the warm-up) is judged
   * from its minutes in this batch, which must then be complete, and its unit
   * goes to the hour ring; its minutes still inside the ring count as events.
   * Every other minute of an old slice is refused: a slice is judged once,
   * either in the ring or from one batch, never twice.
   */
  addBatch(buckets: readonly SliBucket[]): number {
    let dropped = 0;
    if (!this.timeslice) {
      for (const b of buckets) if (!this.add(b.minute, b.good, b.total)) dropped++;
      return dropped;
    }
    let newest = Number.NEGATIVE_INFINITY;
    for (const b of buckets) if (hasData(b)) newest = Math.max(newest, Math.floor(b.minute / MINUTE_MS));
    if (newest === Number.NEGATIVE_INFINITY) return 0;
    this.reach(newest);
    const edge = Math.max(this.head - this.M, this.sealedTo);
    const old = new Map<number, [number, number]>();
    for (const b of buckets) {
      if (!hasData(b)) continue;
      const m = Math.floor(b.minute / MINUTE_MS);
      const start = sliceStartMinute(m, this.sliceMin);
      if (start > edge) {
        if (!this.add(b.minute, b.good, b.total)) dropped++;
      } else if (start >= this.judgedFrom || !this.validHour(Math.floor(start / 60))) {
        this.drop();
        dropped++;
      } else {
        const acc = old.get(start) ?? [0, 0];
        acc[0] += b.good;
        acc[1] += b.total;
        old.set(start, acc);
        if (this.validMinute(m)) this.addRaw(m, b.good, b.total);
      }
    }
    for (const [start, [g, t]] of old) {
      sliceUnit(this.def, g, t, scratch);
      this.applyUnit(start, scratch[0], scratch[1]);
      this.judgedFrom = Math.min(this.judgedFrom, start);
    }
    return dropped;
  }

  /** Adds one bucket's counts (minute in epoch ms). Returns false when it was dropped. */
  add(minuteMs: number, good: number, total: number): boolean {
    const m = Math.floor(minuteMs / MINUTE_MS);
    if (!(total > 0) && !(good > 0)) return true;
    this.reach(m);
    const inRing = m > this.head - this.M;
    if (this.timeslice) {
      // A slice whose first minutes already left the ring was judged for good (addBatch takes old slices).
      const start = sliceStartMinute(m, this.sliceMin);
      if (!inRing || start <= this.head - this.M || start <= this.sealedTo) return this.drop();
      this.addRaw(m, good, total);
      this.refreshSlice(start);
      return true;
    }
    if (inRing) {
      const s = this.slot(m);
      const oldG = this.unit[s]!;
      const oldT = this.unit[s + 1]!;
      this.unit[s] = this.unit[s]! + good;
      this.unit[s + 1] = this.unit[s + 1]! + total;
      const dg = this.unit[s]! - oldG;
      const dt = this.unit[s + 1]! - oldT;
      this.applyUnit(m, dg, dt);
      this.applyEvents(m, dt);
      return true;
    }
    if (!this.validHour(Math.floor(m / 60))) return this.drop();
    this.applyUnit(m, good, total);
    return true;
  }

  /** Adds raw counts of a minute in the ring (timeslice methods) and to the event sums. */
  private addRaw(m: number, good: number, total: number): void {
    const s = this.slot(m);
    const oldT = this.raw[s + 1]!;
    this.raw[s] = this.raw[s]! + good;
    this.raw[s + 1] = this.raw[s + 1]! + total;
    this.applyEvents(m, this.raw[s + 1]! - oldT);
  }

  private drop(): false {
    this.dropped++;
    return false;
  }

  /** Recomputes a slice's unit from its raw minutes and propagates the change. */
  private refreshSlice(start: number): void {
    let g = 0;
    let t = 0;
    for (let x = start; x < start + this.sliceMin; x++) {
      if (!this.validMinute(x)) continue;
      const s = this.slot(x);
      g += this.raw[s]!;
      t += this.raw[s + 1]!;
    }
    sliceUnit(this.def, g, t, scratch);
    const s = this.slot(start);
    const oldG = this.unit[s]!;
    const oldT = this.unit[s + 1]!;
    this.unit[s] = scratch[0];
    this.unit[s + 1] = scratch[1];
    this.applyUnit(start, this.unit[s]! - oldG, this.unit[s + 1]! - oldT);
  }

  /** Propagates a unit change at `minute` to the hour ring and the sums that hold it. */
  private applyUnit(minute: number, dg: number, dt: number): void {
    const hour = Math.floor(minute / 60);
    if (this.validHour(hour)) {
      const hs = this.hourSlot(hour);
      this.hours[hs] = this.hours[hs]! + dg;
      this.hours[hs + 1] = this.hours[hs + 1]! + dt;
    }
    if (Number.isNaN(this.cursor) || minute > this.cursor) return;
    for (let i = 0; i < this.windowsMin.length; i++) {
      if (minute > this.cursor - this.windowsMin[i]!) {
        this.sums[3 * i] = this.sums[3 * i]! + dg;
        this.sums[3 * i + 1] = this.sums[3 * i + 1]! + dt;
      }
    }
    const ch = Math.floor(this.cursor / 60);
    if (hour === ch) {
      this.curGood += dg;
      this.curTotal += dt;
    } else if (hour >= this.startHour && hour < ch) {
      this.hoursGood += dg;
      this.hoursTotal += dt;
    }
  }

  private applyEvents(minute: number, de: number): void {
    if (Number.isNaN(this.cursor) || minute > this.cursor) return;
    for (let i = 0; i < this.windowsMin.length; i++) {
      if (minute > this.cursor - this.windowsMin[i]!) this.sums[3 * i + 2] = this.sums[3 * i + 2]! + de;
    }
  }

  /** Sums over every tracked window at the cursor. */
  windowSums(): WindowSums[] {
    const out: WindowSums[] = [];
    for (let i = 0; i < this.layout.windowsMs.length; i++) {
      out.push({
        windowMs: this.layout.windowsMs[i]!,
        good: this.sums[3 * i]!,
        total: this.sums[3 * i + 1]!,
        events: this.sums[3 * i + 2]!,
      });
    }
    return out;
  }

  /** The SLO window at the cursor: `[start, now)` and its unit sums. */
  periodSums(now: number): { start: number; end: number; good: number; total: number } {
    const start = this.def.timeWindow.kind === 'calendar' ? this.calStart : this.startHour * HOUR_MS;
    return {
      start,
      end: now,
      good: this.hoursGood + this.curGood,
      total: this.hoursTotal + this.curTotal,
    };
  }

  /**
   * Copies the data of another state of the same SLO (same data-relevant
   * definition, different ring sizes), as far as this layout holds it.
   */
  copyFrom(other: SloState): void {
    if (other.head === Number.NEGATIVE_INFINITY) return;
    this.advanceHead(other.head);
    for (let x = Math.max(other.head - other.M, this.head - this.M) + 1; x <= this.head; x++) {
      const from = other.slot(x);
      const to = this.slot(x);
      this.unit[to] = other.unit[from]!;
      this.unit[to + 1] = other.unit[from + 1]!;
      this.raw[to] = other.raw[from]!;
      this.raw[to + 1] = other.raw[from + 1]!;
    }
    const headHour = Math.floor(this.head / 60);
    for (let h = headHour - Math.min(this.H, other.H) + 1; h <= headHour; h++) {
      this.hours[this.hourSlot(h)] = other.hourAt(h, 0);
      this.hours[this.hourSlot(h) + 1] = other.hourAt(h, 1);
    }
    this.alerts = other.alerts;
    this.cursor = Number.NaN;
    // Slices whose minutes left the old ring keep their judged unit: never re-judge them here.
    this.judgedFrom = other.judgedFrom;
    this.sealedTo = Math.max(other.sealedTo, other.head - other.M);
  }
}

function hasData(b: SliBucket): boolean {
  return b.total > 0 || b.good > 0;
}
