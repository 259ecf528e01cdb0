import { describe, expect, it } from 'vitest';
import { parseThreshold } from './parse.ts';

describe('parseThreshold', () => {
  it.each([
    [
      'a p99 bound in milliseconds is read in ms',
      'p(99) < 300ms',
      { kind: 'latency_p', percentile: 99 },
      '<',
      300,
    ],
    [
      'a fractional percentile with seconds is converted to ms',
      'p(99.9)<=1s',
      { kind: 'latency_p', percentile: 99.9 },
      '<=',
      1000,
    ],
    ['a bare latency number means milliseconds', 'avg < 200', { kind: 'avg' }, '<', 200],
    ['minutes are a latency unit', 'max < 2m', { kind: 'max' }, '<', 120_000],
    [
      'a failure rate in percent becomes a ratio',
      'rate(failed) < 0.1%',
      { kind: 'rate', of: 'failed' },
      '<',
      0.001,
    ],
    [
      'a success rate written as a ratio stays a ratio',
      'rate(ok) > 0.999',
      { kind: 'rate', of: 'ok' },
      '>',
      0.999,
    ],
    ['requests per second take a plain number', 'rps > 900', { kind: 'rps' }, '>', 900],
    ['a failure count takes a plain number', 'count(failed) < 10', { kind: 'count', of: 'failed' }, '<', 10],
    [
      'a service-time percentile is its own metric',
      'service_p(99) < 100ms',
      { kind: 'service_p', percentile: 99 },
      '<',
      100,
    ],
    ['spaces anywhere are allowed', '  p ( 50 )  >=  .5s ', { kind: 'latency_p', percentile: 50 }, '>=', 500],
  ])('%s', (_name, expr, metric, op, value) => {
    const r = parseThreshold(expr);
    expect(r).toEqual({ ok: true, threshold: { metric, op, value } });
  });

  it.each([
    ['an unknown unit points at the unit', 'p(99) < 3x', 10, "unexpected 'x'"],
    ['a missing operator points after the metric', 'p(99) 300ms', 7, 'comparison'],
    ['an unknown metric names itself', 'p99 < 300ms', 1, "unknown metric 'p99'"],
    ['a bad rate argument points at it', 'rate(bad) < 1%', 6, 'failed or ok'],
    ['a percent on a latency is refused', 'p(99) < 30%', 11, 'latency unit'],
    ['a unit on rps is refused', 'rps > 900ms', 10, 'plain number'],
    ['a rate above 100% is refused', 'rate(failed) < 150%', 19, 'at most 100%'],
    ['a percentile above 100 is refused', 'p(101) < 1s', 1, 'must be in (0, 100]'],
    ['trailing text is refused', 'avg < 200 ms', 11, "unexpected 'm'"],
    ['an empty expression asks for a metric', '', 1, 'end of expression'],
  ])('%s', (_name, expr, column, message) => {
    const r = parseThreshold(expr);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.column).toBe(column);
    expect(r.error).toContain(message);
  });
});
