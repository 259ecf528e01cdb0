/**
 * The pieces a link chains together. Each toxic on a live connection is one
 * stage: it takes chunks in, holds, cuts, delays or drops them, and passes
 * them to `next` (the next stage, or the destination socket). Stages can be
 * added at the end, updated and removed while data flows, as Toxiproxy
 * re-chains its live links; a removed stage hands on what it still holds.
 */

/** Where a stage sends what it lets through. */
export interface Sink {
  write(chunk: Buffer): void;
  /**
   * No more data. `close` false: the source ended (a half-close is passed on);
   * true: a toxic ended the connection, so both sockets close once this is written.
   */
  end(close: boolean): void;
}

/** What a stage may ask of its connection. */
export interface StageContext {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  random(): number;
  /** The stage threw `bytes` away (flow control counts bytes held in the chain). */
  discard(bytes: number): void;
  /** Resets both sockets (TCP RST) at once. */
  reset(): void;
}

/** One toxic on one direction of one connection. */
export abstract class Stage implements Sink {
  next: Sink;
  protected readonly ctx: StageContext;
  /** End was received or a toxic ended the stream: later writes are dropped. */
  protected ended = false;

  constructor(next: Sink, ctx: StageContext) {
    this.next = next;
    this.ctx = ctx;
  }

  abstract write(chunk: Buffer): void;
  abstract end(close: boolean): void;
  /** Leaves the chain: passes on what it holds, in order, and stops its timers. */
  abstract detach(): void;
}

/** A toxic that does not touch this connection (toxicity said no, or it acts only at accept). */
export class PassStage extends Stage {
  write(chunk: Buffer): void {
    this.next.write(chunk);
  }
  end(close: boolean): void {
    this.next.end(close);
  }
  detach(): void {}
}

type Item = { at: number; chunk: Buffer } | { at: number; end: boolean };

/**
 * A stage that releases what it was given at computed times, in order, on one
 * timer: latency, bandwidth, slicer and slow_close differ only in the times.
 */
export abstract class ScheduledStage extends Stage {
  private queue: Item[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the last queued item goes out; later items never overtake it. */
  protected last = 0;

  protected enqueueChunk(at: number, chunk: Buffer): void {
    this.push({ at, chunk });
  }

  protected enqueueEnd(at: number, close: boolean): void {
    this.ended = true;
    this.push({ at, end: close });
  }

  private push(item: Item): void {
    this.last = Math.max(this.last, item.at);
    item.at = this.last;
    // Nothing waiting and nothing to wait for: pass it on now, without a timer.
    if (this.head === this.queue.length && item.at <= this.ctx.now()) {
      this.release(item);
      return;
    }
    this.queue.push(item);
    if (this.timer === undefined) this.arm();
  }

  private arm(): void {
    const next = this.queue[this.head];
    if (next === undefined) return;
    this.timer = setTimeout(() => this.drain(), Math.max(0, next.at - this.ctx.now()));
  }

  private drain(): void {
    this.timer = undefined;
    // Timers have millisecond granularity; within half a millisecond counts as due.
    const due = this.ctx.now() + 0.5;
    while (this.head < this.queue.length && (this.queue[this.head] as Item).at <= due) {
      this.release(this.queue[this.head++] as Item);
    }
    this.compact();
    this.arm();
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private release(item: Item): void {
    if ('chunk' in item) this.next.write(item.chunk);
    else this.next.end(item.end);
  }

  detach(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const rest = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    for (const item of rest) this.release(item);
  }
}
