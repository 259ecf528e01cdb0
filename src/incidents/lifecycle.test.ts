import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../slo/index.ts';
import { acknowledge, allowedMoves, correctMilestone, move, retrigger } from './lifecycle.ts';
import type { Incident, IncidentState, Milestones } from './types.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const at = (minutes: number) => T0 + minutes * MINUTE_MS;

function incident(state: IncidentState, milestones: Milestones = { detectedAt: T0 }): Incident {
  return {
    id: 7,
    title: 'Checkout errors',
    state,
    severity: 'SEV2',
    urgency: 'high',
    service: 'checkout',
    services: ['checkout'],
    createdAt: T0,
    updatedAt: T0,
    milestones,
    roles: {},
    impact: {},
    tasks: [],
    publicUpdates: [],
  };
}

const ALL_STATES: IncidentState[] = [
  'triggered',
  'acknowledged',
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'closed',
  'declined',
  'merged',
];

/** The state machine, written out by hand: the code must agree with this table. */
const ALLOWED: Record<IncidentState, IncidentState[]> = {
  triggered: ['acknowledged', 'investigating', 'identified', 'monitoring', 'resolved', 'declined', 'merged'],
  acknowledged: ['investigating', 'identified', 'monitoring', 'resolved', 'declined', 'merged'],
  investigating: ['identified', 'monitoring', 'resolved', 'merged'],
  identified: ['investigating', 'monitoring', 'resolved', 'merged'],
  monitoring: ['investigating', 'resolved', 'merged'],
  resolved: ['investigating', 'closed', 'merged'],
  closed: [],
  declined: [],
  merged: [],
};

describe('allowedMoves', () => {
  it.each(ALL_STATES)('lists the moves out of a %s incident', (state) => {
    expect(allowedMoves(state)).toEqual(ALLOWED[state]);
  });
});

describe('move: every transition', () => {
  const pairs = ALL_STATES.flatMap((from) => ALL_STATES.map((to) => [from, to] as const));
  const allowed = pairs.filter(([from, to]) => ALLOWED[from].includes(to));
  const refused = pairs.filter(([from, to]) => !ALLOWED[from].includes(to));

  it.each(allowed)('moves a %s incident to %s', (from, to) => {
    const result = move(incident(from), to, at(5), 'alice', { mergedInto: 3 });
    if ('error' in result) throw new Error(result.error.message);
    expect(result.incident.state).toBe(to);
    expect(result.incident.updatedAt).toBe(at(5));
    expect(result.entries).toEqual([
      expect.objectContaining({
        at: at(5),
        kind: 'state',
        actor: 'alice',
        data: expect.objectContaining({ from, to }),
      }),
    ]);
  });

  it.each(refused)('refuses to move a %s incident to %s, listing the allowed moves', (from, to) => {
    const result = move(incident(from), to, at(5), 'alice', { mergedInto: 3 });
    if (!('error' in result)) throw new Error('the move was accepted');
    expect(result.error.allowed).toEqual(ALLOWED[from]);
    expect(result.error.message).toContain(`from ${from} to ${to}`);
    expect(result.error.message).toContain(
      ALLOWED[from].length === 0 ? `${from} is final` : `allowed: ${ALLOWED[from].join(', ')}`,
    );
  });
});

