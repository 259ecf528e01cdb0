import { describe, expect, it } from 'vitest';
import {
  ackTimeoutAt,
  ackTimeoutDue,
  dueNotifications,
  type EscalationState,
  escalationAt,
  resolveTargets,
} from './escalation.ts';
import type { EscalationPolicy, Schedule } from './types.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-01-05T08:00:00Z');
const SLACK = { kind: 'slack', url: 'http://127.0.0.1:9/hooks/ops' } as const;

/** Step 0 pages alice (5 min), step 1 the ops schedule (10 min), step 2 a Slack channel (15 min): 30-minute rounds. */
function policy(over: Partial<EscalationPolicy> = {}): EscalationPolicy {
  return {
    name: 'web',
    steps: [
      { delayMs: 5 * MIN, targets: [{ kind: 'user', name: 'alice' }] },
      { delayMs: 10 * MIN, targets: [{ kind: 'schedule', name: 'ops' }] },
      { delayMs: 15 * MIN, targets: [{ kind: 'channel', contact: SLACK }] },
    ],
    repeat: 1,
    ackTimeoutMs: 30 * MIN,
    ...over,
  };
}

/** `ops`: a daily rotation bob → carol, handing off at 08:10 UTC (09:10 Berlin). */
const ops: Schedule = {
  name: 'ops',
  timeZone: 'Europe/Berlin',
  layers: [
    {
      name: 'primary',
      start: '2026-01-04T09:10',
      shift: { unit: 'days', count: 1 },
      participants: ['bob', 'carol'],
      restrictions: [],
    },
  ],
  overrides: [],
};

type Expect = Pick<EscalationState, 'step' | 'round' | 'exhausted'> & { nextAt?: number };

describe('escalation over time', () => {
  it.each<[string, number, Expect]>([
    [
      'at the start, step 0 pages and step 1 is next',
      0,
      { step: 0, round: 0, exhausted: false, nextAt: T0 + 5 * MIN },
    ],
    [
      'just before its delay runs out, still step 0',
      5 * MIN - 1,
      { step: 0, round: 0, exhausted: false, nextAt: T0 + 5 * MIN },
    ],
    [
      'an unacknowledged page escalates when the delay runs out',
      5 * MIN,
      { step: 1, round: 0, exhausted: false, nextAt: T0 + 15 * MIN },
    ],
    [
      'the last step waits its own delay',
      29 * MIN,
      { step: 2, round: 0, exhausted: false, nextAt: T0 + 30 * MIN },
    ],
    [
      'after the last step the policy repeats from step 0',
      30 * MIN,
      { step: 0, round: 1, exhausted: false, nextAt: T0 + 35 * MIN },
    ],
    [
      'in the last round the next event is running out',
      45 * MIN,
      { step: 2, round: 1, exhausted: false, nextAt: T0 + 60 * MIN },
    ],
    [
      'once the last round’s last delay passes the policy is exhausted',
      60 * MIN,
      { step: 2, round: 1, exhausted: true },
    ],
    ['and stays exhausted', 10 * 24 * 60 * MIN, { step: 2, round: 1, exhausted: true }],
    [
      'a clock before the start counts as the start',
      -MIN,
      { step: 0, round: 0, exhausted: false, nextAt: T0 + 5 * MIN },
    ],
  ])('%s', (_name, offset, expected) => {
    const state = escalationAt(policy(), T0, T0 + offset, { schedules: [ops] });
    expect({
      step: state.step,
      round: state.round,
      exhausted: state.exhausted,
      nextAt: state.nextAt,
    }).toEqual({
      nextAt: undefined,
      ...expected,
    });
    expect(state.ordinal).toBe(state.round * 3 + state.step);
  });

  it('without repeats the policy is exhausted after one round', () => {
    expect(escalationAt(policy({ repeat: 0 }), T0, T0 + 30 * MIN)).toMatchObject({
      step: 2,
      round: 0,
      exhausted: true,
    });
    expect(escalationAt(policy({ repeat: 0 }), T0, T0 + 30 * MIN).nextAt).toBeUndefined();
  });

  it('an acknowledgement freezes escalation where it stood', () => {
    const state = escalationAt(policy(), T0, T0 + 50 * MIN, {
      acknowledgedAt: T0 + 7 * MIN,
      schedules: [ops],
    });
    expect(state).toMatchObject({
      step: 1,
      round: 0,
      acknowledged: true,
      exhausted: false,
      firedAt: T0 + 5 * MIN,
    });
    expect(state.nextAt).toBeUndefined();
    // An acknowledgement "in the future" of now has not happened yet.
    expect(escalationAt(policy(), T0, T0 + 6 * MIN, { acknowledgedAt: T0 + 7 * MIN }).acknowledged).toBe(
      false,
    );
  });

  it('steps with no delay fire together', () => {
    const p = policy({
      steps: [
        { delayMs: 0, targets: [] },
        { delayMs: 5 * MIN, targets: [] },
      ],
      repeat: 0,
    });
    expect(escalationAt(p, T0, T0)).toMatchObject({ step: 1, nextAt: T0 + 5 * MIN });
    expect(dueNotifications(p, T0, -1, T0).map((n) => n.at)).toEqual([T0, T0]);
  });

  it('a policy without steps is exhausted at once and pages nobody', () => {
    expect(escalationAt(policy({ steps: [] }), T0, T0)).toMatchObject({ exhausted: true, targets: [] });
    expect(dueNotifications(policy({ steps: [] }), T0, -1, T0 + MIN)).toEqual([]);
  });
});

