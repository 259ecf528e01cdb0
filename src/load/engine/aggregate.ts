/**
 * Main-thread merge of worker snapshots: whole-run histograms and counts,
 * the per-second series (a second is emitted once every worker reported it),
 * a ring of recent seconds for windowed thresholds, and `MetricsView`s.
 * No threads and no IO here: `run.ts` feeds it messages.
 */
import {
  countAboveMs,
  createHistogram,
  decodeHistogram,
  type LatencyHistogram,
  meanMs,
  mergeInto,
  percentileMs,
  subtractFrom,
  summarize,
} from '../histogram.ts';
import { arrivalTimes } from '../schedule.ts';
import type { MetricsView } from '../thresholds/index.ts';
import type { ErrorKind, ExecutorSpec, SecondSample } from '../types.ts';
import type { Snapshot } from './protocol.ts';

/** Counts and histograms of a span of the run. */
export interface Tally {
  started: number;
  ok: number;
  failed: number;
  errors: Partial<Record<ErrorKind, number>>;
  dropped: number;
  latency: LatencyHistogram;
  service: LatencyHistogram;
  lag: LatencyHistogram;
}

/** An empty tally. */
export function emptyTally(): Tally {
  return {
    started: 0,
    ok: 0,
    failed: 0,
    errors: {},
    dropped: 0,
    latency: createHistogram(),
    service: createHistogram(),
    lag: createHistogram(),
  };
}

/** Adds `b` into `a` (exact: histogram counts are added). */
export function addTally(a: Tally, b: Tally): void {
  a.started += b.started;
  a.ok += b.ok;
  a.failed += b.failed;
  a.dropped += b.dropped;
  for (const [k, n] of Object.entries(b.errors) as [ErrorKind, number][])
    a.errors[k] = (a.errors[k] ?? 0) + n;
  mergeInto(a.latency, b.latency);
  mergeInto(a.service, b.service);
  mergeInto(a.lag, b.lag);
}

/** Takes `b` out of `a` again (exact; `b` must have been added to `a`). */
export function subtractTally(a: Tally, b: Tally): void {
  a.started -= b.started;
  a.ok -= b.ok;
  a.failed -= b.failed;
  a.dropped -= b.dropped;
  for (const [k, n] of Object.entries(b.errors) as [ErrorKind, number][]) {
    const left = (a.errors[k] ?? 0) - n;
    if (left === 0) delete a.errors[k];
    else a.errors[k] = left;
  }
  subtractFrom(a.latency, b.latency);
  subtractFrom(a.service, b.service);
  subtractFrom(a.lag, b.lag);
}

/** A snapshot as a tally (decodes its histograms). */
export function tallyOf(s: Snapshot): Tally {
  return {
    started: s.started,
    ok: s.ok,
    failed: s.failed,
    errors: { ...s.errors },
    dropped: s.dropped,
    latency: decodeHistogram(s.latency),
    service: decodeHistogram(s.service),
    lag: decodeHistogram(s.lag),
  };
}

/** A `MetricsView` over a tally spanning `durationMs`. */
export function viewOf(t: Tally, durationMs: number): MetricsView {
  const total = t.ok + t.failed;
  return {
    durationMs,
    total,
    ok: t.ok,
    failed: t.failed,
    errors: t.errors,
    rps: durationMs > 0 ? (total * 1000) / durationMs : 0,
    latencyPercentile: (p) => percentileMs(t.latency, p),
    serviceTimePercentile: (p) => percentileMs(t.service, p),
    latencyMean: () => meanMs(t.latency),
    latencyMax: () => percentileMs(t.latency, 100),
    countLatencyAbove: (ms) => countAboveMs(t.latency, ms),
  };
}

/** Generator-health signals of one second (worst worker), all the validity check needs. */
export interface SecondHealth {
  /** Worst worker's event-loop delay p99 (ms) and utilisation in this second. */
  eventLoopDelayP99Ms: number;
  elu: number;
  capHit: boolean;
  maxQueued: number;
}

/**
 * One released second: scalars only. Its histograms are not part of it: they
 * live in the aggregator's ring while windowed thresholds may need them,
 * then go back to the pool, so the run's memory does not grow per second.
 */
