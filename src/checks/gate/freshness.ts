/**
 * When a check's newest result is too old to vouch for the check: after three
 * of its runs should have happened, and never sooner than five minutes (so a
 * check every 10 s is not stale after one slow run). A scheduler that stopped,
 * a check that hangs, or an agent that lost its way must not leave an old
 * "pass" opening the gate. Pure.
 */
import { nextRunAt } from '../schedule/index.ts';
import type { CheckDefinition, CheckSchedule } from '../types.ts';

/** How often a check produces results: its schedule, or a heartbeat's period plus grace. */
export type Cadence = CheckSchedule | { kind: 'heartbeat'; periodMs: number; graceMs: number };

/** A result is never stale sooner than this after it started. */
export const MIN_FRESH_MS = 5 * 60_000;

/** Runs a result stands for. */
export const FRESH_RUNS = 3;

export function cadenceOf(def: CheckDefinition): Cadence {
  return def.spec.type === 'heartbeat'
    ? { kind: 'heartbeat', periodMs: def.spec.periodMs, graceMs: def.spec.graceMs }
    : def.schedule;
}

/**
 * The instant (epoch ms) after which a result that started at `lastAt` is
 * stale: `lastAt + max(3 × interval, 5 min)`; for cron, the third scheduled
 * time after it (at least 5 min later). Infinity for a cron schedule that
 * never runs again.
 *
 * @example staleAt({ kind: 'interval', everyMs: 600_000, jitterMs: 0 }, 'api', 0) // 1_800_000
 */
export function staleAt(cadence: Cadence, check: string, lastAt: number): number {
  const floor = lastAt + MIN_FRESH_MS;
  switch (cadence.kind) {
    case 'interval':
      return Math.max(floor, lastAt + FRESH_RUNS * cadence.everyMs);
    case 'heartbeat':
      return Math.max(floor, lastAt + FRESH_RUNS * (cadence.periodMs + cadence.graceMs));
    case 'cron': {
      let t = lastAt;
      try {
        for (let i = 0; i < FRESH_RUNS && Number.isFinite(t); i++) t = nextRunAt(cadence, check, t);
      } catch {
        // A schedule that cannot be computed never ran from here either: only the floor applies.
        return floor;
      }
      return Math.max(floor, t);
    }
  }
}
