/**
 * One direction of a proxied connection: reads the source socket, runs the
 * chunks through this direction's toxic stages in order, writes the
 * destination socket. With no toxics the chunks go straight to the
 * destination, the same work as `source.pipe(dest)`, so the fast path stays cheap.
 */
import type { Socket } from 'node:net';
import { PassStage, type Sink, type Stage, type StageContext } from './stage.ts';
import { createStage, isUpdatable, rollActive } from './stages.ts';
import type { Stream, Toxic } from './types.ts';

/**
 * Bytes a link may hold inside its stages (a latency queue, a bandwidth
 * backlog) before it stops reading its source. Bounds memory under a slow toxic.
 */
const HOLD_LIMIT = 1024 * 1024;

/** What a link needs from its connection. */
export interface LinkOwner {
  /** A toxic ended the stream: write out what is queued for `dest`, then close both sockets. */
  closeAfterFlush(): void;
  /** Reset both sockets now. */
  reset(): void;
  random(): number;
}

interface Entry {
  name: string;
  stage: Stage;
}

export class Link {
  readonly stream: Stream;
  private readonly source: Socket;
  private readonly dest: Socket;
  private readonly ctx: StageContext;
  private readonly sink: Sink;
  private entries: Entry[] = [];
  /** Bytes read from the source and not yet written to the destination (or dropped). */
  private held = 0;
  private destFull = false;
  private paused = false;
  /** The destination got its end: nothing more is written. */
  private done = false;

  constructor(source: Socket, dest: Socket, stream: Stream, toxics: readonly Toxic[], owner: LinkOwner) {
    this.source = source;
    this.dest = dest;
    this.stream = stream;
    this.ctx = {
      now: () => performance.now(),
      random: () => owner.random(),
      discard: (bytes) => {
        this.held -= bytes;
        this.flow();
      },
      reset: () => owner.reset(),
    };
    this.sink = {
      write: (chunk) => {
        this.held -= chunk.length;
        if (!this.done && !this.dest.write(chunk)) this.destFull = true;
        this.flow();
      },
      end: (close) => {
        if (this.done) return;
        this.done = true;
        if (close) owner.closeAfterFlush();
        else this.dest.end();
      },
    };
    for (const toxic of toxics) this.add(toxic);
  }

  /** Takes a chunk read from the source (the 'data' handler, or a socket's `onread`). */
  push(chunk: Buffer): void {
    this.held += chunk.length;
    this.head().write(chunk);
    this.flow();
  }

  /** No toxic stage: a chunk goes straight to the destination. */
  get direct(): boolean {
    return this.entries.length === 0 && !this.done;
  }

  /** A chunk the reader wants back: written as is (no stages), `release` once the socket is done with it. */
  pushOwned(chunk: Buffer, release: () => void): void {
    if (!this.dest.write(chunk, release)) this.destFull = true;
    this.flow();
  }

  /** Starts reading the source; `external`: its chunks come through {@link push} (onread). */
  start(external = false): void {
    if (!external) this.source.on('data', (chunk: Buffer) => this.push(chunk));
    this.source.on('end', () => this.head().end(false));
    this.dest.on('drain', () => {
      this.destFull = false;
      this.flow();
    });
    this.source.resume();
  }

  /** Drops whatever arrives from now on and stops every stage's timers (the connection is closing). */
  stop(): void {
    this.done = true;
    this.destFull = false;
    // In chain order, so what one stage hands on is dropped by the next one's detach too.
    for (const e of this.entries) e.stage.detach();
    this.flow();
  }

  private head(): Sink {
    return this.entries[0]?.stage ?? this.sink;
  }

  private flow(): void {
    const hold = !this.done && (this.destFull || this.held > HOLD_LIMIT);
    if (hold && !this.paused) {
      this.paused = true;
      this.source.pause();
    } else if (!hold && this.paused) {
      this.paused = false;
      this.source.resume();
    }
  }

  /** Appends a toxic at the end of the chain, as Toxiproxy does for a new toxic on a live link. */
  add(toxic: Toxic): void {
    const stage = createStage(toxic, this.sink, this.ctx, rollActive(toxic, this.ctx.random));
    const last = this.entries.at(-1);
    if (last) last.stage.next = stage;
    this.entries.push({ name: toxic.name, stage });
  }

  /** Takes a toxic's new attributes; toxicity is rolled again, as Toxiproxy restarts the toxic. */
  update(toxic: Toxic): void {
    const i = this.entries.findIndex((e) => e.name === toxic.name);
    const entry = this.entries[i];
    if (!entry) return;
    const active = rollActive(toxic, this.ctx.random);
    const old = entry.stage;
    const wasActive = !(old instanceof PassStage);
    if (wasActive && active && isUpdatable(old)) {
      old.update(toxic);
      return;
    }
    if (!wasActive && !active) return;
    const stage = createStage(toxic, old.next, this.ctx, active);
    // What the old stage holds goes on past it; later data takes the new stage.
    old.detach();
    entry.stage = stage;
    const prev = this.entries[i - 1];
    if (prev) prev.stage.next = stage;
  }

  /** Removes a toxic from the chain; what it holds goes on unchanged. */
  remove(name: string): void {
    const i = this.entries.findIndex((e) => e.name === name);
    const entry = this.entries[i];
    if (!entry) return;
    entry.stage.detach();
    const prev = this.entries[i - 1];
    if (prev) prev.stage.next = entry.stage.next;
    this.entries.splice(i, 1);
  }
}