export interface MergedSecond extends SecondHealth {
  second: number;
  inFlight: number;
  maxLagMs: number;
  sample: SecondSample;
  /** This second's latency p50 and p99, ms (the live view). */
  p50Ms: number;
  p99Ms: number;
}

/** A second still waiting for some worker's snapshot. */
interface PendingSecond extends SecondHealth {
  second: number;
  tally: Tally;
  inFlight: number;
  maxLagMs: number;
  reported: number;
}

/**
 * Reusable tallies: a tally that leaves the ring is reset and handed to the
 * next second instead of allocating three ~94 KB histograms again. Keeps at
 * most `maxFree` spare ones, so a burst of pending seconds is not held forever.
 */
export class TallyPool {
  readonly #free: Tally[] = [];
  readonly #maxFree: number;
  /** Tallies ever created (a pool that works stops growing this). */
  created = 0;

  constructor(maxFree = 4) {
    this.#maxFree = maxFree;
  }

  /** An empty tally, reused when one is free. */
  take(): Tally {
    const t = this.#free.pop();
    if (!t) {
      this.created += 1;
      return emptyTally();
    }
    return t;
  }

  /** Returns `t` (the caller must not use it again). */
  give(t: Tally): void {
    if (this.#free.length >= this.#maxFree) return;
    t.started = 0;
    t.ok = 0;
    t.failed = 0;
    t.errors = {};
    t.dropped = 0;
    t.latency.reset();
    t.service.reset();
    t.lag.reset();
    this.#free.push(t);
  }

  get free(): number {
    return this.#free.length;
  }
}

/**
 * Collects snapshots from `workers` workers and releases whole seconds in
 * order. Retained memory is bounded: the whole-run tally, one tally per
 * pending second, `ringSeconds` tallies for windowed thresholds, a few
 * pooled spares, and a few hundred bytes of scalars per second.
 */
export class Aggregator {
  readonly whole = emptyTally();
  /** Health of every released second, in order (small records: the validity check reads them). */
  readonly seconds: SecondHealth[] = [];
  readonly series: SecondSample[] = [];
  readonly #pending = new Map<number, PendingSecond>();
  /** Tallies of the last `#ringSize` released seconds, oldest first. */
  readonly #ring: Tally[] = [];
  readonly #ringSize: number;
  /** The sum of the ring, kept as seconds enter and leave: the longest window costs no merging. */
  readonly #ringSum: Tally | undefined;
  readonly #pool = new TallyPool();
  /** Window views of the current second, by window length in seconds (rebuilt after each release). */
  readonly #windows = new Map<number, { tally: Tally; view: MetricsView }>();
  readonly #executor: ExecutorSpec;
  /** Per worker: the last second it will report (Infinity while it runs). */
  readonly #lastSecond: number[];
  #nextSecond = 0;

  /** `ringSeconds`: the longest threshold window, in whole seconds (0: no windowed thresholds). */
  constructor(executor: ExecutorSpec, workers: number, ringSeconds: number) {
    this.#executor = executor;
    this.#lastSecond = new Array<number>(workers).fill(Number.POSITIVE_INFINITY);
    this.#ringSize = Math.max(0, Math.ceil(ringSeconds));
    this.#ringSum = this.#ringSize > 0 ? emptyTally() : undefined;
  }

