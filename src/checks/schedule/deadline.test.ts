import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../types.ts';
import { deadlineMarginMs, executionDeadlineMs } from './deadline.ts';

const none: RetryPolicy = { count: 0, backoff: 'fixed', delayMs: 0, onlyNetworkErrors: false };

describe('execution deadlines', () => {
  it.each([
    { name: 'the margin is 10 % of the timeout', timeoutMs: 5000, want: 500 },
    { name: 'the margin is at least 50 ms', timeoutMs: 100, want: 50 },
    { name: 'the margin is at most 1 s', timeoutMs: 60_000, want: 1000 },
  ])('$name', ({ timeoutMs, want }) => {
    expect(deadlineMarginMs(timeoutMs)).toBe(want);
  });

  it.each([
    { name: 'without retries: the timeout and the margin', timeoutMs: 10_000, retries: none, want: 11_000 },
    {
      name: 'two fixed retries: three timeouts, two waits and the margin',
      timeoutMs: 2000,
      retries: { ...none, count: 2, delayMs: 500 },
      want: 3 * 2000 + 2 * 500 + 200,
    },
    {
      name: 'three exponential retries wait 1, 2 and 4 times the delay',
      timeoutMs: 1000,
      retries: { ...none, count: 3, backoff: 'exponential' as const, delayMs: 100 },
      want: 4 * 1000 + (100 + 200 + 400) + 100,
    },
  ])('$name', ({ timeoutMs, retries, want }) => {
    expect(executionDeadlineMs({ timeoutMs, retries })).toBe(want);
  });
});
