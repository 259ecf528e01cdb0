/** What goes under a result's headline, and what is left out because the headline already says it. */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../types.ts';
import { type DetailLine, resultDetails } from './details.ts';
import {
  degraded,
  failingConditions,
  failingError,
  multistepFailing,
  passing,
  passingAfterRetries,
} from './fixtures.ts';

describe('resultDetails', () => {
  it.each<{ name: string; result: CheckResult; lines: DetailLine[] }>([
    { name: 'a passing check has nothing to add', result: passing, lines: [] },
    {
      name: 'a pass after retries says how many attempts it took',
      result: passingAfterRetries,
      lines: [{ depth: 0, text: 'attempts: 3' }],
    },
    {
      name: 'a single failing condition that is the reason is not repeated',
      result: degraded,
      lines: [],
    },
    {
      name: 'every failing condition is listed when there are several, degraded ones marked as such',
      result: {
        ...failingConditions,
        attempts: 1,
        conditions: [
          ...failingConditions.conditions,
          {
            condition: '[RESPONSE_TIME] < 10',
            ok: false,
            shown: '[RESPONSE_TIME] (40) < 10',
            degraded: true,
          },
        ],
      },
      lines: [
        { depth: 0, mark: 'fail', text: failingConditions.conditions[0]!.shown },
        { depth: 0, mark: 'fail', text: failingConditions.conditions[1]!.shown },
        { depth: 0, mark: 'degraded', text: '[RESPONSE_TIME] (40) < 10' },
      ],
    },
    {
      name: 'an error that is the reason is not repeated, the conditions it failed are listed',
      result: failingError,
      lines: [{ depth: 0, mark: 'fail', text: failingError.conditions[0]!.shown }],
    },
    {
      name: 'an error the reason does not quote is listed first',
      result: { ...failingError, reason: 'step login: timeout: 5 s passed', conditions: [] },
      lines: [{ depth: 0, mark: 'fail', text: 'connect: connect ECONNREFUSED 127.0.0.1:5432' }],
    },
    {
      name: 'the steps of a multistep check are listed with the failing step’s conditions under it',
      result: multistepFailing,
      lines: [
        { depth: 0, text: 'steps:' },
        { depth: 1, mark: 'pass', text: 'home 200 12 ms' },
        { depth: 1, mark: 'fail', text: 'login 401 30 ms' },
        { depth: 2, mark: 'fail', text: multistepFailing.steps![1]!.failed![0]!.shown },
      ],
    },
    {
      name: 'a step that ended in an error shows it, and a step without a status leaves it out',
      result: {
        ...multistepFailing,
        steps: [{ name: 'login', durationMs: 5000, error: { kind: 'timeout', message: 'no answer in 5 s' } }],
      },
      lines: [
        { depth: 0, text: 'steps:' },
        { depth: 1, mark: 'fail', text: 'login 5.0 s' },
        { depth: 2, text: 'timeout: no answer in 5 s' },
      ],
    },
    {
      name: 'the further lines of a multi-line error hang one level deeper and are marked as continued',
      result: { ...failingError, error: { kind: 'script', message: 'boom\nat line 3' }, conditions: [] },
      lines: [
        { depth: 0, mark: 'fail', text: 'script: boom' },
        { depth: 1, text: 'at line 3', continued: true },
      ],
    },
    {
      name: 'the artifacts a browser check kept are named',
      result: {
        ...failingError,
        conditions: [],
        artifacts: { screenshot: 'a/shot.png', trace: 'a/trace.zip' },
      },
      lines: [
        { depth: 0, text: 'screenshot: a/shot.png' },
        { depth: 0, text: 'trace: a/trace.zip' },
      ],
    },
  ])('$name', ({ result, lines }) => {
    expect(resultDetails(result)).toEqual(lines);
  });

  it('leaves out the values a step extracted, which are often tokens', () => {
    const step = { ...multistepFailing.steps![0]!, extracted: { token: 'secret-value' } };
    const lines = resultDetails({ ...multistepFailing, steps: [step] });
    expect(lines.some((l) => l.text.includes('secret-value'))).toBe(false);
    expect(lines).toContainEqual({ depth: 1, mark: 'pass', text: 'home 200 12 ms' });
  });
});
