/**
 * One worker's share of a run: starts iterations (on a clock in the open
 * model, in VU loops in the closed model), measures them, and hands a
 * snapshot per second to `emit`. Runs inside a worker thread; holds no
 * knowledge of threads itself (`worker.ts` wires the messages).
 *
 * Hot path: a request is a preallocated `Slot` from a free list whose
 * `done` callback is bound once, so starting and finishing one allocates
 * nothing of ours; latencies go into `LatencyRecorder`s (cheap to record
 * into), moved into HDR histograms once a second.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createHistogram, encodeHistogram, type LatencyHistogram, LatencyRecorder } from '../histogram.ts';
import { HttpPool, type RequestOutcome } from '../http/index.ts';
import { ArrivalCursor, isOpenModel, plannedDurationMs, shareOf, vusAt } from '../schedule.ts';
import type { ErrorKind, LoadPlan, RequestTemplate } from '../types.ts';
import type { RequestStats, Snapshot } from './protocol.ts';
import type { WorkerSource } from './source.ts';

/** Requests allowed to wait in a worker's pool queues before new iterations are dropped. */
export const MAX_QUEUED = 100_000;

class Slot {
  busy = false;
  intendedAt = 0;
  startedAt = 0;
  template: RequestTemplate | undefined = undefined;
  /** Closed model: the VU this slot belongs to (-1 in the open model). */
  vu = -1;
  done: (o: RequestOutcome) => void = () => {};
}

interface NameStats {
  total: number;
  failed: number;
  latency: LatencyRecorder;
}

/** Options a generator runs with. */
export interface GeneratorOptions {
  plan: LoadPlan;
  index: number;
  count: number;
  source: WorkerSource;
  emit: (s: Snapshot) => void;
}

export class Generator {
  readonly #plan: LoadPlan;
  readonly #index: number;
  readonly #count: number;
  readonly #source: WorkerSource;
  readonly #emit: (s: Snapshot) => void;
  readonly #pools = new Map<string, HttpPool>();
  readonly #slots: Slot[] = [];
  readonly #free: Slot[] = [];
  readonly #names = new Map<string, NameStats>();
  readonly #eld = monitorEventLoopDelay({ resolution: 10 });
  #elu = performance.eventLoopUtilization();
  #start = 0;
  #end = 0;
  #second = 0;
  #stopping = false;
  #closed = false;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #secondTimer: NodeJS.Timeout | undefined;
  #finished: (() => void) | undefined;
  // This second's measurements.
  #latency = new LatencyRecorder();
  #service = new LatencyRecorder();
  #lag = new LatencyRecorder();
  /** Reused to encode a recorder's counts. */
  readonly #encoder: LatencyHistogram = createHistogram();
  /**
   * With a single request, its per-name latency is the run's latency: kept by adding
   * up the per-second histograms instead of recording every value twice.
   */
  readonly #runLatency: LatencyHistogram | undefined;
  #started = 0;
  #ok = 0;
  #failed = 0;
  #errors: Partial<Record<ErrorKind, number>> = {};
  #dropped = 0;
  #maxLag = 0;
  #capHit = false;
  #maxQueued = 0;
  // Open model.
  #cursor: ArrivalCursor | undefined;
  #next = Number.POSITIVE_INFINITY;
  // Closed model.
  #vusRunning = 0;
  #vuWanted = 0;
  #iterationsLeft = Number.POSITIVE_INFINITY;