  /** Histograms the aggregator holds right now (whole run, pending, ring, window views, spares). */
  get retainedHistograms(): number {
    const tallies =
      (this.#ringSum ? 2 : 1) + this.#pending.size + this.#ring.length + this.#windows.size + this.#pool.free;
    return tallies * 3;
  }

  /** Tallies ever allocated for seconds and windows (bounded when pooling works). */
  get talliesCreated(): number {
    return this.#pool.created;
  }

  /** Adds one worker's snapshot; returns the seconds that became complete, in order. */
  add(s: Snapshot): MergedSecond[] {
    if (s.second < this.#nextSecond) {
      // A second already released (a worker reported late): still count it in the run's totals.
      addTally(this.whole, tallyOf(s));
      return [];
    }
    let m = this.#pending.get(s.second);
    if (!m) {
      m = {
        second: s.second,
        tally: this.#pool.take(),
        inFlight: 0,
        maxLagMs: 0,
        eventLoopDelayP99Ms: 0,
        elu: 0,
        capHit: false,
        maxQueued: 0,
        reported: 0,
      };
      this.#pending.set(s.second, m);
    }
    addTally(m.tally, tallyOf(s));
    m.inFlight += s.inFlight;
    m.maxLagMs = Math.max(m.maxLagMs, s.maxLagMs);
    m.eventLoopDelayP99Ms = Math.max(m.eventLoopDelayP99Ms, s.eventLoopDelayP99Ms);
    m.elu = Math.max(m.elu, s.elu);
    m.capHit ||= s.capHit;
    m.maxQueued += s.maxQueued;
    m.reported += 1;
    return this.#release(false);
  }

  /** Releases every pending second (at the end of the run, or when a worker is gone). */
  flush(): MergedSecond[] {
    return this.#release(true);
  }

  /**
   * Worker `index` reports nothing after `lastSecond` (it finished, or died:
   * pass -1): seconds past it no longer wait for that worker.
   */
  workerDone(index: number, lastSecond: number): MergedSecond[] {
    this.#lastSecond[index] = lastSecond;
    return this.#release(false);
  }

  #expected(second: number): number {
    let n = 0;
    for (const last of this.#lastSecond) if (last >= second) n += 1;
    return n;
  }

  #release(all: boolean): MergedSecond[] {
    const out: MergedSecond[] = [];
    for (;;) {
      if (this.#pending.size === 0) break;
      const m = this.#pending.get(this.#nextSecond);
      if (!m) {
        // A gap: only at the end (or when no worker will report this second) is it skipped.
        if (!all && this.#expected(this.#nextSecond) > 0) break;
        this.#nextSecond += 1;
        continue;
      }
      if (!all && m.reported < this.#expected(m.second)) break;
      this.#pending.delete(this.#nextSecond);
      this.#nextSecond += 1;
      out.push(this.#accept(m));
    }
    return out;
  }

  #accept(m: PendingSecond): MergedSecond {
    const t = m.tally;
    addTally(this.whole, t);
    const sample: SecondSample = {
      t: m.second,
      targetRate: arrivalTimes(this.#executor, m.second * 1000, m.second * 1000 + 1000).length,
      achievedRate: t.ok + t.failed,
      ok: t.ok,
      failed: t.failed,
      inFlight: m.inFlight,
      latency_ms: summarize(t.latency),
      service_time_ms: summarize(t.service),
      lag_ms: m.maxLagMs,
    };
    this.series.push(sample);
    const health: SecondHealth = {
      eventLoopDelayP99Ms: m.eventLoopDelayP99Ms,
      elu: m.elu,
      capHit: m.capHit,
      maxQueued: m.maxQueued,
    };
    this.seconds.push(health);
    // The ring keeps what windowed thresholds need; whatever leaves it is reused.
    this.#ring.push(t);
    if (this.#ringSum) addTally(this.#ringSum, t);
    while (this.#ring.length > this.#ringSize) {
      const old = this.#ring.shift() as Tally;
      if (this.#ringSum && old !== t) subtractTally(this.#ringSum, old);
      this.#pool.give(old);
    }
    for (const w of this.#windows.values()) if (w.tally !== this.#ringSum) this.#pool.give(w.tally);
    this.#windows.clear();
    return {
      ...health,
      second: m.second,
      inFlight: m.inFlight,
      maxLagMs: m.maxLagMs,
      sample,
      p50Ms: sample.latency_ms.p50,
      p99Ms: sample.latency_ms.p99,
    };
  }

  /**
   * The last `windowMs` of the run as a view (whole seconds from the ring,
   * at most the ring's length). The view is valid until the next second is
   * released: its histograms are pooled.
   */
  windowView(windowMs: number): MetricsView {
    const n = Math.min(this.#ring.length, Math.max(1, Math.ceil(windowMs / 1000)));
    let w = this.#windows.get(n);
    if (!w && this.#ringSum && n === this.#ring.length) {
      w = { tally: this.#ringSum, view: viewOf(this.#ringSum, n * 1000) };
    } else if (!w) {
      const tally = this.#pool.take();
      for (let i = this.#ring.length - n; i < this.#ring.length; i++) addTally(tally, this.#ring[i] as Tally);
      w = { tally, view: viewOf(tally, n * 1000) };
      this.#windows.set(n, w);
    }
    return w.view;
  }
}