describe('targets', () => {
  it.each<[string, number, string]>([
    ['a schedule target pages whoever is on call when the step fires (before the handoff)', T0, 'bob'],
    ['and after the handoff, the next person', T0 + 10 * MIN, 'carol'],
  ])('%s', (_name, start, who) => {
    const state = escalationAt(policy(), start, start + 6 * MIN, { schedules: new Map([['ops', ops]]) });
    expect(state.step).toBe(1);
    expect(state.targets).toEqual([{ kind: 'user', name: who, via: { schedule: 'ops' } }]);
  });

  it('users are paged as named and channels as given', () => {
    expect(escalationAt(policy(), T0, T0).targets).toEqual([{ kind: 'user', name: 'alice' }]);
    expect(escalationAt(policy(), T0, T0 + 20 * MIN).targets).toEqual([{ kind: 'channel', contact: SLACK }]);
  });

  it.each<[string, Schedule[], string]>([
    [
      'a schedule nobody covers is reported, not dropped',
      [{ ...ops, layers: [{ ...(ops.layers[0] as Schedule['layers'][number]), start: '2030-01-01T00:00' }] }],
      'nobody on call',
    ],
    ['an unknown schedule is reported', [], 'unknown schedule'],
  ])('%s', (_name, schedules, reason) => {
    expect(resolveTargets([{ kind: 'schedule', name: 'ops' }], T0, schedules)).toEqual([
      { kind: 'unresolved', schedule: 'ops', reason },
    ]);
  });

  it('a team target pages every member in the team order, and an unknown team is reported', () => {
    const teams = new Map([['payments', { name: 'payments', members: ['carol', 'alice', 'dave'] }]]);
    expect(
      resolveTargets(
        [
          { kind: 'user', name: 'alice' },
          { kind: 'team', name: 'payments' },
          { kind: 'team', name: 'nobody-declared-this' },
        ],
        T0,
        [],
        teams,
      ),
    ).toEqual([
      { kind: 'user', name: 'alice' },
      { kind: 'user', name: 'carol', via: { team: 'payments' } },
      { kind: 'user', name: 'dave', via: { team: 'payments' } },
      { kind: 'unresolved', team: 'nobody-declared-this', reason: 'unknown team' },
    ]);
    const step = escalationAt(
      { steps: [{ targets: [{ kind: 'team', name: 'payments' }], delayMs: MIN }], repeat: 0, name: 'p' },
      T0,
      T0,
      { teams },
    );
    expect(step.targets.map((t) => (t.kind === 'user' ? t.name : t.kind))).toEqual([
      'carol',
      'alice',
      'dave',
    ]);
  });

  it('a person reached directly and through a schedule is paged once', () => {
    const targets = resolveTargets(
      [
        { kind: 'user', name: 'bob' },
        { kind: 'schedule', name: 'ops' },
        { kind: 'user', name: 'alice' },
      ],
      T0,
      [ops],
    );
    expect(targets).toEqual([
      { kind: 'user', name: 'bob' },
      { kind: 'user', name: 'alice' },
    ]);
  });
});

