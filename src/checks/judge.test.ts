import { describe, expect, it } from 'vitest';
import { parseCondition } from './conditions/index.ts';
import { evaluateConditions, judgeObservation, type Verdict } from './judge.ts';
import type { ConditionContext, Observation } from './types.ts';

const ctx: ConditionContext = { status: 503, responseTimeMs: 900, body: '{"ok":true}' };
const observed = (over: Partial<Observation> = {}): Observation => ({ context: ctx, phases: {}, ...over });
/** The address was known but no connection came of it. */
const unreachable = (kind: 'connect' | 'timeout', message: string): Observation =>
  observed({ error: { kind, message }, context: { responseTimeMs: 3, connected: false, ip: '127.0.0.1' } });

describe('evaluateConditions', () => {
  it('shows each condition with the actual values, in order', () => {
    expect(evaluateConditions(['[STATUS] == 200', '[BODY].ok == true'], ctx)).toEqual([
      { condition: '[STATUS] == 200', ok: false, shown: '[STATUS] (503) == 200' },
      { condition: '[BODY].ok == true', ok: true, shown: '[BODY].ok (true) == true' },
    ]);
  });

  it('marks degraded conditions as such, passing or not', () => {
    const out = evaluateConditions(['[RESPONSE_TIME] < 500', '[RESPONSE_TIME] < 5000'], ctx, true);
    expect(out.map((o) => [o.ok, o.degraded])).toEqual([
      [false, true],
      [true, true],
    ]);
  });

  it('a placeholder the context lacks fails with no value', () => {
    expect(evaluateConditions(['[DNS_RCODE] == NOERROR'], ctx)).toEqual([
      { condition: '[DNS_RCODE] == NOERROR', ok: false, shown: '[DNS_RCODE] (no value) == NOERROR' },
    ]);
  });

  it('a condition that does not parse fails, saying why, and does not throw', () => {
    const text = '[STATUS] =! 200';
    const parsed = parseCondition(text);
    if (!('error' in parsed)) throw new Error('the condition was meant not to parse');
    const [outcome] = evaluateConditions([text], ctx);
    expect(outcome).toEqual({
      condition: text,
      ok: false,
      shown: `${text} (invalid: ${parsed.error.message})`,
    });
  });

  it('gives the same outcome when the same text is judged again (parsed once, cached)', () => {
    const first = evaluateConditions(['[STATUS] < 600'], ctx);
    const again = evaluateConditions(['[STATUS] < 600'], { ...ctx, status: 700 });
    expect(first[0]?.ok).toBe(true);
    expect(again[0]?.ok).toBe(false);
  });
});