describe('move: implied milestones and timeline entries', () => {
  const cases: {
    name: string;
    from: IncidentState;
    milestones: Milestones;
    to: IncidentState;
    expected: Milestones;
    text: string;
    data: Record<string, unknown>;
  }[] = [
    {
      name: 'acknowledging a triggered incident sets the acknowledged time',
      from: 'triggered',
      milestones: { detectedAt: at(0) },
      to: 'acknowledged',
      expected: { detectedAt: at(0), acknowledgedAt: at(5) },
      text: 'Acknowledged (triggered → acknowledged)',
      data: { from: 'triggered', to: 'acknowledged', milestones: { acknowledgedAt: at(5) } },
    },
    {
      name: 'skipping to investigating acknowledges the incident too',
      from: 'triggered',
      milestones: { detectedAt: at(0) },
      to: 'investigating',
      expected: { detectedAt: at(0), acknowledgedAt: at(5) },
      text: 'Investigating (triggered → investigating)',
      data: { from: 'triggered', to: 'investigating', milestones: { acknowledgedAt: at(5) } },
    },
    {
      name: 'moving on from acknowledged keeps the acknowledged time',
      from: 'acknowledged',
      milestones: { detectedAt: at(0), acknowledgedAt: at(2) },
      to: 'identified',
      expected: { detectedAt: at(0), acknowledgedAt: at(2) },
      text: 'Identified (acknowledged → identified)',
      data: { from: 'acknowledged', to: 'identified' },
    },
    {
      name: 'monitoring sets the mitigated time when it is unset',
      from: 'identified',
      milestones: { detectedAt: at(0), acknowledgedAt: at(2) },
      to: 'monitoring',
      expected: { detectedAt: at(0), acknowledgedAt: at(2), mitigatedAt: at(5) },
      text: 'Monitoring (identified → monitoring)',
      data: { from: 'identified', to: 'monitoring', milestones: { mitigatedAt: at(5) } },
    },
    {
      name: 'monitoring keeps a mitigated time someone already recorded',
      from: 'identified',
      milestones: { detectedAt: at(0), acknowledgedAt: at(2), mitigatedAt: at(4) },
      to: 'monitoring',
      expected: { detectedAt: at(0), acknowledgedAt: at(2), mitigatedAt: at(4) },
      text: 'Monitoring (identified → monitoring)',
      data: { from: 'identified', to: 'monitoring' },
    },
    {
      name: 'resolving from monitoring sets the resolved time and keeps the mitigation',
      from: 'monitoring',
      milestones: { detectedAt: at(0), acknowledgedAt: at(2), mitigatedAt: at(4) },
      to: 'resolved',
      expected: { detectedAt: at(0), acknowledgedAt: at(2), mitigatedAt: at(4), resolvedAt: at(5) },
      text: 'Resolved (monitoring → resolved)',
      data: { from: 'monitoring', to: 'resolved', milestones: { resolvedAt: at(5) } },
    },
    {
      name: 'resolving a triggered incident straight away mitigates and resolves it but does not acknowledge it',
      from: 'triggered',
      milestones: { detectedAt: at(0) },
      to: 'resolved',
      expected: { detectedAt: at(0), mitigatedAt: at(5), resolvedAt: at(5) },
      text: 'Resolved (triggered → resolved)',
      data: { from: 'triggered', to: 'resolved', milestones: { mitigatedAt: at(5), resolvedAt: at(5) } },
    },
    {
      name: 'closing a resolved incident sets the closed time',
      from: 'resolved',
      milestones: { detectedAt: at(0), mitigatedAt: at(3), resolvedAt: at(4) },
      to: 'closed',
      expected: { detectedAt: at(0), mitigatedAt: at(3), resolvedAt: at(4), closedAt: at(5) },
      text: 'Closed (resolved → closed)',
      data: { from: 'resolved', to: 'closed', milestones: { closedAt: at(5) } },
    },
    {
      name: 'reopening a resolved incident clears its resolved time and keeps the rest',
      from: 'resolved',
      milestones: { detectedAt: at(0), acknowledgedAt: at(1), mitigatedAt: at(3), resolvedAt: at(4) },
      to: 'investigating',
      expected: { detectedAt: at(0), acknowledgedAt: at(1), mitigatedAt: at(3) },
      text: 'Reopened (resolved → investigating)',
      data: { from: 'resolved', to: 'investigating', cleared: ['resolvedAt'] },
    },
    {
      name: 'declining a triggered incident sets no milestone',
      from: 'triggered',
      milestones: { detectedAt: at(0) },
      to: 'declined',
      expected: { detectedAt: at(0) },
      text: 'Declined (triggered → declined)',
      data: { from: 'triggered', to: 'declined' },
    },
  ];

  it.each(cases)('$name', ({ from, milestones, to, expected, text, data }) => {
    const result = move(incident(from, milestones), to, at(5), 'alice');
    if ('error' in result) throw new Error(result.error.message);
    expect(result.incident.milestones).toEqual(expected);
    expect(result.entries).toEqual([{ at: at(5), kind: 'state', actor: 'alice', text, data }]);
  });

  it('resolving a reopened incident again records the new resolution time, and reopening never acknowledges after the mitigation', () => {
    const first = move(
      incident('resolved', { detectedAt: at(0), mitigatedAt: at(3), resolvedAt: at(4) }),
      'investigating',
      at(10),
      'bob',
    );
    if ('error' in first) throw new Error(first.error.message);
    const second = move(first.incident, 'resolved', at(20), 'bob');
    if ('error' in second) throw new Error(second.error.message);
    expect(second.incident.milestones).toEqual({ detectedAt: at(0), mitigatedAt: at(3), resolvedAt: at(20) });
  });

  it('does not change the incident it was given', () => {
    const before = incident('triggered');
    const copy = structuredClone(before);
    move(before, 'acknowledged', at(5), 'alice');
    expect(before).toEqual(copy);
  });
});