describe('due notifications', () => {
  it.each<[string, number, number, number[]]>([
    ['nothing sent yet: every step fired so far is due, oldest first', -1, 16 * MIN, [0, 1, 2]],
    ['steps already sent are not due again', 1, 16 * MIN, [2]],
    ['nothing new has fired', 2, 16 * MIN, []],
    ['after exhaustion every step of every round has been due once', -1, 24 * 60 * MIN, [0, 1, 2, 3, 4, 5]],
    ['before the start nothing is due', -1, -MIN, []],
  ])('%s', (_name, last, offset, ordinals) => {
    const due = dueNotifications(policy(), T0, last, T0 + offset, { schedules: [ops] });
    expect(due.map((n) => n.ordinal)).toEqual(ordinals);
  });

  it('each page carries its due time, step, round and targets resolved at that time', () => {
    const due = dueNotifications(policy(), T0 + 10 * MIN, 0, T0 + 44 * MIN, { schedules: [ops] });
    expect(due).toEqual([
      {
        step: 1,
        round: 0,
        ordinal: 1,
        at: T0 + 15 * MIN,
        targets: [{ kind: 'user', name: 'carol', via: { schedule: 'ops' } }],
      },
      { step: 2, round: 0, ordinal: 2, at: T0 + 25 * MIN, targets: [{ kind: 'channel', contact: SLACK }] },
      { step: 0, round: 1, ordinal: 3, at: T0 + 40 * MIN, targets: [{ kind: 'user', name: 'alice' }] },
    ]);
  });

  it('nothing is due once the page is acknowledged', () => {
    expect(dueNotifications(policy(), T0, 0, T0 + 16 * MIN, { acknowledgedAt: T0 + 10 * MIN })).toEqual([]);
  });
});

describe('acknowledgement timeout', () => {
  const acked = T0 + 10 * MIN;
  it.each<[string, EscalationPolicy, number | undefined, number, boolean]>([
    ['not due before the timeout', policy(), undefined, acked + 29 * MIN, false],
    [
      'an acknowledged incident with no progress re-triggers after the timeout',
      policy(),
      undefined,
      acked + 30 * MIN,
      true,
    ],
    ['progress restarts the clock', policy(), acked + 20 * MIN, acked + 30 * MIN, false],
    ['and it re-triggers a timeout after the progress', policy(), acked + 20 * MIN, acked + 50 * MIN, true],
    [
      'a policy without ackTimeout never re-triggers',
      policy({ ackTimeoutMs: undefined }),
      undefined,
      acked + 1e9,
      false,
    ],
  ])('%s', (_name, p, progress, now, due) => {
    expect(ackTimeoutDue(p, acked, progress, now)).toBe(due);
  });

  it('says when it will be due', () => {
    expect(ackTimeoutAt(policy(), acked, acked + 20 * MIN)).toBe(acked + 50 * MIN);
    expect(ackTimeoutAt(policy({ ackTimeoutMs: undefined }), acked)).toBeUndefined();
  });
});
