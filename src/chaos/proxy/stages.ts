/**
 * One stage class per toxic type, with Toxiproxy's behaviour:
 * latency delays each chunk (order kept), bandwidth paces bytes, slicer cuts
 * chunks, slow_close delays the EOF, timeout drops everything and closes
 * later (or never), reset_peer sends RST after the first data, limit_data
 * closes after N bytes. `loss` acts when a connection is accepted (proxy.ts),
 * so on a live link it is a pass-through.
 */
import { PassStage, ScheduledStage, type Sink, Stage, type StageContext } from './stage.ts';
import type { Toxic, ToxicAttributesByType, ToxicOf } from './types.ts';

/** A stage whose toxic's attributes can change in place (an update of the toxic). */
export interface Updatable {
  update(toxic: Toxic): void;
}

class LatencyStage extends ScheduledStage implements Updatable {
  private attrs: ToxicAttributesByType['latency'];
  constructor(next: Sink, ctx: StageContext, toxic: ToxicOf<'latency'>) {
    super(next, ctx);
    this.attrs = toxic.attributes;
  }
  update(toxic: Toxic): void {
    this.attrs = (toxic as ToxicOf<'latency'>).attributes;
  }
  private delay(): number {
    const { latency, jitter } = this.attrs;
    // latency ± jitter, as Toxiproxy: uniform in [latency - jitter, latency + jitter).
    const d = jitter > 0 ? latency + Math.floor(this.ctx.random() * jitter * 2) - jitter : latency;
    return Math.max(0, d);
  }
  write(chunk: Buffer): void {
    if (this.ended) {
      this.ctx.discard(chunk.length);
      return;
    }
    this.enqueueChunk(this.ctx.now() + this.delay(), chunk);
  }
  end(close: boolean): void {
    if (!this.ended) this.enqueueEnd(this.ctx.now(), close);
  }
}

class BandwidthStage extends ScheduledStage implements Updatable {
  /** KB/s, which is bytes per millisecond. */
  private rate: number;
  constructor(next: Sink, ctx: StageContext, toxic: ToxicOf<'bandwidth'>) {
    super(next, ctx);
    this.rate = toxic.attributes.rate;
  }
  update(toxic: Toxic): void {
    this.rate = (toxic as ToxicOf<'bandwidth'>).attributes.rate;
  }
  write(chunk: Buffer): void {
    if (this.ended) {
      this.ctx.discard(chunk.length);
      return;
    }
    // Each piece goes out when its bytes have "arrived" at the rate; pieces of at most
    // 100 ms worth, as Toxiproxy, so a slow rate trickles instead of bursting.
    let at = Math.max(this.last, this.ctx.now());
    const piece = Math.max(1, this.rate * 100);
    for (let off = 0; off < chunk.length; off += piece) {
      const part = chunk.subarray(off, Math.min(chunk.length, off + piece));
      at += part.length / this.rate;
      this.enqueueChunk(at, part);
    }
  }
  end(close: boolean): void {
    if (!this.ended) this.enqueueEnd(this.ctx.now(), close);
  }
}

/**
 * Where to cut `size` bytes into slices of `average` ± `variation` (Toxiproxy's
 * recursive halving, so no tendency to a small slice at either end). Returns
 * the slice ends, ascending, the last one `size`.
 *
 * @example sliceEnds(100, 10, 0, Math.random) // [10, 20, ..., 100] give or take halving
 */
export function sliceEnds(size: number, average: number, variation: number, random: () => number): number[] {
  const ends: number[] = [];
  const cut = (start: number, end: number): void => {
    if (end - start - average <= variation) {
      if (end > start) ends.push(end);
      return;
    }
    const jitter = variation > 0 ? Math.floor(random() * variation * 2) - variation : 0;
    const mid = start + Math.floor((end - start) / 2) + jitter;
    cut(start, mid);
    cut(mid, end);
  };
  cut(0, size);
  return ends;
}

class SlicerStage extends ScheduledStage implements Updatable {
  private attrs: ToxicAttributesByType['slicer'];
  constructor(next: Sink, ctx: StageContext, toxic: ToxicOf<'slicer'>) {
    super(next, ctx);
    this.attrs = toxic.attributes;
  }
  update(toxic: Toxic): void {
    this.attrs = (toxic as ToxicOf<'slicer'>).attributes;
  }
  write(chunk: Buffer): void {
    if (this.ended) {
      this.ctx.discard(chunk.length);
      return;
    }
    const { average_size, size_variation, delay } = this.attrs;
    // Toxiproxy sends a slice, then waits `delay` µs. Timers resolve to about a
    // millisecond, so sub-millisecond delays group a few slices per tick.
    let at = Math.max(this.last, this.ctx.now());
    let start = 0;
    for (const end of sliceEnds(chunk.length, average_size, size_variation, this.ctx.random)) {
      this.enqueueChunk(at, chunk.subarray(start, end));
      at += delay / 1000;
      start = end;
    }
  }
  end(close: boolean): void {
    if (!this.ended) this.enqueueEnd(this.ctx.now(), close);
  }
}