  constructor(o: GeneratorOptions) {
    this.#plan = o.plan;
    if (o.plan.requests.length === 1) this.#runLatency = createHistogram();
    this.#index = o.index;
    this.#count = o.count;
    this.#source = o.source;
    this.#emit = o.emit;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Runs the share from `startMs` (this thread's performance.now() clock)
   * until the schedule ends and in-flight requests finish (or `drainMs`
   * passes, then they count as timeouts). Resolves with the requests forced.
   */
  run(startMs: number, drainMs: number): Promise<number> {
    this.#start = startMs;
    this.#end = startMs + plannedDurationMs(this.#plan.executor);
    this.#eld.enable();
    this.#elu = performance.eventLoopUtilization();
    const done = new Promise<void>((resolve) => {
      this.#finished = resolve;
    });
    // Stopped before it started (an abort during start-up): nothing to run.
    if (this.#stopping) this.#finished?.();
    this.#scheduleSecond();
    const ex = this.#plan.executor;
    const wait = Math.max(0, startMs - performance.now());
    setTimeout(() => {
      if (this.#stopping) return;
      if (isOpenModel(ex)) {
        this.#cursor = new ArrivalCursor(ex, this.#index, this.#count);
        this.#next = startMs + this.#cursor.next();
        this.#tick();
      } else {
        if (ex.executor === 'iterations')
          this.#iterationsLeft = shareOf(ex.iterations, this.#index, this.#count);
        this.#adjustVus();
      }
    }, wait);
    return done.then(() => this.#drain(drainMs));
  }

  /** Stops starting iterations; in-flight ones get `graceMs` to finish. */
  stop(graceMs: number): void {
    this.#end = Math.min(this.#end, performance.now());
    this.#drainOverride = graceMs;
    this.#finishSchedule();
  }

  #drainOverride: number | undefined;

  async #drain(drainMs: number): Promise<number> {
    const deadline = performance.now() + (this.#drainOverride ?? drainMs);
    while (this.#inFlight > 0 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(20, Math.max(1, deadline - performance.now()))));
    }
    const forced = this.#inFlight;
    if (forced > 0) {
      // Still pending at the hard stop: a timeout, with the latency it has reached so far.
      const now = performance.now();
      for (const slot of this.#slots) {
        if (!slot.busy || !slot.template) continue;
        this.#latency.recordMs(now - slot.intendedAt);
        this.#service.recordMs(now - slot.startedAt);
        const stats = this.#nameStats(slot.template.name);
        stats.total += 1;
        stats.failed += 1;
        if (this.#runLatency === undefined) stats.latency.recordMs(now - slot.intendedAt);
      }
      this.#failed += forced;
      this.#errors.timeout = (this.#errors.timeout ?? 0) + forced;
      this.#inFlight = 0;
    }
    this.#closed = true;
    clearTimeout(this.#secondTimer);
    await Promise.all([...this.#pools.values()].map((p) => p.close()));
    return forced;
  }

  /** The unsent snapshot of the current (partial) second. */
  finalSnapshot(): Snapshot {
    const s = this.#snapshot();
    this.#eld.disable();
    return s;
  }

  /** Per-request-name totals with encoded latency histograms. */
  perRequest(): Record<string, RequestStats> {
    const out: Record<string, RequestStats> = {};
    for (const [name, s] of this.#names)
      out[name] = {
        total: s.total,
        failed: s.failed,
        latency: this.#runLatency ? encodeHistogram(this.#runLatency) : this.#encode(s.latency),
      };
    return out;
  }

  #finishSchedule(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#finished?.();
  }

  // ── open model ────────────────────────────────────────────────────────

  #tick = (): void => {
    this.#timer = undefined;
    if (this.#stopping) return;
    const now = performance.now();
    while (this.#next <= now) {
      if (this.#next >= this.#end) break;
      this.#startIteration(this.#next, now, -1);
      this.#next = this.#start + (this.#cursor as ArrivalCursor).next();
    }
    if (this.#next >= this.#end) {
      this.#finishSchedule();
      return;
    }
    // setTimeout, never a setImmediate spin: a spinning loop would read as a saturated CPU.
    this.#timer = setTimeout(this.#tick, Math.max(0, this.#next - performance.now()));
  };

  // ── closed model ──────────────────────────────────────────────────────

  #adjustVus = (): void => {
    if (this.#stopping) return;
    const now = performance.now();
    if (now >= this.#end) {
      this.#vuWanted = 0;
      this.#finishSchedule();
      return;
    }
    this.#vuWanted = shareOf(vusAt(this.#plan.executor, now - this.#start), this.#index, this.#count);
    while (this.#vusRunning < this.#vuWanted && this.#iterationsLeft > 0) {
      this.#vusRunning += 1;
      this.#startIteration(now, now, this.#vusRunning - 1);
    }
    if (this.#iterationsLeft <= 0 && this.#inFlight === 0) {
      this.#finishSchedule();
      return;
    }
    this.#timer = setTimeout(this.#adjustVus, Math.min(100, Math.max(1, this.#end - now)));
  };

  /**
   * A VU finished an iteration at `now` (the completion's timestamp, taken in this
   * same callback): loop, or retire if the ramp no longer wants it.
   */
  #continueVu(vu: number, now: number): void {
    if (this.#stopping || now >= this.#end || vu >= this.#vuWanted || this.#iterationsLeft <= 0) {
      this.#vusRunning -= 1;
      if (this.#iterationsLeft <= 0 && this.#inFlight === 0) this.#finishSchedule();
      return;
    }
    this.#startIteration(now, now, vu);
  }

  // ── both ──────────────────────────────────────────────────────────────

  #startIteration(intendedAt: number, now: number, vu: number): void {
    const it = this.#source.next();
    const origin = it.request.origin;
    // Nearly every scenario has one origin: skip the map lookup for a repeat.
    let pool = origin === this.#lastOrigin ? this.#lastPool : this.#pools.get(origin);
    if (!pool) {
      pool = new HttpPool(it.request.origin, {
        ...this.#plan.http,
        keepBody: this.#source.keepBody,
        keepHeaders: this.#source.keepHeaders,
      });
      this.#pools.set(origin, pool);
    }
    this.#lastOrigin = origin;
    this.#lastPool = pool;
    if (pool.queued >= MAX_QUEUED) {
      this.#dropped += 1;
      if (vu >= 0) this.#vusRunning -= 1;
      return;
    }
    const slot = this.#free.pop() ?? this.#newSlot();
    slot.busy = true;
    slot.intendedAt = intendedAt;
    slot.startedAt = now;
    slot.template = it.template;
    slot.vu = vu;
    if (this.#iterationsLeft !== Number.POSITIVE_INFINITY) this.#iterationsLeft -= 1;
    if (vu < 0) {
      // Schedule lag exists only in the open model: a VU's iteration is intended when it starts.
      const lag = now - intendedAt;
      this.#lag.recordMs(lag);
      if (lag > this.#maxLag) this.#maxLag = lag;
    }
    this.#started += 1;
    this.#inFlight += 1;
    pool.send(it.request, slot.done);
    if (pool.saturated) this.#capHit = true;
    if (pool.queued > this.#maxQueued) this.#maxQueued = pool.queued;
  }

  #newSlot(): Slot {
    const slot = new Slot();
    slot.done = (o) => this.#complete(slot, o);
    this.#slots.push(slot);
    return slot;
  }

  #complete(slot: Slot, o: RequestOutcome): void {
    if (this.#closed || !slot.busy) return;
    const template = slot.template as RequestTemplate;
    const sentAt = o.sentAt ?? slot.startedAt;
    this.#latency.recordMs(o.doneAt - slot.intendedAt);
    this.#service.recordMs(o.doneAt - sentAt);
    const kind = this.#source.judge(template, o);
    const stats = this.#nameStats(template.name);
    stats.total += 1;
    if (this.#runLatency === undefined) stats.latency.recordMs(o.doneAt - slot.intendedAt);
    if (kind === undefined) this.#ok += 1;
    else {
      this.#failed += 1;
      this.#errors[kind] = (this.#errors[kind] ?? 0) + 1;
      stats.failed += 1;
    }
    slot.busy = false;
    slot.template = undefined;
    this.#inFlight -= 1;
    this.#free.push(slot);
    if (slot.vu >= 0) this.#continueVu(slot.vu, o.doneAt);
  }

  /** The recorder's counts, encoded (and added to `alsoInto`); the recorder is emptied. */
  #encode(r: LatencyRecorder, alsoInto?: LatencyHistogram): string {
    this.#encoder.reset();
    r.drainInto(this.#encoder);
    if (alsoInto !== undefined && this.#encoder.totalCount > 0) alsoInto.add(this.#encoder);
    return encodeHistogram(this.#encoder);
  }

  #nameStats(name: string): NameStats {
    // Most scenarios have one request, or long runs of the same one: skip the map lookup.
    if (name === this.#lastName && this.#lastStats !== undefined) return this.#lastStats;
    let s = this.#names.get(name);
    if (!s) {
      s = { total: 0, failed: 0, latency: new LatencyRecorder() };
      this.#names.set(name, s);
    }
    this.#lastName = name;
    this.#lastStats = s;
    return s;
  }

  #lastOrigin = '';
  #lastPool: HttpPool | undefined;
  #lastName = '';
  #lastStats: NameStats | undefined;

  // ── seconds ───────────────────────────────────────────────────────────

  #scheduleSecond(): void {
    const due = this.#start + (this.#second + 1) * 1000;
    this.#secondTimer = setTimeout(this.#onSecond, Math.max(0, due - performance.now()));
  }

  #onSecond = (): void => {
    if (this.#closed) return;
    this.#emit(this.#snapshot());
    this.#scheduleSecond();
  };

  #snapshot(): Snapshot {
    const elu = performance.eventLoopUtilization(this.#elu);
    this.#elu = performance.eventLoopUtilization();
    const eldP99 = this.#eld.count > 0 ? this.#eld.percentile(99) / 1e6 : 0;
    this.#eld.reset();
    let queued = 0;
    for (const p of this.#pools.values()) queued += p.queued;
    const s: Snapshot = {
      second: this.#second,
      started: this.#started,
      ok: this.#ok,
      failed: this.#failed,
      errors: this.#errors,
      dropped: this.#dropped,
      latency: this.#encode(this.#latency, this.#runLatency),
      service: this.#encode(this.#service),
      lag: this.#encode(this.#lag),
      maxLagMs: this.#maxLag,
      inFlight: this.#inFlight,
      eventLoopDelayP99Ms: eldP99,
      elu: elu.utilization,
      capHit: this.#capHit,
      maxQueued: Math.max(this.#maxQueued, queued),
    };
    this.#second += 1;
    this.#started = 0;
    this.#ok = 0;
    this.#failed = 0;
    this.#errors = {};
    this.#dropped = 0;
    this.#maxLag = 0;
    this.#capHit = false;
    this.#maxQueued = 0;
    return s;
  }
}
