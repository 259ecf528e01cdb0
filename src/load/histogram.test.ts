import { describe, expect, it } from 'vitest';
import {
  countAboveMs,
  countsIndexOf,
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  HIGHEST_US,
  LatencyRecorder,
  meanMs,
  mergeInto,
  percentileMs,
  recordMs,
  spectrum,
  summarize,
} from './histogram.ts';

/** A deterministic spread of latencies (ms) from 0.05 ms to ~3 s, skewed to the low end. */
function values(n: number, seed: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const u = x / 2147483648;
    out.push(0.05 + 3000 * u ** 4);
  }
  return out;
}

describe('histogram', () => {
  it('merges per-worker histograms exactly: the merge equals one histogram over all values', () => {
    const single = createHistogram();
    const merged = createHistogram();
    for (let w = 0; w < 4; w++) {
      const part = createHistogram();
      for (const v of values(5000, w + 1)) {
        recordMs(part, v);
        recordMs(single, v);
      }
      // Through the wire format, as worker threads send them.
      mergeInto(merged, decodeHistogram(encodeHistogram(part)));
    }
    expect(merged.totalCount).toBe(single.totalCount);
    for (const p of [0, 1, 50, 90, 99, 99.9, 99.99, 100]) {
      expect(percentileMs(merged, p)).toBe(percentileMs(single, p));
    }
    expect(summarize(merged)).toEqual(summarize(single));
    expect(spectrum(merged)).toEqual(spectrum(single));
  });

  it.each([
    { name: 'keeps 3 significant digits at 1.5 s', ms: 1500, within: 1.5 },
    { name: 'keeps microsecond precision below 1 ms', ms: 0.25, within: 0.001 },
    { name: 'clamps values beyond an hour instead of throwing', ms: 5 * 3_600_000, within: 3_600_000 },
    { name: 'records zero and negative durations as 1 µs', ms: -3, within: 0.001 + 3 },
  ])('$name', ({ ms, within }) => {
    const h = createHistogram();
    recordMs(h, ms);
    const expected = Math.min(Math.max(ms, 0.001), 3_600_000);
    expect(Math.abs(percentileMs(h, 50) - expected)).toBeLessThanOrEqual(within);
  });

  it('counts the values above a bound', () => {
    const h = createHistogram();
    const vs = values(2000, 7);
    for (const v of vs) recordMs(h, v);
    const bound = 100;
    const exact = vs.filter((v) => v > bound * 1.001).length;
    const loose = vs.filter((v) => v > bound * 0.999).length;
    const counted = countAboveMs(h, bound);
    expect(counted).toBeGreaterThanOrEqual(exact);
    expect(counted).toBeLessThanOrEqual(loose);
    expect(countAboveMs(h, 0)).toBe(2000);
  });

  it('summarises an empty histogram as zeros and an empty spectrum', () => {
    const h = createHistogram();
    expect(summarize(h)).toEqual({ p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 });
    expect(spectrum(h)).toEqual([]);
  });

  it('gives a spectrum that rises with the percentile and ends at the maximum', () => {
    const h = createHistogram();
    for (const v of values(10_000, 3)) recordMs(h, v);
    const s = spectrum(h);
    expect(s[0]?.percentile).toBe(0);
    expect(s.at(-1)).toEqual({ percentile: 100, latency_ms: summarize(h).max });
    expect(summarize(h).max).toBeGreaterThanOrEqual(h.maxValue / 1000);
    for (let i = 1; i < s.length; i++) {
      expect(s[i]?.percentile).toBeGreaterThan(s[i - 1]?.percentile ?? 0);
      expect(s[i]?.latency_ms).toBeGreaterThanOrEqual(s[i - 1]?.latency_ms ?? 0);
    }
    expect(s.some((p) => p.percentile > 99.9)).toBe(true);
  });

  it.each([
    { name: 'the fast mean equals the library mean for one worker', workers: 1 },
    { name: 'the fast mean equals the library mean for histograms merged from four workers', workers: 4 },
  ])('$name', ({ workers }) => {
    const h = createHistogram();
    for (let w = 0; w < workers; w++) {
      const part = createHistogram();
      for (const v of values(3000, 10 + w)) recordMs(part, v);
      mergeInto(h, decodeHistogram(encodeHistogram(part)));
    }
    expect(meanMs(h)).toBe(h.mean / 1000);
    expect(summarize(h).mean).toBe(h.mean / 1000);
  });
});

describe('LatencyRecorder', () => {
  it('finds the same counts index as hdr-histogram-js for every kind of value', () => {
    const h = createHistogram();
    const probes: number[] = [];
    for (let us = 1; us <= 70_000; us++) probes.push(us);
    for (let k = 11; k < 32; k++) for (const d of [-1, 0, 1]) probes.push(2 ** k + d);
    for (const v of values(20_000, 7)) probes.push(Math.round(v * 1000));
    probes.push(HIGHEST_US - 1, HIGHEST_US);
    const mismatches = probes
      .filter((us) => us >= 1 && us <= HIGHEST_US)
      .filter((us) => countsIndexOf(us) !== h.countsArrayIndex(us));
    expect(mismatches).toEqual([]);
  });

  it('drains into a histogram exactly what recording there directly gives, and starts empty again', () => {
    const direct = createHistogram();
    const viaRecorder = createHistogram();
    const r = new LatencyRecorder();
    const all = [...values(10_000, 3), 0, -5, Number.NaN, 2 * 3_600_000, 0.0004];
    for (const v of all) {
      recordMs(direct, v);
      r.recordMs(v);
    }
    expect(r.count).toBe(all.length);
    r.drainInto(viaRecorder);
    expect(r.count).toBe(0);
    expect(encodeHistogram(viaRecorder)).toBe(encodeHistogram(direct));
    expect(summarize(viaRecorder)).toEqual(summarize(direct));
    // Empty after the drain: a second drain adds nothing.
    r.drainInto(viaRecorder);
    expect(viaRecorder.totalCount).toBe(direct.totalCount);
  });
});
