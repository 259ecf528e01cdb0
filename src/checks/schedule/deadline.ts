/**
 * How long the scheduler lets one execution run before it steps in. The
 * runner enforces `timeoutMs` per attempt itself; the scheduler's deadline is
 * the backstop for a runner that does not (a bug, a hung browser), so it
 * covers every attempt the retry policy allows plus the waits between them,
 * and a margin so a runner timing out on its own gets to report first.
 */
import type { CheckDefinition } from '../types.ts';
import { retryDelayMs } from './retry.ts';

/** Retries counted at most (a budget for more would be far beyond any sane check anyway). */
const MAX_COUNTED_RETRIES = 100;

/** The slack added to a deadline, and given to an aborted execution to settle: 10 % of the timeout, 50 ms .. 1 s. */
export function deadlineMarginMs(timeoutMs: number): number {
  return Math.min(1000, Math.max(50, Math.round(timeoutMs * 0.1)));
}

/**
 * Ms after its start at which an execution is aborted: every attempt's
 * timeout, every retry wait, and the margin.
 */
export function executionDeadlineMs(check: Pick<CheckDefinition, 'timeoutMs' | 'retries'>): number {
  const retries = Math.min(MAX_COUNTED_RETRIES, Math.max(0, Math.floor(check.retries.count)));
  let total = (retries + 1) * check.timeoutMs;
  for (let n = 1; n <= retries; n++) total += retryDelayMs(check.retries, n);
  return total + deadlineMarginMs(check.timeoutMs);
}
