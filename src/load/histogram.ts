/**
 * Latency histograms: HdrHistogram (hdr-histogram-js) in microseconds from
 * 1 µs to one hour at 3 significant digits, so a 2 ms and a 1.4 s latency
 * both keep 0.1 % precision. The pure-JS Int32 variant is used: it needs no
 * WebAssembly initialisation per worker thread, records in ~70 ns, and its
 * compressed encoding merges exactly (bucket counts are added, never
 * re-sampled), which is how per-worker histograms become one.
 */
import {
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  Int32Histogram,
  type JsHistogram,
} from 'hdr-histogram-js';
import type { LatencySummary } from './types.ts';

/** Highest trackable value: one hour in µs. Larger values are clamped. */
export const HIGHEST_US = 3_600_000_000;

/** A latency histogram recording microseconds. */
export type LatencyHistogram = JsHistogram;

/** A new, empty histogram (µs, 1 µs .. 1 h, 3 significant digits). */
export function createHistogram(): LatencyHistogram {
  return new Int32Histogram(1, HIGHEST_US, 3);
}

/**
 * Records a duration given in ms (fractional) as whole µs, clamped to the
 * trackable range so one absurd value never throws on the hot path.
 */
export function recordMs(h: LatencyHistogram, ms: number): void {
  let us = Math.round(ms * 1000);
  if (!(us >= 1))
    us = 1; // also catches NaN
  else if (us > HIGHEST_US) us = HIGHEST_US;
  h.recordValue(us);
}

/** Compressed base64 form, to send a histogram between threads or store it. */
export function encodeHistogram(h: LatencyHistogram): string {
  return encodeIntoCompressedBase64(h);
}

/** Decodes an `encodeHistogram` string. */
export function decodeHistogram(encoded: string): LatencyHistogram {
  return decodeFromCompressedBase64(encoded, 32, false) as LatencyHistogram;
}

/** Adds every count of `from` into `into` (exact merge). */
export function mergeInto(into: LatencyHistogram, from: LatencyHistogram): void {
  if (from.totalCount > 0) into.add(from);
}

/** Takes every count of `from` out of `into` (exact: `from` must have been merged into `into`). */
export function subtractFrom(into: LatencyHistogram, from: LatencyHistogram): void {
  if (from.totalCount > 0) into.subtract(from);
}

/** Value at percentile `p` (0..100) in ms; 0 for an empty histogram. */
export function percentileMs(h: LatencyHistogram, p: number): number {
  return h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000;
}

/** The summary the report uses: p50, p90, p99, p99.9, max and mean, in ms. */
export function summarize(h: LatencyHistogram): LatencySummary {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    p50: percentileMs(h, 50),
    p90: percentileMs(h, 90),
    p99: percentileMs(h, 99),
    p999: percentileMs(h, 99.9),
    // The bucket bound, not the raw max: the raw max does not survive encoding, so merged and single histograms agree.
    max: percentileMs(h, 100),
    mean: meanMs(h),
  };
}

/**
 * Mean in ms, the same value as `h.mean / 1000` (same terms, same order) in
 * a plain loop over the counts: the library's iterator takes ~1 ms per call,
 * which the run pays for every histogram it summarises each second.
 */
export function meanMs(h: LatencyHistogram): number {
  const total = h.totalCount;
  if (total === 0) return 0;
  let sum = 0;
  let seen = 0;
  const n = h.countsArrayLength;
  for (let i = 0; i < n && seen < total; i++) {
    const c = h.getCountAtIndex(i);
    if (c === 0) continue;
    seen += c;
    sum += h.medianEquivalentValue(h.valueFromIndex(i)) * c;
  }
  return sum / total / 1000;
}

