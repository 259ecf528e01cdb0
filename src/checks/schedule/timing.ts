/**
 * When a check runs: pure functions of the schedule, the check's name and a
 * time (epoch ms). No clocks, no timers.
 *
 * Interval schedules sit on a fixed grid per check, `phase + k·everyMs`, where
 * the phase comes from a hash of the name. Computing the next run from any
 * time on or after the previous one lands on the same grid, so a scheduler
 * that is a few ms late never pushes later runs back (no drift), and checks
 * with equal intervals are spread over the interval instead of firing
 * together. Each run then gets its own jitter in [0, jitterMs], also a hash
 * (of the name and the run), so runs look random but are reproducible.
 *
 * Jitter is kept below the gap to the following run (everyMs, or the gap to
 * the next cron time), so jittered runs never overtake each other and every
 * grid point fires exactly once.
 */
import { Cron } from 'croner';
import type { CheckSchedule } from '../types.ts';
import { hashString, mixInteger, unitOf } from './hash.ts';

/** Seeds that keep the phase and the per-run jitter independent of each other. */
const PHASE_SEED = 0x5eed0001;
const JITTER_SEED = 0x5eed0002;

/**
 * The first time strictly after `after` at which the check runs.
 * `Number.POSITIVE_INFINITY` when a cron schedule has no later time (a past
 * year, for instance). Throws on an invalid schedule (a non-positive interval,
 * a cron expression or time zone croner rejects).
 */
export function nextRunAt(schedule: CheckSchedule, check: string, after: number): number {
  return schedule.kind === 'interval'
    ? nextIntervalRun(schedule.everyMs, schedule.jitterMs, check, after)
    : nextCronRun(schedule.expression, schedule.timeZone, schedule.jitterMs, check, after);
}

/**
 * The first run at or after `now`. For interval schedules the per-check phase
 * puts it somewhere in the next interval (plus jitter), so a thousand checks
 * started together begin over one interval rather than all at once. Cron
 * schedules run at their next cron time (plus jitter): spreading them further
 * would move them off the times they were asked for.
 */
export function firstRunAt(schedule: CheckSchedule, check: string, now: number): number {
  return nextRunAt(schedule, check, now - 1);
}

/** The check's offset on its interval grid, in [0, everyMs). */
export function phaseOf(check: string, everyMs: number): number {
  return Math.floor(unitOf(hashString(check, PHASE_SEED)) * everyMs);
}

/**
 * The jitter of run `run` (a grid index, or a cron time in seconds), in
 * [0, maxMs]: whole ms, uniform, deterministic per check and run.
 */
export function jitterOf(check: string, run: number, maxMs: number): number {
  if (!(maxMs > 0)) return 0;
  const h = mixInteger(hashString(check, JITTER_SEED), run);
  return Math.floor(unitOf(h) * (Math.floor(maxMs) + 1));
}

/** Largest jitter allowed before a run with `gapMs` to the next one: below the gap, so runs keep their order. */
function jitterCap(jitterMs: number, gapMs: number): number {
  return Math.max(0, Math.min(Math.floor(jitterMs), Math.ceil(gapMs) - 1));
}

function nextIntervalRun(everyMs: number, jitterMs: number, check: string, after: number): number {
  if (!(everyMs > 0) || !Number.isFinite(everyMs)) {
    throw new RangeError(`interval must be a positive number of ms, got ${everyMs}`);
  }
  const phase = phaseOf(check, everyMs);
  const cap = jitterCap(jitterMs, everyMs);
  const fire = (k: number) => phase + k * everyMs + jitterOf(check, k, cap);
  // Grid point k is the last one at or before `after`. Its run may still be ahead
  // thanks to its jitter; the run before it is not (jitter < everyMs).
  const k = Math.floor((after - phase) / everyMs);
  const atK = fire(k);
  return atK > after ? atK : fire(k + 1);
}

/** Parsed cron expressions, by time zone and expression. Bounded: cleared when full. */
const cronCache = new Map<string, Cron>();
const CRON_CACHE_LIMIT = 1024;

function cronOf(expression: string, timeZone: string): Cron {
  const key = `${timeZone}\u0000${expression}`;
  let cron = cronCache.get(key);
  if (cron === undefined) {
    // No callback: croner only computes times and starts no timer.
    cron = new Cron(expression, { timezone: timeZone });
    if (cronCache.size >= CRON_CACHE_LIMIT) cronCache.clear();
    cronCache.set(key, cron);
  }
  return cron;
}

/**
 * Why croner rejects an expression or time zone, or undefined when it
 * accepts them (for the spec mapper, so a bad cron fails at load time).
 */
export function cronError(expression: string, timeZone: string): string | undefined {
  try {
    cronOf(expression, timeZone).nextRun(new Date(0));
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function nextCronRun(
  expression: string,
  timeZone: string,
  jitterMs: number,
  check: string,
  after: number,
): number {
  const cron = cronOf(expression, timeZone);
  const following = (t: number): number => cron.nextRun(new Date(t))?.getTime() ?? Number.POSITIVE_INFINITY;
  // The jitter of the run at cron time `c` stays below the gap to the next cron time.
  const fire = (c: number) =>
    c + jitterOf(check, Math.floor(c / 1000), jitterCap(jitterMs, following(c) - c));
  if (jitterMs > 0) {
    // The last cron time at or before `after` can still be ahead once jittered.
    // croner's previousRuns is strictly before its reference, hence the +1.
    const last = cron.previousRuns(1, new Date(Math.floor(after) + 1))[0]?.getTime();
    if (last !== undefined && last <= after) {
      const atLast = fire(last);
      if (atLast > after) return atLast;
    }
  }
  const next = following(after);
  return Number.isFinite(next) ? fire(next) : next;
}

/** The two schedules give the same run times. */
export function sameSchedule(a: CheckSchedule, b: CheckSchedule): boolean {
  if (a.kind === 'interval')
    return b.kind === 'interval' && a.everyMs === b.everyMs && a.jitterMs === b.jitterMs;
  return (
    b.kind === 'cron' &&
    a.expression === b.expression &&
    a.timeZone === b.timeZone &&
    a.jitterMs === b.jitterMs
  );
}
