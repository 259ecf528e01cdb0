/**
 * Retry decisions for one execution of a check: whether a failed attempt is
 * tried again, and how long to wait first. Pure; the runner that executes
 * attempts asks these.
 */
import { type CheckErrorKind, NETWORK_ERROR_KINDS, type RetryPolicy } from '../types.ts';

/** No wait between attempts is longer than this, whatever the backoff says. */
export const MAX_RETRY_DELAY_MS = 5 * 60_000;

/**
 * Errors that a retry cannot fix: the check cannot run as written, or Ballast
 * itself is broken. Retrying them only delays the result.
 */
const NEVER_RETRIED: ReadonlySet<CheckErrorKind> = new Set(['config', 'internal']);

/**
 * The wait before retry number `retryNumber` (1-based: 1 is the wait after the
 * first attempt). fixed: `delayMs`; linear: `delayMs × n`; exponential:
 * `delayMs × 2^(n−1)`. Capped at 5 minutes; 0 for a retry number below 1.
 */
export function retryDelayMs(policy: RetryPolicy, retryNumber: number): number {
  if (!(retryNumber >= 1)) return 0;
  const base = Math.max(0, policy.delayMs);
  let delay: number;
  switch (policy.backoff) {
    case 'fixed':
      delay = base;
      break;
    case 'linear':
      delay = base * retryNumber;
      break;
    case 'exponential':
      // 2 ** large is Infinity, which the cap turns into the cap.
      delay = base * 2 ** (retryNumber - 1);
      break;
  }
  return Math.min(delay, MAX_RETRY_DELAY_MS);
}

/**
 * Whether to try again after attempt `attempt` (1-based) of an execution.
 * Only failed attempts are retried, at most `policy.count` times; with
 * `onlyNetworkErrors`, only when the attempt ended in a network error (a
 * failing condition is an answer, not a network problem). `config` and
 * `internal` errors are never retried.
 */
export function shouldRetry(
  policy: RetryPolicy,
  attempt: number,
  observationFailed: boolean,
  errorKind?: CheckErrorKind,
): boolean {
  if (!observationFailed) return false;
  // After attempt a, a − 1 retries are used up.
  if (!(attempt >= 1) || attempt > policy.count) return false;
  if (errorKind !== undefined && NEVER_RETRIED.has(errorKind)) return false;
  if (policy.onlyNetworkErrors) return errorKind !== undefined && NETWORK_ERROR_KINDS.has(errorKind);
  return true;
}
