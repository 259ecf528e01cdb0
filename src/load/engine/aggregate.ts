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
  mergeInto,
  percentileMs,
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
    latencyMean: () => (t.latency.totalCount === 0 ? 0 : t.latency.mean / 1000),
    latencyMax: () => percentileMs(t.latency, 100),
    countLatencyAbove: (ms) => countAboveMs(t.latency, ms),
  };
}

/** One merged second, with the generator-health signals of all workers. */
export interface MergedSecond {
  second: number;
  tally: Tally;
  inFlight: number;
  maxLagMs: number;
  /** Worst worker's event-loop delay p99 and utilisation in this second. */
  eventLoopDelayP99Ms: number;
  elu: number;
  capHit: boolean;
  maxQueued: number;
  reported: number;
  /** Set once the second is released. */
  sample?: SecondSample;
}

/** Collects snapshots from `workers` workers and releases whole seconds in order. */
export class Aggregator {
  readonly whole = emptyTally();
  readonly seconds: MergedSecond[] = [];
  readonly series: SecondSample[] = [];
  readonly #pending = new Map<number, MergedSecond>();
  readonly #ring: MergedSecond[] = [];
  readonly #ringSize: number;
  readonly #executor: ExecutorSpec;
  /** Per worker: the last second it will report (Infinity while it runs). */
  readonly #lastSecond: number[];
  #nextSecond = 0;

  constructor(executor: ExecutorSpec, workers: number, ringSeconds: number) {
    this.#executor = executor;
    this.#lastSecond = new Array<number>(workers).fill(Number.POSITIVE_INFINITY);
    this.#ringSize = Math.max(1, ringSeconds);
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
        tally: emptyTally(),
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
      this.#accept(m);
      out.push(m);
    }
    return out;
  }

  #accept(m: MergedSecond): void {
    addTally(this.whole, m.tally);
    this.seconds.push(m);
    this.#ring.push(m);
    if (this.#ring.length > this.#ringSize) this.#ring.shift();
    const t = m.tally;
    m.sample = {
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
    this.series.push(m.sample);
  }

  /** The last `windowMs` of the run as a view (whole seconds from the ring). */
  windowView(windowMs: number): MetricsView {
    const n = Math.max(1, Math.ceil(windowMs / 1000));
    const secs = this.#ring.slice(-n);
    const t = emptyTally();
    for (const m of secs) addTally(t, m.tally);
    return viewOf(t, secs.length * 1000);
  }
}
