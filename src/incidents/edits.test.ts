import { describe, expect, it } from 'vitest';
import { addPublicUpdate, setPostmortem } from './edits.ts';
import { publicIncident } from './public.ts';
import type { Incident } from './types.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 4,
  title: 'db-7 replica lag 900s (pg_stat_replication)',
  state: 'investigating',
  severity: 'SEV2',
  urgency: 'high',
  services: ['checkout'],
  createdAt: T0,
  updatedAt: T0,
  milestones: { detectedAt: T0 },
  roles: {},
  impact: {},
  tasks: [],
  publicUpdates: [],
  ...over,
});

describe('public updates', () => {
  it('need a title the first time, keep the latest title after, and publish only that title', () => {
    expect(addPublicUpdate(incident(), { body: 'Looking into it' }, T0, 'alice')).toEqual({
      error: 'the first public update needs a title: what the status page calls this incident',
    });
    const first = addPublicUpdate(
      incident(),
      { title: 'Checkout slow', body: 'Looking into it' },
      T0,
      'alice',
    );
    if ('error' in first) throw new Error(first.error);
    const second = addPublicUpdate(first.incident, { body: 'Fix rolling out' }, T0 + 1, 'alice');
    if ('error' in second) throw new Error(second.error);
    expect(second.incident.publicUpdates.map((u) => u.title)).toEqual(['Checkout slow', 'Checkout slow']);
    const shown = publicIncident(second.incident);
    expect(shown).toEqual({
      title: 'Checkout slow',
      state: 'investigating',
      severity: 'SEV2',
      updatedAt: T0 + 1,
      updates: [
        { at: T0 + 1, body: 'Fix rolling out' },
        { at: T0, body: 'Looking into it' },
      ],
    });
    // The internal title never reaches the public view.
    expect(JSON.stringify(shown)).not.toContain('db-7');
  });

  it('make nothing public while there is none, or once the incident is resolved', () => {
    expect(publicIncident(incident())).toBeUndefined();
    const posted = addPublicUpdate(incident(), { title: 'Checkout slow', body: 'x' }, T0, 'a');
    if ('error' in posted) throw new Error(posted.error);
    expect(publicIncident({ ...posted.incident, state: 'resolved' })).toBeUndefined();
  });
});

describe('setPostmortem', () => {
  it('remembers who edited it, and refuses to replace the edit with a draft unless forced', () => {
    const drafted = setPostmortem(incident(), '# draft', T0, 'ballast', { generated: true });
    if ('error' in drafted) throw new Error(drafted.error);
    expect(drafted.incident.postmortemEdit).toBeUndefined();
    // An unedited draft is simply replaced.
    expect(
      'error' in setPostmortem(drafted.incident, '# draft 2', T0 + 1, 'ballast', { generated: true }),
    ).toBe(false);
    const edited = setPostmortem(drafted.incident, '# ours', T0 + 2, 'alice', { generated: false });
    if ('error' in edited) throw new Error(edited.error);
    expect(edited.incident.postmortemEdit).toEqual({ at: T0 + 2, by: 'alice' });
    const refused = setPostmortem(edited.incident, '# draft 3', T0 + 3, 'bob', { generated: true });
    expect(refused).toMatchObject({ status: 409, error: expect.stringContaining('edited by alice') });
    const forced = setPostmortem(edited.incident, '# draft 3', T0 + 3, 'bob', {
      generated: true,
      force: true,
    });
    if ('error' in forced) throw new Error(forced.error);
    expect(forced.incident.postmortem).toBe('# draft 3');
    expect(forced.incident.postmortemEdit).toBeUndefined();
    expect(forced.entries[0]?.text).toBe(
      'postmortem draft regenerated from the evidence, replacing the edit by alice',
    );
  });
});
