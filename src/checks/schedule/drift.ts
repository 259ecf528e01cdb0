/**
 * How late scheduled runs start (start − due time), kept in an HDR histogram
 * so the p99 over millions of runs costs a fixed few kilobytes. The checks
 * module keeps its own (hdr-histogram-js is a dependency both it and the load
 * module use) rather than reaching into the load generator's helpers.
 */
import { Int32Histogram } from 'hdr-histogram-js';

/** One hour in µs: a run later than that is recorded as an hour late. */
const HIGHEST_US = 3_600_000_000;

export class DriftRecorder {
  readonly #histogram = new Int32Histogram(1, HIGHEST_US, 3);

  /** Records a lateness in ms (fractions kept to the µs; early, NaN and absurd values clamped). */
  record(ms: number): void {
    let us = Math.round(ms * 1000);
    if (!(us >= 1)) us = 1;
    else if (us > HIGHEST_US) us = HIGHEST_US;
    this.#histogram.recordValue(us);
  }

  /** The lateness at percentile `p` (0..100) in ms; 0 before any run. */
  percentileMs(p: number): number {
    const h = this.#histogram;
    return h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000;
  }
}
