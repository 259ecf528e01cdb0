import { describe, expect, it } from 'vitest';
import { type PagingFacts, type PagingWindow, planPaging } from './paging-plan.ts';
import type { EscalationPolicy } from './types.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 10, 0);

/** Three steps, 5 minutes apart, one repeat; an acknowledgement holds 30 minutes. */
const policy: EscalationPolicy = {
  name: 'web',
  steps: [
    { targets: [{ kind: 'user', name: 'alice' }], delayMs: 5 * MIN },
    { targets: [{ kind: 'user', name: 'bob' }], delayMs: 5 * MIN },
    { targets: [{ kind: 'user', name: 'carol' }], delayMs: 5 * MIN },
  ],
  repeat: 1,
  ackTimeoutMs: 30 * MIN,
};

const facts = (over: Partial<PagingFacts>): PagingFacts => ({
  policy,
  urgency: 'high',
  state: 'triggered',
  startedAt: T0,
  windows: [],
  pages: [],
  now: T0,
  ...over,
});

const window = (start: number, end: number, id = 1): PagingWindow => ({ id, service: 'pay', start, end });

/** The ordinals the plan pages now, or the plan's kind when it pages nothing. */
function outcome(f: PagingFacts): number[] | string {
  const plan = planPaging(f);
  return plan.kind === 'page' ? plan.due.map((d) => d.ordinal) : plan.kind;
}

describe('planPaging', () => {
  it.each<[string, Partial<PagingFacts>, number[] | string]>([
    ['a new incident pages the first step at once', {}, [0]],
    ['ten minutes unanswered: the first three steps are due', { now: T0 + 10 * MIN }, [0, 1, 2]],
    [
      'steps already paged are not paged again',
      { now: T0 + 10 * MIN, pages: [{ at: T0, step: 0, round: 0 }] },
      [1, 2],
    ],
    ['low urgency notifies the first step only', { urgency: 'low', now: T0 + 10 * MIN }, [0]],
    [
      'low urgency never escalates once notified',
      { urgency: 'low', now: T0 + 60 * MIN, pages: [{ at: T0, step: 0, round: 0 }] },
      [],
    ],
    [
      'an incident in a maintenance window pages nobody',
      { windows: [window(T0 - MIN, T0 + 60 * MIN)] },
      'hold',
    ],
    [
      'an acknowledged incident in a window does not re-trigger either',
      { state: 'acknowledged', acknowledgedAt: T0, now: T0 + 40 * MIN, windows: [window(T0, T0 + 60 * MIN)] },
      'hold',
    ],
    [
      'after a window ends, paging starts from the first step at its end, without catching up',
      { now: T0 + 61 * MIN, windows: [window(T0 - MIN, T0 + 60 * MIN)] },
      [0],
    ],
    [
      'and escalates from there as if the incident had opened then',
      {
        now: T0 + 66 * MIN,
        windows: [window(T0 - MIN, T0 + 60 * MIN)],
        pages: [{ at: T0 + 60 * MIN, step: 0, round: 0 }],
      },
      [1],
    ],
    [
      'a window opened mid-escalation restarts it at its end too: pages before it do not count',
      {
        now: T0 + 31 * MIN,
        pages: [
          { at: T0, step: 0, round: 0 },
          { at: T0 + 5 * MIN, step: 1, round: 0 },
        ],
        windows: [window(T0 + 8 * MIN, T0 + 30 * MIN)],
      },
      [0],
    ],
    [
      'of two windows the later end counts',
      {
        now: T0 + 50 * MIN,
        windows: [window(T0 - MIN, T0 + 10 * MIN, 1), window(T0 + 20 * MIN, T0 + 47 * MIN, 2)],
      },
      [0],
    ],
    [
      'a window that ended before paging started changes nothing',
      { now: T0 + 6 * MIN, windows: [window(T0 - 60 * MIN, T0 - 30 * MIN)] },
      [0, 1],
    ],
    [
      'an acknowledged incident waits within its ack timeout',
      { state: 'acknowledged', acknowledgedAt: T0, now: T0 + 29 * MIN },
      'wait',
    ],
    [
      'an acknowledged incident re-triggers after the ack timeout without progress',
      { state: 'acknowledged', acknowledgedAt: T0, now: T0 + 30 * MIN },
      'retrigger',
    ],
    [
      'progress (a note, a move) pushes the ack timeout out',
      { state: 'acknowledged', acknowledgedAt: T0, lastProgressAt: T0 + 20 * MIN, now: T0 + 40 * MIN },
      'wait',
    ],
    [
      'after a re-trigger paging counts from it: the earlier round is not "already paged"',
      {
        startedAt: T0 + 30 * MIN,
        now: T0 + 30 * MIN,
        pages: [
          { at: T0, step: 0, round: 0 },
          { at: T0 + 5 * MIN, step: 1, round: 0 },
        ],
      },
      [0],
    ],
  ])('%s', (_name, over, expected) => {
    expect(outcome(facts(over))).toEqual(expected);
  });

  it('names the window that held paging, and the one it resumed after', () => {
    const w = window(T0 - MIN, T0 + 60 * MIN);
    expect(planPaging(facts({ windows: [w] }))).toEqual({ kind: 'hold', window: w });
    const resumed = planPaging(facts({ now: T0 + 61 * MIN, windows: [w] }));
    expect(resumed).toMatchObject({ kind: 'page', from: T0 + 60 * MIN, resumedAfter: w });
    if (resumed.kind === 'page') expect(resumed.due[0]?.at).toBe(T0 + 60 * MIN);
  });
});
