import { describe, expect, it } from 'vitest';
import { type HeartbeatState, heartbeatDeadline, heartbeatPing, missedHeartbeat } from './heartbeat.ts';
import type { CheckDefinition, HeartbeatCheckSpec } from './types.ts';

const MINUTE = 60_000;
const START = Date.parse('2026-03-01T00:00:00Z');
const spec: HeartbeatCheckSpec = { type: 'heartbeat', periodMs: 60 * MINUTE, graceMs: 5 * MINUTE };

const check: CheckDefinition = {
  name: 'nightly-backup',
  service: 'shop',
  tags: [],
  locations: ['local'],
  schedule: { kind: 'interval', everyMs: 0, jitterMs: 0 },
  timeoutMs: 10_000,
  retries: { count: 0, backoff: 'fixed', delayMs: 1_000, onlyNetworkErrors: false },
  failAfter: 1,
  recoverAfter: 1,
  conditions: [],
  degradedConditions: [],
  enabled: true,
  spec,
};

/** The first deadline when nothing pinged since START. */
const FIRST_DEADLINE = START + spec.periodMs + spec.graceMs;

describe('heartbeatDeadline', () => {
  it('counts from the start of watching until the first ping', () => {
    expect(heartbeatDeadline(spec, { watchingSince: START })).toBe(FIRST_DEADLINE);
  });

  it('counts from the latest ping once there is one', () => {
    const ping = START + 10 * MINUTE;
    expect(heartbeatDeadline(spec, { watchingSince: START, lastPingAt: ping })).toBe(
      ping + spec.periodMs + spec.graceMs,
    );
  });
});

describe('missedHeartbeat', () => {
  it('gives nothing before the deadline', () => {
    expect(missedHeartbeat(check, { watchingSince: START }, FIRST_DEADLINE - 1)).toBeUndefined();
  });

  it('fails the check at the deadline, saying nothing pinged since watching began', () => {
    const missed = missedHeartbeat(check, { watchingSince: START }, FIRST_DEADLINE);
    const message = 'no ping within 1h + 5m grace (no ping since Ballast started watching)';
    expect(missed).toEqual({
      missedUntil: FIRST_DEADLINE,
      result: {
        check: 'nightly-backup',
        service: 'shop',
        type: 'heartbeat',
        location: 'local',
        startedAt: FIRST_DEADLINE,
        durationMs: 0,
        status: 'fail',
        reason: `missed: ${message}`,
        error: { kind: 'missed', message },
        conditions: [],
        phases: {},
        attempts: 1,
      },
    });
  });

  it('names the last ping when there was one, and the location given', () => {
    const ping = Date.parse('2026-03-01T02:00:00Z');
    const now = ping + spec.periodMs + spec.graceMs + 1;
    const missed = missedHeartbeat(check, { watchingSince: START, lastPingAt: ping }, now, 'eu-west');
    expect(missed?.result.location).toBe('eu-west');
    expect(missed?.result.error?.message).toBe(
      'no ping within 1h + 5m grace (last ping 2026-03-01T02:00:00.000Z)',
    );
  });

  it('gives one result per missed period, not one per call', () => {
    // The monitor asks every few seconds; walk 3.5 periods past the first deadline in 10 s steps.
    let state: HeartbeatState = { watchingSince: START };
    const reportedAt: number[] = [];
    const end = FIRST_DEADLINE + 3.5 * spec.periodMs;
    for (let now = START; now <= end; now += 10_000) {
      const missed = missedHeartbeat(check, state, now);
      if (!missed) continue;
      reportedAt.push(missed.result.startedAt);
      state = { ...state, missedUntil: missed.missedUntil };
    }
    expect(reportedAt).toEqual([0, 1, 2, 3].map((i) => FIRST_DEADLINE + i * spec.periodMs));
  });

  it('a ping after a miss starts a new deadline, and the next miss is reported at it', () => {
    const state: HeartbeatState = { watchingSince: START, missedUntil: FIRST_DEADLINE };
    const ping = FIRST_DEADLINE + 10 * MINUTE;
    const pinged = { ...state, lastPingAt: ping };
    const newDeadline = ping + spec.periodMs + spec.graceMs;
    expect(missedHeartbeat(check, pinged, newDeadline - 1)).toBeUndefined();
    expect(missedHeartbeat(check, pinged, newDeadline)?.missedUntil).toBe(newDeadline);
  });

  it('formats odd durations in seconds, and zero grace plainly', () => {
    const odd: CheckDefinition = { ...check, spec: { type: 'heartbeat', periodMs: 90_000, graceMs: 0 } };
    const missed = missedHeartbeat(odd, { watchingSince: START }, START + 90_000);
    expect(missed?.result.error?.message).toBe(
      'no ping within 90s + 0s grace (no ping since Ballast started watching)',
    );
  });
});

describe('heartbeatPing', () => {
  it('a ping is a passing result at its time', () => {
    const at = START + 5 * MINUTE;
    expect(heartbeatPing(check, at, 'eu-west')).toEqual({
      check: 'nightly-backup',
      service: 'shop',
      type: 'heartbeat',
      location: 'eu-west',
      startedAt: at,
      durationMs: 0,
      status: 'pass',
      conditions: [],
      phases: {},
      attempts: 1,
    });
    expect(heartbeatPing(check, at).location).toBe('local');
  });
});