describe('judgeObservation', () => {
  it.each<[string, Observation, string[], string[], Omit<Verdict, 'conditions'>]>([
    [
      'every condition holds: pass, no reason',
      observed(),
      ['[STATUS] == 503'],
      ['[RESPONSE_TIME] < 1000'],
      { status: 'pass' },
    ],
    ['no conditions at all: pass', observed(), [], [], { status: 'pass' }],
    [
      'a condition fails: fail, the first failing one is the reason',
      observed(),
      ['[BODY].ok == true', '[STATUS] == 200', '[STATUS] == 204'],
      [],
      { status: 'fail', reason: '[STATUS] (503) == 200' },
    ],
    [
      'only a degraded condition fails: degraded, it is the reason',
      observed(),
      ['[STATUS] == 503'],
      ['[RESPONSE_TIME] < 500'],
      { status: 'degraded', reason: '[RESPONSE_TIME] (900) < 500' },
    ],
    [
      'a failing condition outranks a failing degraded one',
      observed(),
      ['[STATUS] == 200'],
      ['[RESPONSE_TIME] < 500'],
      { status: 'fail', reason: '[STATUS] (503) == 200' },
    ],
    [
      'an error fails the attempt even when every condition holds',
      observed({ error: { kind: 'timeout', message: 'no answer within 10s' } }),
      ['[STATUS] == 503'],
      [],
      {
        status: 'fail',
        reason: 'timeout: no answer within 10s',
        error: { kind: 'timeout', message: 'no answer within 10s' },
      },
    ],
    [
      'an error outranks a failing step and failing conditions',
      observed({
        error: { kind: 'connect', message: 'ECONNREFUSED 127.0.0.1:1' },
        steps: [{ name: 'login', durationMs: 3, error: { kind: 'connect', message: 'refused' } }],
      }),
      ['[STATUS] == 200'],
      [],
      {
        status: 'fail',
        reason: 'connect: ECONNREFUSED 127.0.0.1:1',
        error: { kind: 'connect', message: 'ECONNREFUSED 127.0.0.1:1' },
      },
    ],
    [
      'a refused connection passes a check that asserts [CONNECTED] == false, and is no error',
      unreachable('connect', 'connection refused'),
      ['[CONNECTED] == false'],
      [],
      { status: 'pass' },
    ],
    [
      'a connect that timed out passes [CONNECTED] == false too (a firewalled port)',
      unreachable('timeout', 'timed out after 500 ms while connecting to 10.0.0.1:22'),
      ['[CONNECTED] == false', '[RESPONSE_TIME] < 5000'],
      [],
      { status: 'pass' },
    ],
    [
      'a refused connection fails [CONNECTED] == true with the connect error as the reason',
      unreachable('connect', 'connection refused'),
      ['[CONNECTED] == true'],
      [],
      {
        status: 'fail',
        reason: 'connect: connection refused',
        error: { kind: 'connect', message: 'connection refused' },
      },
    ],
    [
      'a refused connection still fails when another condition of the check fails',
      unreachable('connect', 'connection refused'),
      ['[CONNECTED] == false', '[RESPONSE_TIME] < 1'],
      [],
      {
        status: 'fail',
        reason: 'connect: connection refused',
        error: { kind: 'connect', message: 'connection refused' },
      },
    ],
    [
      'a refused connection fails a check whose conditions do not read [CONNECTED]',
      unreachable('connect', 'connection refused'),
      ['[RESPONSE_TIME] < 5000'],
      [],
      {
        status: 'fail',
        reason: 'connect: connection refused',
        error: { kind: 'connect', message: 'connection refused' },
      },
    ],
    [
      'a name that did not resolve is no answer to [CONNECTED] == false: it fails',
      observed({
        error: { kind: 'dns', message: 'cannot resolve nowhere.invalid' },
        context: { responseTimeMs: 2, connected: false },
      }),
      ['[CONNECTED] == false'],
      [],
      {
        status: 'fail',
        reason: 'dns: cannot resolve nowhere.invalid',
        error: { kind: 'dns', message: 'cannot resolve nowhere.invalid' },
      },
    ],
    [
      'a timeout after the connection opened fails [CONNECTED] == false as an error',
      observed({
        error: { kind: 'timeout', message: 'timed out while waiting' },
        context: { responseTimeMs: 500, connected: true, ip: '127.0.0.1' },
      }),
      ['[CONNECTED] == false'],
      [],
      {
        status: 'fail',
        reason: 'timeout: timed out while waiting',
        error: { kind: 'timeout', message: 'timed out while waiting' },
      },
    ],
    [
      'a multistep step that errored is the reason, named',
      observed({
        steps: [
          { name: 'home', status: 200, durationMs: 5 },
          { name: 'login', durationMs: 3, error: { kind: 'protocol', message: 'unexpected close' } },
        ],
      }),
      ['[STATUS] == 503'],
      [],
      { status: 'fail', reason: 'step login: protocol: unexpected close' },
    ],
    [
      'a multistep step whose own condition failed is the reason, shown',
      observed({
        steps: [
          {
            name: 'cart',
            status: 500,
            durationMs: 4,
            failed: [{ condition: '[STATUS] == 200', ok: false, shown: '[STATUS] (500) == 200' }],
          },
        ],
      }),
      [],
      [],
      { status: 'fail', reason: 'step cart: [STATUS] (500) == 200' },
    ],
    [
      'steps that all passed leave the verdict to the check conditions',
      observed({ steps: [{ name: 'home', status: 200, durationMs: 5, failed: [] }] }),
      ['[STATUS] == 503'],
      [],
      { status: 'pass' },
    ],
  ])('%s', (_name, observation, conditions, degraded, expected) => {
    const verdict = judgeObservation(observation, conditions, degraded);
    expect({ status: verdict.status, reason: verdict.reason, error: verdict.error }).toEqual({
      reason: undefined,
      error: undefined,
      ...expected,
    });
    // Every condition is reported, degraded ones last and marked, whatever the status.
    expect(verdict.conditions.map((c) => [c.condition, c.degraded ?? false])).toEqual([
      ...conditions.map((c) => [c, false]),
      ...degraded.map((c) => [c, true]),
    ]);
  });
});