/** Recorded values strictly above `ms` (bucket resolution: 0.1 %). */
export function countAboveMs(h: LatencyHistogram, ms: number): number {
  if (h.totalCount === 0) return 0;
  const us = Math.round(ms * 1000);
  if (us >= HIGHEST_US) return 0;
  if (us < 1) return h.totalCount;
  // Counts at or below `us` live in indexes 0..countsArrayIndex(us).
  const last = h.countsArrayIndex(us);
  let atOrBelow = 0;
  for (let i = 0; i <= last; i++) atOrBelow += h.getCountAtIndex(i);
  return h.totalCount - atOrBelow;
}

/**
 * The percentile spectrum as HdrHistogram plots it: points that halve the
 * remaining distance to 100 % (5 ticks per half), until fewer than one
 * sample is left in the tail, then 100 %.
 */
export function spectrum(h: LatencyHistogram): { percentile: number; latency_ms: number }[] {
  if (h.totalCount === 0) return [];
  const out: { percentile: number; latency_ms: number }[] = [];
  const ticksPerHalf = 5;
  for (let i = 0; ; i++) {
    const p = 100 * (1 - 0.5 ** (i / ticksPerHalf));
    if ((1 - p / 100) * h.totalCount < 1 || p >= 99.9999) break;
    out.push({ percentile: round(p, 6), latency_ms: percentileMs(h, p) });
  }
  out.push({ percentile: 100, latency_ms: percentileMs(h, 100) });
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/*
 * Recording on the hot path. hdr-histogram-js finds a value's bucket with
 * floating-point log2 and a chain of method calls, about 60 ns a value, and a
 * request records four values. `LatencyRecorder` keeps counts in the same
 * layout as `createHistogram()` (1 µs .. 1 h, 3 significant digits: 2,048
 * sub-buckets, of which the upper 1,024 repeat per power of two), finds the
 * index with one `Math.clz32`, and moves its counts into a real histogram once
 * a second (`drainInto`), so everything downstream (encoding, exact merges,
 * percentiles) stays hdr-histogram-js. Values are whole µs below 2^32, so
 * 32-bit integer operations are exact.
 */
const SUB_BUCKET_HALF_MAGNITUDE = 10;
const SUB_BUCKET_MASK = 2047;

/** The counts index of `us` (whole, 1 ≤ us ≤ HIGHEST_US) in a `createHistogram()` histogram. */
export function countsIndexOf(us: number): number {
  const bucket = 21 - Math.clz32(us | SUB_BUCKET_MASK);
  return (bucket << SUB_BUCKET_HALF_MAGNITUDE) + (us >>> bucket);
}

/** A cheap write-only histogram whose counts are moved into a `LatencyHistogram` (see above). */
export class LatencyRecorder {
  /** Float64: a bucket of a long run can pass 2^31 counts. */
  readonly #counts: Float64Array;
  #lowest = Number.POSITIVE_INFINITY;
  #highest = -1;
  #total = 0;

  constructor() {
    this.#counts = new Float64Array(countsIndexOf(HIGHEST_US) + 1);
  }

  /** Values recorded since the last drain. */
  get count(): number {
    return this.#total;
  }

  /** Records a duration in ms as whole µs, clamped to 1 µs .. 1 h (NaN counts as 1 µs). */
  recordMs(ms: number): void {
    let us = Math.round(ms * 1000);
    if (!(us >= 1)) us = 1;
    else if (us > HIGHEST_US) us = HIGHEST_US;
    const i = countsIndexOf(us);
    this.#counts[i] = (this.#counts[i] as number) + 1;
    if (i < this.#lowest) this.#lowest = i;
    if (i > this.#highest) this.#highest = i;
    this.#total += 1;
  }

  /** Adds every count recorded since the last drain to `h` (exactly) and empties this recorder. */
  drainInto(h: LatencyHistogram): void {
    const counts = this.#counts;
    for (let i = this.#lowest; i <= this.#highest; i++) {
      const c = counts[i] as number;
      if (c === 0) continue;
      h.recordValueWithCount(h.valueFromIndex(i), c);
      counts[i] = 0;
    }
    this.#lowest = Number.POSITIVE_INFINITY;
    this.#highest = -1;
    this.#total = 0;
  }
}