describe('move: merging', () => {
  it('merging records the incident it went into', () => {
    const result = move(incident('investigating'), 'merged', at(5), 'alice', { mergedInto: 3 });
    if ('error' in result) throw new Error(result.error.message);
    expect(result.incident.mergedInto).toBe(3);
    expect(result.entries[0]).toMatchObject({ text: 'Merged into #3', data: { mergedInto: 3 } });
  });

  it.each([
    ['without a target', {}],
    ['into itself', { mergedInto: 7 }],
  ])('refuses merging %s', (_name, options) => {
    const result = move(incident('investigating'), 'merged', at(5), 'alice', options);
    if (!('error' in result)) throw new Error('the merge was accepted');
    expect(result.error.message).toBe('incident 7 can only be merged into another incident');
    expect(result.error.allowed).toEqual(ALLOWED.investigating);
  });
});

describe('correctMilestone', () => {
  const full: Milestones = {
    impactStartedAt: at(-10),
    detectedAt: at(0),
    acknowledgedAt: at(2),
    mitigatedAt: at(20),
    resolvedAt: at(30),
  };

  it('sets an impact start nobody recorded, with a milestone entry at the time of the correction', () => {
    const result = correctMilestone(incident('investigating'), 'impactStartedAt', at(-7), 'alice', at(40));
    if ('error' in result) throw new Error(result.error.message);
    expect(result.incident.milestones).toEqual({ detectedAt: at(0), impactStartedAt: at(-7) });
    expect(result.incident.updatedAt).toBe(at(40));
    expect(result.entry).toEqual({
      at: at(40),
      kind: 'milestone',
      actor: 'alice',
      text: 'Impact started time set to 2026-11-23 11:53:00 UTC',
      data: { milestone: 'impactStartedAt', to: at(-7) },
    });
  });

  it('corrects a recorded time and keeps the old one in the entry', () => {
    const result = correctMilestone(incident('resolved', full), 'detectedAt', at(-3), 'alice', at(40));
    if ('error' in result) throw new Error(result.error.message);
    expect(result.incident.milestones.detectedAt).toBe(at(-3));
    expect(result.entry.text).toBe(
      'Detected time corrected from 2026-11-23 12:00:00 UTC to 2026-11-23 11:57:00 UTC',
    );
    expect(result.entry.data).toEqual({ milestone: 'detectedAt', from: at(0), to: at(-3) });
  });

  it.each([
    ['a time equal to the previous milestone', 'acknowledgedAt', at(0)],
    ['a time equal to the next milestone', 'acknowledgedAt', at(20)],
    ['a mitigation between acknowledgement and resolution', 'mitigatedAt', at(25)],
    ['a resolution before an unset close', 'resolvedAt', at(21)],
  ] as const)('accepts %s', (_name, name, time) => {
    const result = correctMilestone(incident('resolved', full), name, time, 'alice', at(40));
    expect('error' in result).toBe(false);
  });

  it.each([
    {
      name: 'a detection after the acknowledgement breaks detected ≤ acknowledged',
      milestone: 'detectedAt' as const,
      time: at(3),
      conflicts: [{ milestone: 'acknowledgedAt', at: at(2), must: 'not-before' }],
      message:
        'detected at 2026-11-23 12:03:00 UTC would break the order detected ≤ acknowledged (2026-11-23 12:02:00 UTC)',
    },
    {
      name: 'an impact start after detection and acknowledgement names both',
      milestone: 'impactStartedAt' as const,
      time: at(5),
      conflicts: [
        { milestone: 'detectedAt', at: at(0), must: 'not-before' },
        { milestone: 'acknowledgedAt', at: at(2), must: 'not-before' },
      ],
      message:
        'impact started at 2026-11-23 12:05:00 UTC would break the order impact started ≤ detected (2026-11-23 12:00:00 UTC) and impact started ≤ acknowledged (2026-11-23 12:02:00 UTC)',
    },
    {
      name: 'a resolution before the mitigation breaks mitigated ≤ resolved',
      milestone: 'resolvedAt' as const,
      time: at(15),
      conflicts: [{ milestone: 'mitigatedAt', at: at(20), must: 'not-after' }],
      message:
        'resolved at 2026-11-23 12:15:00 UTC would break the order mitigated (2026-11-23 12:20:00 UTC) ≤ resolved',
    },
  ])('refuses $name', ({ milestone, time, conflicts, message }) => {
    const result = correctMilestone(incident('resolved', full), milestone, time, 'alice', at(40));
    if (!('error' in result)) throw new Error('the correction was accepted');
    expect(result.error.conflicts).toEqual(conflicts);
    expect(result.error.message).toBe(message);
  });

  it('checks against every milestone, not only the neighbours, when some are unset', () => {
    const result = correctMilestone(
      incident('resolved', { impactStartedAt: at(0), resolvedAt: at(30) }),
      'acknowledgedAt',
      at(31),
      'alice',
      at(40),
    );
    if (!('error' in result)) throw new Error('the correction was accepted');
    expect(result.error.conflicts).toEqual([{ milestone: 'resolvedAt', at: at(30), must: 'not-before' }]);
  });

  it.each([
    ['a resolved time of an incident still investigating', 'investigating', 'resolvedAt', 'resolved'],
    ['a closed time of a resolved incident', 'resolved', 'closedAt', 'closed'],
  ] as const)('refuses %s', (_name, state, name, label) => {
    const result = correctMilestone(incident(state, full), name, at(35), 'alice', at(40));
    if (!('error' in result)) throw new Error('the correction was accepted');
    expect(result.error.message).toBe(`incident 7 is ${state}: it has no ${label} time to correct`);
  });

  it('corrects the closed time of a closed incident', () => {
    const result = correctMilestone(
      incident('closed', { ...full, closedAt: at(60) }),
      'closedAt',
      at(45),
      'alice',
      at(70),
    );
    if ('error' in result) throw new Error(result.error.message);
    expect(result.incident.milestones.closedAt).toBe(at(45));
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1])('refuses the time %s', (time) => {
    const result = correctMilestone(incident('investigating'), 'detectedAt', time, 'alice', at(40));
    if (!('error' in result)) throw new Error('the correction was accepted');
    expect(result.error.message).toBe('detected time must be a valid instant');
  });
});

