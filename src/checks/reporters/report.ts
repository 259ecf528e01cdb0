/**
 * What every reporter of `ballast check run` starts from: the finished run
 * (results and the checks left out) and its tally.
 */
import type { CheckResult } from '../types.ts';

/** A check the run did not execute, and why (a heartbeat is judged from pings, not run). */
export interface SkippedCheck {
  check: string;
  /** The check's service, when known: JUnit files it under that service's suite. */
  service?: string;
  reason: string;
}

/** A finished `ballast check run`. */
export interface RunReport {
  /** In the order they are to be shown. */
  results: CheckResult[];
  skipped: SkippedCheck[];
  /** Epoch ms. */
  startedAt: number;
  /** Wall time of the whole run (checks may run concurrently, so not the sum of theirs). */
  durationMs: number;
}

export interface RunTally {
  passed: number;
  degraded: number;
  failed: number;
  skipped: number;
}

/** Counts results by status, plus the skipped checks. */
export function tally(r: RunReport): RunTally {
  const t: RunTally = { passed: 0, degraded: 0, failed: 0, skipped: r.skipped.length };
  for (const result of r.results) {
    if (result.status === 'pass') t.passed++;
    else if (result.status === 'degraded') t.degraded++;
    else t.failed++;
  }
  return t;
}
