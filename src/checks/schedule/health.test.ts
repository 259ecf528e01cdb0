import { describe, expect, it } from 'vitest';
import type { CheckStatus } from '../types.ts';
import { advanceHealth, type HealthState, type HealthThresholds, initialHealth } from './health.ts';

/** Feeds `statuses` from the initial state; returns the final state and every transition as [index, kind]. */
function replay(statuses: CheckStatus[], thresholds: HealthThresholds) {
  let state: HealthState = initialHealth();
  const transitions: [number, string][] = [];
  statuses.forEach((status, i) => {
    const update = advanceHealth(state, status, thresholds);
    if (update.transition !== undefined) transitions.push([i, update.transition]);
    state = update.next;
  });
  return { state, transitions };
}

const F: CheckStatus = 'fail';
const P: CheckStatus = 'pass';
const D: CheckStatus = 'degraded';

describe('advanceHealth', () => {
  it('a check starts passing with nothing counted', () => {
    expect(initialHealth()).toEqual({ state: 'passing', consecutiveFailures: 0, consecutivePasses: 0 });
  });

  it.each<{
    name: string;
    statuses: CheckStatus[];
    failAfter: number;
    recoverAfter: number;
    state: 'passing' | 'failing';
    transitions: [number, string][];
  }>([
    {
      name: 'fails on the third consecutive failure with failAfter 3',
      statuses: [F, F, F],
      failAfter: 3,
      recoverAfter: 1,
      state: 'failing',
      transitions: [[2, 'failing']],
    },
    {
      name: 'two failures are not enough with failAfter 3',
      statuses: [F, F],
      failAfter: 3,
      recoverAfter: 1,
      state: 'passing',
      transitions: [],
    },
    {
      name: 'a pass in between resets the failure count',
      statuses: [F, F, P, F, F],
      failAfter: 3,
      recoverAfter: 1,
      state: 'passing',
      transitions: [],
    },
    {
      name: 'failAfter 1 fails on the first failure',
      statuses: [F],
      failAfter: 1,
      recoverAfter: 1,
      state: 'failing',
      transitions: [[0, 'failing']],
    },
    {
      name: 'a threshold below 1 counts as 1',
      statuses: [F, P],
      failAfter: 0,
      recoverAfter: 0,
      state: 'passing',
      transitions: [
        [0, 'failing'],
        [1, 'recovered'],
      ],
    },
    {
      name: 'further failures while failing do not transition again',
      statuses: [F, F, F, F, F],
      failAfter: 2,
      recoverAfter: 2,
      state: 'failing',
      transitions: [[1, 'failing']],
    },
    {
      name: 'recovers after recoverAfter consecutive passes',
      statuses: [F, F, P, P, P],
      failAfter: 2,
      recoverAfter: 3,
      state: 'passing',
      transitions: [
        [1, 'failing'],
        [4, 'recovered'],
      ],
    },
    {
      name: 'a failure while recovering resets the pass count and stays failing',
      statuses: [F, P, P, F, P, P],
      failAfter: 1,
      recoverAfter: 3,
      state: 'failing',
      transitions: [[0, 'failing']],
    },
    {
      name: 'degraded results never trip the failure threshold',
      statuses: [D, D, D, D, D, D],
      failAfter: 1,
      recoverAfter: 1,
      state: 'passing',
      transitions: [],
    },
    {
      name: 'a degraded result between failures resets the failure count',
      statuses: [F, D, F, D, F],
      failAfter: 2,
      recoverAfter: 1,
      state: 'passing',
      transitions: [],
    },
    {
      name: 'degraded results count as passes towards recovery',
      statuses: [F, D, D],
      failAfter: 1,
      recoverAfter: 2,
      state: 'passing',
      transitions: [
        [0, 'failing'],
        [2, 'recovered'],
      ],
    },
    {
      name: 'a flapping check fails and recovers each time the thresholds are met',
      statuses: [F, F, P, P, F, F, P, P],
      failAfter: 2,
      recoverAfter: 2,
      state: 'passing',
      transitions: [
        [1, 'failing'],
        [3, 'recovered'],
        [5, 'failing'],
        [7, 'recovered'],
      ],
    },
  ])('$name', ({ statuses, failAfter, recoverAfter, state, transitions }) => {
    const got = replay(statuses, { failAfter, recoverAfter });
    expect(got.state.state).toBe(state);
    expect(got.transitions).toEqual(transitions);
  });

  it('counts consecutive failures and passes', () => {
    const { state } = replay([P, F, F, F], { failAfter: 5, recoverAfter: 1 });
    expect(state).toEqual({ state: 'passing', consecutiveFailures: 3, consecutivePasses: 0 });
    const after = replay([F, P, D], { failAfter: 5, recoverAfter: 1 }).state;
    expect(after).toEqual({ state: 'passing', consecutiveFailures: 0, consecutivePasses: 2 });
  });

  it('does not change the state it was given', () => {
    const prev = initialHealth();
    advanceHealth(prev, 'fail', { failAfter: 1, recoverAfter: 1 });
    expect(prev).toEqual(initialHealth());
  });
});
