import { describe, expect, it } from 'vitest';
import { runKeyNumbers, type SummaryHead, statusFromSummary } from './index.ts';

const latency = { p50: 3, p90: 7, p99: 20, p999: 40, max: 55, mean: 4.5 };

function head(over: Partial<SummaryHead>): SummaryHead {
  return {
    durationMs: 10_000,
    executor: 'constant-arrival-rate',
    requests: { total: 1_000, ok: 998, failed: 2 },
    rate: { target: 100, achieved: 99.8 },
    latency_ms: latency,
    valid: true,
    aborted: false,
    thresholds: [
      { expr: 'p(99) < 300ms', ok: true },
      { expr: 'rate(failed) < 0.1%', ok: false, value: 0.002 },
    ],
    ...over,
  };
}

describe('runKeyNumbers', () => {
  it.each([
    {
      name: 'the error rate is failed over total requests',
      input: head({}),
      expected: { errorRate: 2 / 1_000, requests: 1_000, failed: 2 },
    },
    {
      name: 'a run without requests has an error rate of zero, not NaN',
      input: head({ requests: { total: 0, ok: 0, failed: 0 } }),
      expected: { errorRate: 0, requests: 0 },
    },
    {
      name: 'thresholds are counted as passed and total',
      input: head({}),
      expected: { thresholdsPassed: 1, thresholdsTotal: 2 },
    },
    {
      name: 'latency, rate and validity come from the summary unchanged',
      input: head({ valid: false }),
      expected: {
        p50_ms: latency.p50,
        p99_ms: latency.p99,
        targetRate: 100,
        achievedRate: 99.8,
        valid: false,
      },
    },
  ])('$name', ({ input, expected }) => {
    expect(runKeyNumbers(input)).toMatchObject(expected);
  });
});

describe('statusFromSummary', () => {
  it.each([
    { name: 'a run that ran to its end is finished', aborted: false, expected: 'finished' },
    { name: 'a run stopped early by a threshold or Ctrl-C is aborted', aborted: true, expected: 'aborted' },
  ])('$name', ({ aborted, expected }) => {
    expect(statusFromSummary({ aborted })).toBe(expected);
  });
});