class SlowCloseStage extends ScheduledStage implements Updatable {
  private delay: number;
  constructor(next: Sink, ctx: StageContext, toxic: ToxicOf<'slow_close'>) {
    super(next, ctx);
    this.delay = toxic.attributes.delay;
  }
  update(toxic: Toxic): void {
    this.delay = (toxic as ToxicOf<'slow_close'>).attributes.delay;
  }
  write(chunk: Buffer): void {
    if (this.ended) {
      this.ctx.discard(chunk.length);
      return;
    }
    this.enqueueChunk(this.ctx.now(), chunk);
  }
  end(close: boolean): void {
    if (!this.ended) this.enqueueEnd(this.ctx.now() + this.delay, close);
  }
}

/**
 * Drops everything; closes the connection `timeout` ms after it took effect
 * (Toxiproxy's documented behaviour), or never when 0. Removing it closes the
 * connection too, as Toxiproxy's cleanup does: the data it ate is gone.
 */
class TimeoutStage extends Stage implements Updatable {
  private timer: NodeJS.Timeout | undefined;
  constructor(next: Sink, ctx: StageContext, toxic: ToxicOf<'timeout'>) {
    super(next, ctx);
    this.arm(toxic.attributes.timeout);
  }
  private arm(timeout: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = timeout > 0 ? setTimeout(() => this.close(), timeout) : undefined;
  }
  update(toxic: Toxic): void {
    if (!this.ended) this.arm((toxic as ToxicOf<'timeout'>).attributes.timeout);
  }
  private close(): void {
    this.timer = undefined;
    if (this.ended) return;
    this.ended = true;
    this.next.end(true);
  }
  write(chunk: Buffer): void {
    this.ctx.discard(chunk.length);
  }
  end(close: boolean): void {
    if (this.ended) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.ended = true;
    this.next.end(close);
  }
  detach(): void {
    this.close();
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}

/** Resets the connection `timeout` ms after the first data (or EOF) reaches it; that data is dropped. */
class ResetPeerStage extends Stage implements Updatable {
  private timeout: number;
  private timer: NodeJS.Timeout | undefined;
  private triggered = false;
  constructor(next: Sink, ctx: StageContext, toxic: ToxicOf<'reset_peer'>) {
    super(next, ctx);
    this.timeout = toxic.attributes.timeout;
  }
  update(toxic: Toxic): void {
    this.timeout = (toxic as ToxicOf<'reset_peer'>).attributes.timeout;
  }
  private trigger(): void {
    if (this.triggered) return;
    this.triggered = true;
    if (this.timeout === 0) this.ctx.reset();
    else this.timer = setTimeout(() => this.ctx.reset(), this.timeout);
  }
  write(chunk: Buffer): void {
    this.ctx.discard(chunk.length);
    this.trigger();
  }
  end(_close: boolean): void {
    this.trigger();
  }
  detach(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    // Data was already dropped: the stream is broken, so close it rather than carry on.
    if (this.triggered && !this.ended) {
      this.ended = true;
      this.next.end(true);
    }
  }
}

/** Passes `bytes` bytes, then closes the connection. The count survives updates. */
class LimitDataStage extends Stage implements Updatable {
  private limit: number;
  private passed = 0;
  constructor(next: Sink, ctx: StageContext, toxic: ToxicOf<'limit_data'>) {
    super(next, ctx);
    this.limit = toxic.attributes.bytes;
  }
  update(toxic: Toxic): void {
    this.limit = (toxic as ToxicOf<'limit_data'>).attributes.bytes;
  }
  write(chunk: Buffer): void {
    if (this.ended) {
      this.ctx.discard(chunk.length);
      return;
    }
    const room = Math.max(0, this.limit - this.passed);
    const part = room < chunk.length ? chunk.subarray(0, room) : chunk;
    if (part.length < chunk.length) this.ctx.discard(chunk.length - part.length);
    if (part.length > 0) {
      this.passed += part.length;
      this.next.write(part);
    }
    if (this.passed >= this.limit) {
      this.ended = true;
      this.next.end(true);
    }
  }
  end(close: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.next.end(close);
  }
  detach(): void {}
}

/**
 * Whether `toxic` acts on a link: rolled once per connection and toxic against
 * its toxicity, and again on each update, as Toxiproxy rolls each time a toxic
 * (re)starts on a link. `loss` acts at accept time only, never on a live link.
 */
export function rollActive(toxic: Toxic, random: () => number): boolean {
  return toxic.type !== 'loss' && random() < toxic.toxicity;
}

/** The stage of `toxic` on one link; a pass-through when `active` is false. */
export function createStage(toxic: Toxic, next: Sink, ctx: StageContext, active: boolean): Stage {
  if (!active || toxic.type === 'loss') return new PassStage(next, ctx);
  switch (toxic.type) {
    case 'latency':
      return new LatencyStage(next, ctx, toxic);
    case 'bandwidth':
      return new BandwidthStage(next, ctx, toxic);
    case 'slicer':
      return new SlicerStage(next, ctx, toxic);
    case 'slow_close':
      return new SlowCloseStage(next, ctx, toxic);
    case 'timeout':
      return new TimeoutStage(next, ctx, toxic);
    case 'reset_peer':
      return new ResetPeerStage(next, ctx, toxic);
    case 'limit_data':
      return new LimitDataStage(next, ctx, toxic);
  }
}

/** True when the stage can take the toxic's new attributes in place. */
export function isUpdatable(stage: Stage): stage is Stage & Updatable {
  return typeof (stage as Partial<Updatable>).update === 'function';
}
