import { describe, expect, it } from 'vitest';
import type { LatencySummary, SecondSample } from '../../src/load/types.ts';
import {
  formatErrorRate,
  formatMs,
  formatRate,
  mergeSeconds,
  percentileToX,
  runVerdict,
  secondColumns,
  spectrumLabel,
  spectrumPoints,
} from './load-data.ts';

const lat = (b: number): LatencySummary => ({
  p50: b,
  p90: 2 * b,
  p99: 3 * b,
  p999: 4 * b,
  max: 5 * b,
  mean: b,
});
const sec = (t: number, ok = 10): SecondSample => ({
  t,
  targetRate: 10,
  achievedRate: ok,
  ok,
  failed: 0,
  inFlight: 1,
  latency_ms: lat(t + 1),
  service_time_ms: lat(t),
  lag_ms: 0,
});

describe('mergeSeconds', () => {
  it.each([
    {
      name: 'new seconds are appended in order of t',
      a: [sec(0)],
      b: [sec(2), sec(1)],
      ts: [0, 1, 2],
      oks: [10, 10, 10],
    },
    {
      name: 'a second sent again replaces the old one',
      a: [sec(0), sec(1)],
      b: [sec(1, 99)],
      ts: [0, 1],
      oks: [10, 99],
    },
    { name: 'nothing new leaves the series as it was', a: [sec(0)], b: [], ts: [0], oks: [10] },
  ])('$name', ({ a, b, ts, oks }) => {
    const merged = mergeSeconds(a, b);
    expect(merged.map((s) => s.t)).toEqual(ts);
    expect(merged.map((s) => s.ok)).toEqual(oks);
  });
});

describe('secondColumns', () => {
  it('places each second at the run start plus t seconds and keeps the values aligned', () => {
    const seconds = [sec(0), sec(3)];
    const cols = secondColumns(1_000_000, seconds);
    expect(cols.times).toEqual(seconds.map((s) => 1_000_000 + s.t * 1_000));
    expect(cols.p99).toEqual(seconds.map((s) => s.latency_ms.p99));
    expect(cols.serviceP99).toEqual(seconds.map((s) => s.service_time_ms.p99));
    expect(cols.achieved).toEqual(seconds.map((s) => s.achievedRate));
  });
});

describe('percentile spectrum axis', () => {
  it.each([
    { name: 'the median sits at 2', p: 50, x: 2 },
    { name: 'p90 sits at 10', p: 90, x: 10 },
    { name: 'a ratio below 1 is read as a fraction', p: 0.99, x: 100 },
    { name: 'p100 is pinned to the right end instead of infinity', p: 100, x: 1e6 },
  ])('$name', ({ p, x }) => {
    expect(percentileToX(p)).toBeCloseTo(x, 6);
  });
  it.each([
    { name: 'labels read back the percentile of a decade', p: 99.9 },
    { name: 'labels of the median have no decimals', p: 50 },
  ])('$name', ({ p }) => {
    expect(Number.parseFloat(spectrumLabel(percentileToX(p)))).toBeCloseTo(p, 6);
  });
});

describe('spectrumPoints', () => {
  it('orders points by x and keeps latency and service time on separate series', () => {
    const s = {
      spectrum: [
        { percentile: 99, latency_ms: 30 },
        { percentile: 50, latency_ms: 5 },
      ],
      latency_ms: lat(5),
      service_time_ms: lat(2),
    };
    const pts = spectrumPoints(s);
    expect(pts.x).toEqual([...pts.x].sort((a, b) => a - b));
    expect(pts.latency.filter((v) => v !== null)).toEqual([5, 30]);
    expect(pts.service.filter((v) => v !== null)).toEqual([lat(2).p50, lat(2).p90, lat(2).p99, lat(2).p999]);
  });
  it('falls back to the summary percentiles when the spectrum is empty', () => {
    const pts = spectrumPoints({ spectrum: [], latency_ms: lat(5), service_time_ms: lat(2) });
    expect(pts.latency.filter((v) => v !== null)).toEqual([lat(5).p50, lat(5).p90, lat(5).p99, lat(5).p999]);
  });
});

describe('formats', () => {
  it.each([
    { name: 'sub-millisecond latency keeps two decimals', value: formatMs(0.426), expected: '0.43 ms' },
    { name: 'seconds are shown as seconds', value: formatMs(1_420), expected: '1.42 s' },
    { name: 'a missing latency is a dash', value: formatMs(null), expected: '—' },
    { name: 'high rates are whole numbers with separators', value: formatRate(1234.4), expected: '1,234/s' },
    { name: 'low rates keep a decimal', value: formatRate(9.96), expected: '10.0/s' },
    {
      name: 'a tiny error rate keeps two significant digits',
      value: formatErrorRate(0.00012),
      expected: '0.012%',
    },
    { name: 'no errors is plain zero', value: formatErrorRate(0), expected: '0%' },
  ])('$name', ({ value, expected }) => {
    expect(value).toBe(expected);
  });
});

describe('runVerdict', () => {
  const key = (over: object = {}) => ({ valid: true, thresholdsPassed: 2, thresholdsTotal: 2, ...over });
  it.each([
    { name: 'a running run says running', run: { status: 'running', key: null }, label: 'running' },
    {
      name: 'a run whose generator crashed says failed',
      run: { status: 'failed', key: null },
      label: 'failed',
    },
    { name: 'a run stopped early says aborted', run: { status: 'aborted', key: key() }, label: 'aborted' },
    {
      name: 'a failed threshold wins over an invalid run',
      run: { status: 'finished', key: key({ thresholdsPassed: 1, valid: false }) },
      label: 'thresholds failed',
    },
    {
      name: 'a run whose generator fell behind is not valid',
      run: { status: 'finished', key: key({ valid: false }) },
      label: 'not valid',
    },
    {
      name: 'a valid run with every threshold met passed',
      run: { status: 'finished', key: key() },
      label: 'passed',
    },
  ])('$name', ({ run, label }) => {
    expect(runVerdict(run).label).toBe(label);
  });
});
