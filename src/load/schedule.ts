/**
 * Pure schedules of the executors: when open-model iterations are due, how
 * many VUs a closed-model executor runs at a time, and how long a plan lasts.
 * No IO, no clocks: times are offsets in ms from the start of the run.
 *
 * Open model: iteration `k` (0-based) is due at the instant the integral of
 * the arrival rate reaches `k`. For a constant rate that is `k / rate`, so the
 * first iteration starts at 0 as in k6's constant-arrival-rate; for linear
 * ramps the integral is quadratic per stage and is inverted exactly.
 */
import type { ExecutorSpec } from './types.ts';

type ArrivalExecutor = Extract<ExecutorSpec, { executor: 'constant-arrival-rate' | 'ramping-arrival-rate' }>;

/** One linear piece of the rate, per ms: rate goes r0 → r1 over [start, end). */
interface Segment {
  start: number;
  end: number;
  r0: number;
  r1: number;
  /** Iterations due before `start` (integral of the rate up to `start`). */
  before: number;
  /** Iterations due within the segment. */
  count: number;
}

/** True for executors that start iterations on a clock (open model). */
export function isOpenModel(executor: ExecutorSpec): executor is ArrivalExecutor {
  return executor.executor === 'constant-arrival-rate' || executor.executor === 'ramping-arrival-rate';
}

/** The planned length of a run in ms (for `iterations`: its `maxDurationMs`). */
export function plannedDurationMs(executor: ExecutorSpec): number {
  switch (executor.executor) {
    case 'constant-arrival-rate':
    case 'constant-vus':
      return executor.durationMs;
    case 'ramping-arrival-rate':
    case 'ramping-vus':
      return executor.stages.reduce((sum, s) => sum + s.durationMs, 0);
    case 'iterations':
      return executor.maxDurationMs;
  }
}

function segmentsOf(executor: ArrivalExecutor): Segment[] {
  if (executor.executor === 'constant-arrival-rate') {
    const r = executor.rate / executor.timeUnitMs;
    const count = r * executor.durationMs;
    return [{ start: 0, end: executor.durationMs, r0: r, r1: r, before: 0, count }];
  }
  const segments: Segment[] = [];
  let start = 0;
  let before = 0;
  let rate = executor.startRate / executor.timeUnitMs;
  for (const stage of executor.stages) {
    const r1 = stage.target / executor.timeUnitMs;
    const end = start + stage.durationMs;
    // A zero-length stage is a jump: it moves the rate and adds no iterations.
    const count = ((rate + r1) / 2) * stage.durationMs;
    if (stage.durationMs > 0) segments.push({ start, end, r0: rate, r1, before, count });
    before += count;
    start = end;
    rate = r1;
  }
  return segments;
}

/** Iterations due in [seg.start, seg.start + dt) of a segment. */
function integralIn(seg: Segment, dt: number): number {
  const slope = (seg.r1 - seg.r0) / (seg.end - seg.start);
  return seg.r0 * dt + (slope * dt * dt) / 2;
}

/** Time into the segment at which `m` more iterations have become due. */
function invertIn(seg: Segment, m: number): number {
  if (m <= 0) return 0;
  // The iteration due exactly at the end belongs to the next segment; rounding must not pull it in.
  if (m >= seg.count - 1e-9 * Math.max(1, seg.count)) return seg.end - seg.start;
  const slope = (seg.r1 - seg.r0) / (seg.end - seg.start);
  const disc = seg.r0 * seg.r0 + 2 * slope * m;
  // 2m / (r0 + √disc) is the root of slope·t²/2 + r0·t = m without cancellation.
  const denom = seg.r0 + Math.sqrt(Math.max(0, disc));
  return denom > 0 ? (2 * m) / denom : Number.POSITIVE_INFINITY;
}

/** The target arrival rate (per second) at `tMs`; 0 for closed-model executors and after the end. */
export function targetRateAt(executor: ExecutorSpec, tMs: number): number {
  if (!isOpenModel(executor)) return 0;
  for (const seg of segmentsOf(executor)) {
    if (tMs >= seg.start && tMs < seg.end) {
      const f = (tMs - seg.start) / (seg.end - seg.start);
      return (seg.r0 + (seg.r1 - seg.r0) * f) * 1000;
    }
  }
  return 0;
}