describe('acknowledge', () => {
  it('moves a triggered incident to acknowledged, setting the milestone', () => {
    const r = acknowledge(incident('triggered'), at(3), 'alice');
    if ('error' in r) throw new Error(r.error.message);
    expect(r).toMatchObject({
      changed: true,
      incident: { state: 'acknowledged', milestones: { acknowledgedAt: at(3) } },
    });
    expect(r.entries).toHaveLength(1);
  });

  it('leaves an acknowledged incident as it is: a second responder pressing it succeeds', () => {
    const acked = incident('acknowledged', { detectedAt: T0, acknowledgedAt: at(1) });
    expect(acknowledge(acked, at(5), 'bob')).toEqual({ incident: acked, entries: [], changed: false });
  });

  it.each<IncidentState>(['investigating', 'resolved', 'closed', 'merged'])(
    'refuses from %s like any impossible move, with the allowed moves',
    (state) => {
      const r = acknowledge(incident(state), at(5), 'bob');
      expect(r).toEqual({
        error: {
          allowed: allowedMoves(state),
          message: expect.stringContaining(`from ${state} to acknowledged`),
        },
      });
    },
  );
});

describe('retrigger', () => {
  it('moves an acknowledged incident back to triggered, keeping the first acknowledgement, marked for paging', () => {
    const acked = incident('acknowledged', { detectedAt: T0, acknowledgedAt: at(1) });
    const r = retrigger(acked, at(31), 'no progress for 30m');
    if ('error' in r) throw new Error(r.error.message);
    expect(r.incident).toMatchObject({
      state: 'triggered',
      milestones: { acknowledgedAt: at(1) },
      updatedAt: at(31),
    });
    expect(r.entries).toEqual([
      {
        at: at(31),
        kind: 'state',
        actor: 'ballast',
        text: 'Re-triggered (acknowledged → triggered): no progress for 30m',
        data: { from: 'acknowledged', to: 'triggered', retrigger: true },
      },
    ]);
    // Acknowledging again is the ordinary move.
    const again = acknowledge(r.incident, at(32), 'alice');
    expect(again).toMatchObject({
      changed: true,
      incident: { state: 'acknowledged', milestones: { acknowledgedAt: at(1) } },
    });
  });

  it('is not a move people make, and only an acknowledged incident re-triggers', () => {
    expect(allowedMoves('acknowledged')).not.toContain('triggered');
    expect('error' in retrigger(incident('investigating'), at(5), 'x')).toBe(true);
  });
});
