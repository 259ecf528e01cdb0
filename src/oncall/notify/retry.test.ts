import { describe, expect, it } from 'vitest';
import { backoffDelays, errorMessage, MAX_DELAY_MS, MAX_RETRIES, withRetries } from './retry.ts';
import type { AttemptResult } from './types.ts';

describe('backoffDelays', () => {
  const cases: [string, number, number, number[]][] = [
    ['waits nothing when there are no retries', 0, 1000, []],
    ['doubles the wait after each retry', 3, 1000, [1000, 2000, 4000]],
    ['caps each wait', 4, 40_000, [40_000, MAX_DELAY_MS, MAX_DELAY_MS, MAX_DELAY_MS]],
    ['bounds the number of retries whatever is configured', 1000, 0, Array(MAX_RETRIES).fill(0)],
    ['treats negative retries as none', -2, 1000, []],
  ];
  it.each(cases)('%s', (_name, retries, delayMs, expected) => {
    expect(backoffDelays(retries, delayMs)).toEqual(expected);
  });
});

/** An attempt function that plays back `results` in order and counts its calls. */
function script(results: (AttemptResult | Error)[]) {
  let calls = 0;
  const attempt = async (): Promise<AttemptResult> => {
    const r = results[Math.min(calls++, results.length - 1)]!;
    if (r instanceof Error) throw r;
    return r;
  };
  return { attempt, calls: () => calls };
}

function policy(retries: number) {
  const slept: number[] = [];
  let clock = 1000;
  return {
    slept,
    retries,
    retryDelayMs: 100,
    sleep: async (ms: number) => {
      slept.push(ms);
      clock += ms;
    },
    now: () => clock,
  };
}

const fail = (error: string, retryable = true): AttemptResult => ({ ok: false, error, retryable });

describe('withRetries', () => {
  it('tries once when the first try succeeds', async () => {
    const s = script([{ ok: true }]);
    const p = policy(3);
    const out = await withRetries(s.attempt, p);
    expect(out.ok).toBe(true);
    expect(out.log).toHaveLength(1);
    expect(p.slept).toEqual([]);
  });

  it('retries with doubling waits until a try succeeds, logging each failure', async () => {
    const s = script([fail('HTTP 500'), fail('HTTP 502'), { ok: true }]);
    const p = policy(3);
    const out = await withRetries(s.attempt, p);
    expect(out.ok).toBe(true);
    expect(out.log.map((r) => r.error)).toEqual(['HTTP 500', 'HTTP 502', undefined]);
    expect(p.slept).toEqual([100, 200]);
    expect(out.log.map((r) => r.at)).toEqual([1000, 1100, 1300]);
  });

  it('gives up after the configured retries', async () => {
    const s = script([fail('HTTP 503')]);
    const p = policy(2);
    const out = await withRetries(s.attempt, p);
    expect(out.ok).toBe(false);
    expect(s.calls()).toBe(3);
    expect(out.log.every((r) => !r.ok && r.error === 'HTTP 503')).toBe(true);
  });

  it('stops at once on a failure that is not retryable', async () => {
    const s = script([fail('HTTP 404', false), { ok: true }]);
    const p = policy(3);
    const out = await withRetries(s.attempt, p);
    expect(out.ok).toBe(false);
    expect(s.calls()).toBe(1);
    expect(p.slept).toEqual([]);
  });

  it('counts a try that throws as a retryable failure and never throws itself', async () => {
    const s = script([new Error('boom'), { ok: true }]);
    const out = await withRetries(s.attempt, policy(1));
    expect(out.ok).toBe(true);
    expect(out.log[0]).toMatchObject({ ok: false, error: 'boom' });
  });
});

describe('errorMessage', () => {
  const cases: [string, unknown, string][] = [
    ['uses the message of an error', new Error('nope'), 'nope'],
    [
      'adds the cause, where fetch keeps the real reason',
      new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }),
      'fetch failed: connect ECONNREFUSED 127.0.0.1:9',
    ],
    [
      'does not repeat a cause the message already quotes',
      new Error('Invalid greeting: 421 busy', { cause: new Error('421 busy') }),
      'Invalid greeting: 421 busy',
    ],
    ['turns anything else into a string', 42, '42'],
  ];
  it.each(cases)('%s', (_name, err, expected) => {
    expect(errorMessage(err)).toBe(expected);
  });
});
