import { describe, expect, it } from 'vitest';
import { delayMs, planFaults, rolls } from './decide.ts';
import type { HttpFaultRule } from './schema.ts';

const fixed = (n: number) => () => n;

describe('rolls', () => {
  it.each([
    ['100 % always fires, even at the top of the range', 100, 0.999999, true],
    ['0 % never fires, even at the bottom of the range', 0, 0, false],
    ['50 % fires below the middle', 50, 0.49, true],
    ['50 % does not fire at the middle', 50, 0.5, false],
    ['a fractional percentage is honoured', 0.5, 0.004, true],
  ])('%s', (_name, percentage, r, expected) => {
    expect(rolls(percentage, fixed(r))).toBe(expected);
  });

  it('over many rolls the share fired is close to the percentage', () => {
    let seed = 42;
    // A small LCG so the result does not depend on Math.random.
    const lcg = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let fired = 0;
    for (let i = 0; i < 10_000; i++) if (rolls(30, lcg)) fired++;
    expect(fired / 10_000).toBeGreaterThan(0.28);
    expect(fired / 10_000).toBeLessThan(0.32);
  });
});

describe('delayMs', () => {
  it.each([
    ['no delay is 0', undefined, 0.5, 0],
    ['a fixed delay ignores the random source', { ms: 300 }, 0.9, 300],
    ['jitter at the bottom of the range subtracts it', { ms: 100, jitter: 20 }, 0, 80],
    ['jitter in the middle adds nothing', { ms: 100, jitter: 20 }, 0.5, 100],
    ['jitter near the top adds almost all of it', { ms: 100, jitter: 20 }, 0.999, 120],
    ['jitter larger than the delay never goes below 0', { ms: 10, jitter: 50 }, 0, 0],
  ])('%s', (_name, delay, r, expected) => {
    expect(delayMs(delay, fixed(r))).toBe(expected);
  });
});

describe('planFaults', () => {
  const base: HttpFaultRule = { id: 'r', match: {}, percentage: 100 };
  it.each<[string, Partial<HttpFaultRule>, unknown]>([
    [
      'an abort after a delay keeps both',
      { delay: { ms: 5 }, abort: { status: 503 } },
      { ruleId: 'r', delayMs: 5, outcome: { kind: 'abort', abort: { status: 503 } } },
    ],
    [
      'a reset without a delay waits 0 ms',
      { reset: true },
      { ruleId: 'r', delayMs: 0, outcome: { kind: 'reset' } },
    ],
    [
      'a response delay forwards and then waits',
      { responseDelay: { ms: 7 } },
      { ruleId: 'r', delayMs: 0, outcome: { kind: 'forward', responseDelayMs: 7 } },
    ],
    [
      'reset: false with a delay is a plain delay',
      { delay: { ms: 3 }, reset: false },
      { ruleId: 'r', delayMs: 3, outcome: { kind: 'forward', responseDelayMs: 0 } },
    ],
  ])('%s', (_name, faults, plan) => {
    expect(planFaults({ ...base, ...faults }, fixed(0.5))).toEqual(plan);
  });
});
