/**
 * The retry loop every channel shares: try, and on a retryable failure wait
 * (doubling) and try again, a bounded number of times. The clock and the
 * sleep are injected so tests run the backoff without waiting.
 */
import type { AttemptRecord, AttemptResult } from './types.ts';

/** Never more tries than this, whatever the configuration says (every loop bounded). */
export const MAX_RETRIES = 10;
/** No single backoff wait is longer than this. */
export const MAX_DELAY_MS = 60_000;

export interface RetryPolicy {
  /** Tries after the first one (clamped to 0…MAX_RETRIES). */
  retries: number;
  /** Wait before the first retry; doubles after each (capped at MAX_DELAY_MS). */
  retryDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Epoch ms, for the `at` of each try. */
  now: () => number;
}

export interface RetryOutcome {
  ok: boolean;
  log: AttemptRecord[];
}

/** The waits between tries for a policy: `[d, 2d, 4d, …]`, one per retry, each capped. */
export function backoffDelays(retries: number, retryDelayMs: number): number[] {
  const n = Math.max(0, Math.min(MAX_RETRIES, Math.floor(retries)));
  const base = Math.max(0, retryDelayMs);
  return Array.from({ length: n }, (_, i) => Math.min(MAX_DELAY_MS, base * 2 ** i));
}

/**
 * Runs `attempt` until it succeeds, fails for good (`retryable: false`) or the
 * retries are used up. An attempt that throws counts as a retryable failure:
 * the loop itself never throws.
 */
export async function withRetries(
  attempt: (index: number) => Promise<AttemptResult>,
  policy: RetryPolicy,
): Promise<RetryOutcome> {
  const delays = backoffDelays(policy.retries, policy.retryDelayMs);
  const log: AttemptRecord[] = [];
  for (let index = 0; index <= delays.length; index++) {
    if (index > 0) await policy.sleep(delays[index - 1]!);
    const at = policy.now();
    const started = performance.now();
    let result: AttemptResult;
    try {
      result = await attempt(index);
    } catch (err) {
      result = { ok: false, error: errorMessage(err), retryable: true };
    }
    const durationMs = Math.round(performance.now() - started);
    if (result.ok) {
      log.push({ at, durationMs, ok: true });
      return { ok: true, log };
    }
    log.push({ at, durationMs, ok: false, error: result.error });
    if (!result.retryable) break;
  }
  return { ok: false, log };
}

/** A one-line message for anything thrown, with the cause when there is one (fetch hides it there). */
export function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && !err.message.includes(cause) ? `${err.message}: ${cause}` : err.message;
}
