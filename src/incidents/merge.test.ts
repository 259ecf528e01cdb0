import { describe, expect, it } from 'vitest';
import { planMerge } from './merge.ts';
import type { Incident, IncidentState } from './types.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

const incident = (id: number, state: IncidentState, over: Partial<Incident> = {}): Incident => ({
  id,
  title: `incident ${id}`,
  state,
  severity: 'SEV3',
  urgency: 'high',
  services: [`svc-${id}`],
  service: `svc-${id}`,
  createdAt: T0,
  updatedAt: T0,
  milestones: { detectedAt: T0 },
  roles: {},
  impact: {},
  tasks: [],
  publicUpdates: [],
  ...over,
});

describe('planMerge', () => {
  it.each<[string, Incident | undefined, number, { status: number; message: RegExp }]>([
    ['an unknown target is a 404', undefined, 9, { status: 404, message: /no incident 9/ }],
    ['the incident itself is a 400', incident(1, 'triggered'), 1, { status: 400, message: /into itself/ }],
    [
      'a resolved target is a 409 that says to reopen it',
      incident(2, 'resolved'),
      2,
      { status: 409, message: /reopen it first/ },
    ],
    ['a closed target is a 409', incident(2, 'closed'), 2, { status: 409, message: /is closed, not open/ }],
    ['a declined target is a 409', incident(2, 'declined'), 2, { status: 409, message: /is declined/ }],
    [
      'a merged target is a 409 naming where it went',
      incident(2, 'merged', { mergedInto: 5 }),
      2,
      { status: 409, message: /merge into #5 instead/ },
    ],
  ])('%s', (_name, target, targetId, expected) => {
    const r = planMerge(incident(1, 'triggered'), targetId, target, T0, 'alice', 0);
    if (!('error' in r)) throw new Error('the merge was planned');
    expect(r.error.status).toBe(expected.status);
    expect(r.error.message).toMatch(expected.message);
  });

  it('refuses a source that cannot move to merged, with its allowed moves', () => {
    const r = planMerge(incident(1, 'closed'), 2, incident(2, 'investigating'), T0, 'alice', 0);
    expect(r).toEqual({
      error: { status: 409, allowed: [], message: expect.stringContaining('closed is final') },
    });
  });

  it('ends the source merged and gives the target its services and an entry', () => {
    const r = planMerge(incident(1, 'triggered'), 2, incident(2, 'investigating'), T0 + 5, 'alice', 3);
    if ('error' in r) throw new Error(r.error.message);
    expect(r.source).toMatchObject({ state: 'merged', mergedInto: 2 });
    expect(r.target.services).toEqual(['svc-2', 'svc-1']);
    expect(r.targetEntries).toEqual([
      {
        at: T0 + 5,
        kind: 'merge',
        actor: 'alice',
        text: '#1 merged into this incident with 3 alerts; now affects svc-1 too',
        data: { merged: 1, title: 'incident 1', alerts: 3, services: ['svc-1'] },
      },
    ]);
    expect(r.sourceEntries[0]?.text).toBe('Merged into #2');
  });
});
