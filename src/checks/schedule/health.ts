/**
 * The threshold state machine that turns a stream of results into "is this
 * check failing?". One failure is often noise; `failAfter` consecutive ones
 * are not. Recovery likewise needs `recoverAfter` consecutive passes, so a
 * flapping check does not alert and resolve on every run.
 */
import type { CheckStatus } from '../types.ts';

export interface HealthState {
  state: 'passing' | 'failing';
  consecutiveFailures: number;
  consecutivePasses: number;
}

export interface HealthThresholds {
  /** Consecutive failures that turn a passing check failing (below 1 counts as 1). */
  failAfter: number;
  /** Consecutive passes that turn a failing check passing again (below 1 counts as 1). */
  recoverAfter: number;
}

export interface HealthUpdate {
  next: HealthState;
  /** Set only on the result that changed the state. */
  transition?: 'failing' | 'recovered';
}

/** A check starts out passing, with nothing counted. */
export function initialHealth(): HealthState {
  return { state: 'passing', consecutiveFailures: 0, consecutivePasses: 0 };
}

/**
 * The health after one more result. `degraded` counts as a pass: the check is
 * slow but working, which is what degraded conditions are for, not an outage.
 */
export function advanceHealth(
  prev: HealthState,
  status: CheckStatus,
  thresholds: HealthThresholds,
): HealthUpdate {
  const failAfter = Math.max(1, thresholds.failAfter);
  const recoverAfter = Math.max(1, thresholds.recoverAfter);
  if (status === 'fail') {
    const consecutiveFailures = prev.consecutiveFailures + 1;
    if (prev.state === 'passing' && consecutiveFailures >= failAfter) {
      return { next: { state: 'failing', consecutiveFailures, consecutivePasses: 0 }, transition: 'failing' };
    }
    return { next: { state: prev.state, consecutiveFailures, consecutivePasses: 0 } };
  }
  const consecutivePasses = prev.consecutivePasses + 1;
  if (prev.state === 'failing' && consecutivePasses >= recoverAfter) {
    return { next: { state: 'passing', consecutiveFailures: 0, consecutivePasses }, transition: 'recovered' };
  }
  return { next: { state: prev.state, consecutiveFailures: 0, consecutivePasses } };
}
