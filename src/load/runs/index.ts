/**
 * Pure helpers for stored load-test runs: the key numbers a list shows, and
 * the run status a summary implies. No IO; the server's routes call these.
 */
import type { LoadSummary } from '../types.ts';

/** The numbers a runs list shows for one finished run. */
export interface RunKeyNumbers {
  durationMs: number;
  executor: string;
  requests: number;
  failed: number;
  /** failed / requests, 0 without requests. */
  errorRate: number;
  targetRate: number;
  achievedRate: number;
  p50_ms: number;
  p99_ms: number;
  valid: boolean;
  aborted: boolean;
  thresholdsPassed: number;
  thresholdsTotal: number;
}

/** The parts of a summary `runKeyNumbers` reads (a list reads summaries without their series). */
export type SummaryHead = Pick<
  LoadSummary,
  'durationMs' | 'executor' | 'requests' | 'rate' | 'latency_ms' | 'valid' | 'aborted' | 'thresholds'
>;

/**
 * The key numbers of a run from its summary.
 *
 * @example
 * runKeyNumbers(summary).errorRate // 0.002 for 2 failed of 1,000
 */
export function runKeyNumbers(summary: SummaryHead): RunKeyNumbers {
  const { total, failed } = summary.requests;
  return {
    durationMs: summary.durationMs,
    executor: summary.executor,
    requests: total,
    failed,
    errorRate: total > 0 ? failed / total : 0,
    targetRate: summary.rate.target,
    achievedRate: summary.rate.achieved,
    p50_ms: summary.latency_ms.p50,
    p99_ms: summary.latency_ms.p99,
    valid: summary.valid,
    aborted: summary.aborted,
    thresholdsPassed: summary.thresholds.filter((t) => t.ok).length,
    thresholdsTotal: summary.thresholds.length,
  };
}

/** A summary ends a run as `aborted` (a threshold or Ctrl-C stopped it early) or `finished`. */
export function statusFromSummary(summary: Pick<LoadSummary, 'aborted'>): 'finished' | 'aborted' {
  return summary.aborted ? 'aborted' : 'finished';
}
