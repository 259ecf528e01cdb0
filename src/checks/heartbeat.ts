/**
 * Heartbeat checks are not run: the monitored job pings Ballast, and a ping
 * that does not arrive within period + grace fails the check. Pure: the
 * monitor asks, every few seconds, whether a result is due.
 */
import type { CheckDefinition, CheckResult, HeartbeatCheckSpec } from './types.ts';

export interface HeartbeatState {
  /** Latest ping, if any. */
  lastPingAt?: number;
  /** When the monitor started watching this check (the first deadline counts from it). */
  watchingSince: number;
  /** End of the last period a "missed" result was given for (one per missed period). */
  missedUntil?: number;
}

/** When the check fails if no ping arrives before: last ping (or start of watching) + period + grace. */
export function heartbeatDeadline(spec: HeartbeatCheckSpec, s: HeartbeatState): number {
  return (s.lastPingAt ?? s.watchingSince) + spec.periodMs + spec.graceMs;
}

/**
 * A failing result when a deadline passed without a ping and that missed
 * period has not been reported yet; then one per further period.
 */
export function missedHeartbeat(
  check: CheckDefinition,
  s: HeartbeatState,
  now: number,
  location = 'local',
): { result: CheckResult; missedUntil: number } | undefined {
  const spec = check.spec as HeartbeatCheckSpec;
  const deadline = heartbeatDeadline(spec, s);
  if (now < deadline) return undefined;
  const next =
    s.missedUntil === undefined || s.missedUntil < deadline ? deadline : s.missedUntil + spec.periodMs;
  if (now < next) return undefined;
  const since =
    s.lastPingAt === undefined
      ? 'no ping since Ballast started watching'
      : `last ping ${new Date(s.lastPingAt).toISOString()}`;
  const message = `no ping within ${fmt(spec.periodMs)} + ${fmt(spec.graceMs)} grace (${since})`;
  return {
    missedUntil: next,
    result: {
      check: check.name,
      service: check.service,
      type: 'heartbeat',
      location,
      startedAt: now,
      durationMs: 0,
      status: 'fail',
      reason: `missed: ${message}`,
      error: { kind: 'missed', message },
      conditions: [],
      phases: {},
      attempts: 1,
    },
  };
}

/** The passing result a ping produces. */
export function heartbeatPing(check: CheckDefinition, at: number, location = 'local'): CheckResult {
  return {
    check: check.name,
    service: check.service,
    type: 'heartbeat',
    location,
    startedAt: at,
    durationMs: 0,
    status: 'pass',
    conditions: [],
    phases: {},
    attempts: 1,
  };
}

function fmt(ms: number): string {
  // Zero is a multiple of every unit: say seconds, as a grace of 0s is written.
  if (ms === 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}
