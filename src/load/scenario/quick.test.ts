import { describe, expect, it } from 'vitest';
import { type QuickFlags, quickPlan } from './quick.ts';

const url = 'http://127.0.0.1:8080/health';

describe('quickPlan', () => {
  it.each<[string, Omit<QuickFlags, 'url'>, unknown]>([
    [
      '--rate with --duration is a constant arrival rate per second',
      { rate: '200', duration: '30s' },
      { executor: 'constant-arrival-rate', rate: 200, timeUnitMs: 1000, durationMs: 30_000 },
    ],
    [
      '--rate alone runs for the default 10 s',
      { rate: 5 },
      { executor: 'constant-arrival-rate', rate: 5, timeUnitMs: 1000, durationMs: 10_000 },
    ],
    [
      '--vus with --duration is constant VUs',
      { vus: '4', duration: '1m' },
      { executor: 'constant-vus', vus: 4, durationMs: 60_000 },
    ],
    [
      '--iterations runs on one VU within the duration cap',
      { iterations: '100' },
      { executor: 'iterations', vus: 1, iterations: 100, maxDurationMs: 600_000 },
    ],
    [
      '--iterations with --vus and --duration uses both',
      { iterations: 9, vus: 3, duration: '20s' },
      { executor: 'iterations', vus: 3, iterations: 9, maxDurationMs: 20_000 },
    ],
  ])('%s', (_name, flags, executor) => {
    const r = quickPlan({ url, ...flags });
    expect(r.errors).toEqual([]);
    expect(r.plan?.executor).toEqual(executor);
  });

  it('request, HTTP, threshold and cap flags land in the plan', () => {
    const r = quickPlan({
      url,
      method: 'post',
      header: ['Content-Type: application/json', 'x-a:  b: c '],
      body: '{}',
      rate: 10,
      maxConnections: '7',
      pipelining: '2',
      timeout: '3s',
      insecure: true,
      threshold: ['p(99) < 300ms'],
      allowHost: ['staging.internal'],
      maxRate: '20000',
      maxDuration: '1h',
    });
    expect(r.errors).toEqual([]);
    expect(r.plan?.requests[0]).toMatchObject({
      name: 'POST /health',
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-a': 'b: c' },
      body: '{}',
    });
    expect(r.plan?.http).toEqual({
      maxConnections: 7,
      pipelining: 2,
      timeoutMs: 3000,
      insecureSkipVerify: true,
      keepAlive: true,
    });
    expect(r.plan?.thresholds).toEqual([{ kind: 'expr', expr: 'p(99) < 300ms', abortOnFail: false }]);
    expect(r.plan?.allowHosts).toEqual(['staging.internal']);
    expect(r.plan?.limits).toEqual({ maxRatePerSecond: 20_000, maxDurationMs: 3_600_000, maxVUs: 1000 });
  });

  it.each<[string, QuickFlags, string]>([
    ['a relative URL names --url', { url: '/health', rate: 1 }, '--url: expected an absolute'],
    ['no load flag lists the choices', { url }, 'give the load: --rate N'],
    [
      'a negative rate names --rate',
      { url, rate: '-5' },
      '--rate: expected a number greater than 0, got "-5"',
    ],
    [
      'a fractional VU count names --vus',
      { url, vus: '1.5', duration: '5s' },
      '--vus: expected a whole number',
    ],
    ['--vus without --duration names --duration', { url, vus: 2 }, '--duration: required with --vus'],
    ['both --rate and --vus are refused', { url, rate: 1, vus: 1, duration: '1s' }, 'give one of them'],
    [
      'a malformed duration names --duration',
      { url, rate: 1, duration: 'soon' },
      '--duration: expected a duration',
    ],
    [
      'a header without a colon names --header',
      { url, rate: 1, header: ['oops'] },
      "--header: expected 'name: value'",
    ],
    [
      'a bad threshold names --threshold with the column',
      { url, rate: 1, threshold: ['p(99) < 3x'] },
      '--threshold "p(99) < 3x": unexpected \'x\' at column 10',
    ],
    [
      'a rate above the cap says how to raise it',
      { url, rate: 6000 },
      'raise it with limits.maxRate (spec) or --max-rate',
    ],
    ['a duration above the cap says how to raise it', { url, rate: 1, duration: '11m' }, '--max-duration'],
  ])('%s', (_name, flags, message) => {
    const r = quickPlan(flags);
    expect(r.plan).toBeUndefined();
    expect(r.errors).toEqual([expect.stringContaining(message)]);
  });
});
