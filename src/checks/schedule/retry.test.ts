import { describe, expect, it } from 'vitest';
import type { CheckErrorKind, RetryBackoff, RetryPolicy } from '../types.ts';
import { MAX_RETRY_DELAY_MS, retryDelayMs, shouldRetry } from './retry.ts';

function policy(backoff: RetryBackoff, delayMs: number, count = 3, onlyNetworkErrors = false): RetryPolicy {
  return { count, backoff, delayMs, onlyNetworkErrors };
}

describe('retryDelayMs', () => {
  it.each([
    { name: 'fixed waits the delay before the first retry', p: policy('fixed', 500), n: 1, want: 500 },
    { name: 'fixed waits the same delay before the fourth retry', p: policy('fixed', 500), n: 4, want: 500 },
    { name: 'linear waits the delay before the first retry', p: policy('linear', 500), n: 1, want: 500 },
    { name: 'linear adds the delay per retry', p: policy('linear', 500), n: 3, want: 1500 },
    {
      name: 'exponential waits the delay before the first retry',
      p: policy('exponential', 500),
      n: 1,
      want: 500,
    },
    { name: 'exponential doubles per retry', p: policy('exponential', 500), n: 4, want: 4000 },
    {
      name: 'exponential is capped at five minutes',
      p: policy('exponential', 1000),
      n: 20,
      want: MAX_RETRY_DELAY_MS,
    },
    {
      name: 'an exponent that overflows is still the cap',
      p: policy('exponential', 1000),
      n: 5000,
      want: MAX_RETRY_DELAY_MS,
    },
    {
      name: 'linear is capped at five minutes too',
      p: policy('linear', 60_000),
      n: 10,
      want: MAX_RETRY_DELAY_MS,
    },
    { name: 'a zero delay stays zero', p: policy('exponential', 0), n: 6, want: 0 },
    { name: 'retry number 0 waits nothing', p: policy('fixed', 500), n: 0, want: 0 },
  ])('$name', ({ p, n, want }) => {
    expect(retryDelayMs(p, n)).toBe(want);
  });

  it('the cap is five minutes', () => {
    expect(MAX_RETRY_DELAY_MS).toBe(5 * 60 * 1000);
  });
});

describe('shouldRetry', () => {
  const any = policy('fixed', 100, 2, false);
  const network = policy('fixed', 100, 2, true);
  it.each<{
    name: string;
    p: RetryPolicy;
    attempt: number;
    failed: boolean;
    kind?: CheckErrorKind;
    want: boolean;
  }>([
    { name: 'a passing attempt is never retried', p: any, attempt: 1, failed: false, want: false },
    { name: 'a failed first attempt is retried', p: any, attempt: 1, failed: true, want: true },
    { name: 'the last allowed retry is made', p: any, attempt: 2, failed: true, want: true },
    { name: 'no retry once the count is used up', p: any, attempt: 3, failed: true, want: false },
    {
      name: 'a policy with no retries never retries',
      p: policy('fixed', 100, 0),
      attempt: 1,
      failed: true,
      kind: 'connect',
      want: false,
    },
    { name: 'a failing condition is retried by default', p: any, attempt: 1, failed: true, want: true },
    {
      name: 'a failing condition is not a network error',
      p: network,
      attempt: 1,
      failed: true,
      want: false,
    },
    ...(['dns', 'connect', 'tls', 'timeout'] as const).map((kind) => ({
      name: `${kind} is a network error and is retried`,
      p: network,
      attempt: 1,
      failed: true,
      kind,
      want: true,
    })),
    {
      name: 'a protocol error is not a network error',
      p: network,
      attempt: 1,
      failed: true,
      kind: 'protocol',
      want: false,
    },
    {
      name: 'a protocol error is retried by default',
      p: any,
      attempt: 1,
      failed: true,
      kind: 'protocol',
      want: true,
    },
    {
      name: 'a config error is never retried (it fails the same way again)',
      p: any,
      attempt: 1,
      failed: true,
      kind: 'config',
      want: false,
    },
    {
      name: 'an internal error is never retried',
      p: any,
      attempt: 1,
      failed: true,
      kind: 'internal',
      want: false,
    },
    {
      name: 'a network error past the count is not retried',
      p: network,
      attempt: 3,
      failed: true,
      kind: 'timeout',
      want: false,
    },
  ])('$name', ({ p, attempt, failed, kind, want }) => {
    expect(shouldRetry(p, attempt, failed, kind)).toBe(want);
  });
});
