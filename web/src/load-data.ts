/**
 * Pure data shaping for the load-test pages: merging live seconds into a
 * run, chart columns, the percentile spectrum's axis, and number formats.
 */
import type { LoadSummary, SecondSample } from '../../src/load/types.ts';

/**
 * Merges samples into a run's series, ordered by `t`; a second that arrives
 * again (a retry, or the summary's complete series) replaces the old one.
 */
export function mergeSeconds(existing: SecondSample[], incoming: SecondSample[]): SecondSample[] {
  const byT = new Map<number, SecondSample>();
  for (const s of existing) byT.set(s.t, s);
  for (const s of incoming) byT.set(s.t, s);
  return [...byT.values()].sort((a, b) => a.t - b.t);
}

/** Chart columns of a run's seconds; `times` are epoch ms (run start + t seconds). */
export interface SecondColumns {
  times: number[];
  p50: number[];
  p90: number[];
  p99: number[];
  max: number[];
  serviceP99: number[];
  target: number[];
  achieved: number[];
  failed: number[];
}

export function secondColumns(startedAt: number, seconds: SecondSample[]): SecondColumns {
  return {
    times: seconds.map((s) => startedAt + s.t * 1_000),
    p50: seconds.map((s) => s.latency_ms.p50),
    p90: seconds.map((s) => s.latency_ms.p90),
    p99: seconds.map((s) => s.latency_ms.p99),
    max: seconds.map((s) => s.latency_ms.max),
    serviceP99: seconds.map((s) => s.service_time_ms.p99),
    target: seconds.map((s) => s.targetRate),
    achieved: seconds.map((s) => s.achievedRate),
    failed: seconds.map((s) => s.failed),
  };
}

/** The right end of the spectrum's x axis (99.9999%). */
export const SPECTRUM_MAX_X = 1e6;

/**
 * A percentile (in percent, 0..100; or a ratio below 1) as HdrHistogram plots
 * it: x = 1/(1−p), on a log axis, so 90%, 99%, 99.9% are evenly spaced.
 */
export function percentileToX(p: number): number {
  const q = p > 1 ? p / 100 : p;
  return q >= 1 ? SPECTRUM_MAX_X : Math.min(SPECTRUM_MAX_X, 1 / (1 - q));
}

/** The inverse of `percentileToX`, as an axis label: 10 → '90%', 1000 → '99.9%'. */
export function spectrumLabel(x: number): string {
  const p = (1 - 1 / x) * 100;
  if (p <= 0) return '0%';
  const digits = Math.max(0, Math.round(Math.log10(x)) - 2);
  return `${p.toFixed(digits)}%`;
}

/** Points of the spectrum chart: latency (from the intended start) and service time. */
export interface SpectrumPoints {
  x: number[];
  latency: (number | null)[];
  service: (number | null)[];
}

const KEY_PERCENTILES = [
  [50, 'p50'],
  [90, 'p90'],
  [99, 'p99'],
  [99.9, 'p999'],
] as const;

/**
 * The spectrum of a finished run: the summary's full spectrum for latency, the
 * four summary percentiles for service time (all the summary keeps of it).
 */
export function spectrumPoints(
  summary: Pick<LoadSummary, 'spectrum' | 'latency_ms' | 'service_time_ms'>,
): SpectrumPoints {
  const rows: [number, number | null, number | null][] = summary.spectrum.map((s) => [
    percentileToX(s.percentile),
    s.latency_ms,
    null,
  ]);
  for (const [p, key] of KEY_PERCENTILES) {
    rows.push([percentileToX(p), null, summary.service_time_ms[key]]);
    if (summary.spectrum.length === 0) rows.push([percentileToX(p), summary.latency_ms[key], null]);
  }
  rows.sort((a, b) => a[0] - b[0]);
  return { x: rows.map((r) => r[0]), latency: rows.map((r) => r[1]), service: rows.map((r) => r[2]) };
}

/**
 * Milliseconds in a readable unit.
 * @example formatMs(0.42) // '0.42 ms'; formatMs(1420) // '1.42 s'
 */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms === 0) return '0 ms';
  if (ms >= 1_000) return `${(ms / 1_000).toFixed(ms >= 10_000 ? 1 : 2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** Requests per second: whole numbers from 100 up, one decimal below. */
export function formatRate(rps: number | null | undefined): string {
  if (rps === null || rps === undefined || !Number.isFinite(rps)) return '—';
  return rps >= 100 ? `${Math.round(rps).toLocaleString('en-US')}/s` : `${rps.toFixed(1)}/s`;
}

/** An error ratio as a percentage with enough digits to tell 0.01% from 0. */
export function formatErrorRate(ratio: number): string {
  if (ratio === 0) return '0%';
  const pct = ratio * 100;
  return pct >= 1 ? `${pct.toFixed(1)}%` : `${pct.toPrecision(2)}%`;
}

/** What a run's badge says, and its tone (a CSS modifier shared with alert badges). */
export interface RunVerdict {
  label: string;
  tone: 'ok' | 'ticket' | 'page' | 'nodata';
}

/**
 * The one-word verdict of a run: running, failed, aborted, not valid (the
 * generator fell behind), thresholds failed, or passed — worst first.
 */
export function runVerdict(run: {
  status: string;
  key: { valid: boolean; thresholdsPassed: number; thresholdsTotal: number } | null;
}): RunVerdict {
  if (run.status === 'running') return { label: 'running', tone: 'nodata' };
  if (run.status === 'failed') return { label: 'failed', tone: 'page' };
  if (run.status === 'aborted') return { label: 'aborted', tone: 'page' };
  if (!run.key) return { label: 'no summary', tone: 'nodata' };
  if (run.key.thresholdsPassed < run.key.thresholdsTotal) return { label: 'thresholds failed', tone: 'page' };
  if (!run.key.valid) return { label: 'not valid', tone: 'ticket' };
  return { label: 'passed', tone: 'ok' };
}