/** Iterations an open-model executor plans over the whole run (rounded down). */
export function plannedIterations(executor: ExecutorSpec): number {
  if (executor.executor === 'iterations') return executor.iterations;
  if (!isOpenModel(executor)) return 0;
  let total = 0;
  for (const seg of segmentsOf(executor)) total = seg.before + seg.count;
  // Iteration k is due when the integral reaches k, so k = 0..ceil(total)−1 fall inside.
  return Math.max(0, Math.ceil(total - 1e-9));
}

/**
 * A cursor over the intended start times of an open-model executor, in order,
 * optionally taking only every `stride`-th iteration starting at `offset`
 * (how worker threads share one schedule exactly). It never materialises the
 * whole run: callers pull times one by one or in chunks.
 */
export class ArrivalCursor {
  readonly #segments: Segment[];
  readonly #stride: number;
  #segIndex = 0;
  #k: number;

  constructor(executor: ArrivalExecutor, offset = 0, stride = 1) {
    this.#segments = segmentsOf(executor);
    this.#k = offset;
    this.#stride = stride;
  }

  /** The next intended time in ms, or `Infinity` once the schedule has ended. */
  next(): number {
    const k = this.#k;
    while (this.#segIndex < this.#segments.length) {
      const seg = this.#segments[this.#segIndex] as Segment;
      const t = seg.start + invertIn(seg, k - seg.before);
      if (t < seg.end) {
        this.#k += this.#stride;
        return t;
      }
      this.#segIndex += 1;
    }
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Intended start offsets (ms) of open-model iterations in `[fromMs, toMs)`,
 * exact for constant rates and linear ramps. Call it window by window so a
 * long run never materialises all its times; adjacent windows partition the
 * schedule (no time is in two windows, none is skipped).
 *
 * @example arrivalTimes({ executor: 'constant-arrival-rate', rate: 10, timeUnitMs: 1000, durationMs: 1000 }, 0, 300)
 * // → Float64Array [0, 100, 200]
 */
export function arrivalTimes(executor: ExecutorSpec, fromMs: number, toMs: number): Float64Array {
  if (!isOpenModel(executor) || toMs <= fromMs) return new Float64Array(0);
  const out: number[] = [];
  for (const seg of segmentsOf(executor)) {
    const lo = Math.max(fromMs, seg.start);
    const hi = Math.min(toMs, seg.end);
    if (hi <= lo) continue;
    // First k whose time is ≥ lo; the same invertIn decides membership in every window.
    // Iterations with k < before belong to earlier segments.
    let k = Math.max(Math.ceil(seg.before), Math.ceil(seg.before + integralIn(seg, lo - seg.start)) - 1);
    while (seg.start + invertIn(seg, k - seg.before) < lo) k += 1;
    for (;;) {
      const t = seg.start + invertIn(seg, k - seg.before);
      if (t >= hi) break;
      out.push(t);
      k += 1;
    }
  }
  return Float64Array.from(out);
}

/**
 * VUs a closed-model executor runs at `tMs` (0 after the end). Ramping VUs
 * interpolate linearly within a stage and round down, as k6's ramping-vus.
 */
export function vusAt(executor: ExecutorSpec, tMs: number): number {
  switch (executor.executor) {
    case 'constant-vus':
      return tMs < executor.durationMs ? executor.vus : 0;
    case 'iterations':
      return tMs < executor.maxDurationMs ? executor.vus : 0;
    case 'ramping-vus': {
      let start = 0;
      let from = executor.startVUs;
      for (const stage of executor.stages) {
        const end = start + stage.durationMs;
        if (tMs < end) {
          const f = (tMs - start) / stage.durationMs;
          return Math.floor(from + (stage.target - from) * f);
        }
        start = end;
        from = stage.target;
      }
      return 0;
    }
    default:
      return 0;
  }
}

/** Worker `index`'s share of `total` split over `count` workers: even, deterministic, summing to total. */
export function shareOf(total: number, index: number, count: number): number {
  const base = Math.floor(total / count);
  return base + (index < total - base * count ? 1 : 0);
}
