/**
 * Escalation as a function of time: which step of a policy is paging at an
 * instant, which pages are due, and when an acknowledged incident re-triggers.
 * Pure (the caller passes the clock and the schedules), so the incident engine
 * can re-evaluate at `nextAt` and after a restart alike.
 *
 * Timeline: step 0 fires when paging starts; each step waits its delay for an
 * acknowledgement, then the next fires. After the last step's delay the policy
 * starts again from step 0, `repeat` more times. Once the last step of the last
 * round has waited its delay unacknowledged, the policy is exhausted. Steps are
 * numbered within the policy; `ordinal` counts fired steps across rounds
 * (`round × steps + step`).
 */
import { onCallAt } from './schedule.ts';
import type { ContactMethod, EscalationPolicy, EscalationTarget, Schedule, Team } from './types.ts';

/**
 * A target as paged: a person (directly, as a schedule's on-call or as a
 * team member), a channel, or a schedule nobody covers (or a team nobody
 * declared).
 */
export type ResolvedTarget =
  | { kind: 'user'; name: string; via?: { schedule: string } | { team: string } }
  | { kind: 'channel'; contact: ContactMethod }
  | { kind: 'unresolved'; schedule: string; reason: 'nobody on call' | 'unknown schedule' }
  | { kind: 'unresolved'; team: string; reason: 'unknown team' };

export interface EscalationContext {
  /** Schedules that step targets may name (by `name`). */
  schedules?: ReadonlyMap<string, Schedule> | readonly Schedule[];
  /** Teams that step targets may name. */
  teams?: ReadonlyMap<string, Team>;
  /** When the page was acknowledged: escalation stops there. */
  acknowledgedAt?: number;
}

export interface EscalationState {
  /** The step paging now (index into `policy.steps`). */
  step: number;
  /** 0 on the first pass through the steps, 1 on the first repeat, … */
  round: number;
  /** `round × steps + step`. */
  ordinal: number;
  /** When the current step fired. */
  firedAt: number;
  /** Whom the current step paged, resolved when it fired. */
  targets: ResolvedTarget[];
  /** When something changes next: the next step fires, or the policy runs out. Undefined when nothing will. */
  nextAt?: number;
  /** Every step of every round paged and the last one's delay passed without an acknowledgement. */
  exhausted: boolean;
  /** Escalation was stopped by an acknowledgement (the state is the one at that moment). */
  acknowledged: boolean;
}

/** One page to send. */
export interface DueNotification {
  step: number;
  round: number;
  ordinal: number;
  /** When it fell due (targets are resolved at this instant). */
  at: number;
  targets: ResolvedTarget[];
}

/** Positions of a policy's steps in time, relative to when paging started. */
interface Timeline {
  steps: number;
  /** offset[i]: ms from the start of a round to step i. */
  offset: number[];
  /** Length of one round. */
  cycle: number;
  /** Fired steps over all rounds. */
  total: number;
  /** ms from the start until the policy is exhausted. */
  exhaustAfter: number;
}

function timeline(policy: EscalationPolicy): Timeline {
  const offset: number[] = [];
  let cycle = 0;
  for (const step of policy.steps) {
    offset.push(cycle);
    cycle += Math.max(0, step.delayMs);
  }
  const rounds = Math.max(0, Math.floor(policy.repeat)) + 1;
  return {
    steps: policy.steps.length,
    offset,
    cycle,
    total: policy.steps.length * rounds,
    exhaustAfter: cycle * rounds,
  };
}

/** When step `ordinal` fires. */
function firedAt(tl: Timeline, startedAt: number, ordinal: number): number {
  const round = Math.floor(ordinal / tl.steps);
  return startedAt + round * tl.cycle + (tl.offset[ordinal - round * tl.steps] as number);
}

/** The last ordinal that has fired by `elapsed` ms after the start (never below 0: step 0 fires at once). */
function ordinalAfter(tl: Timeline, elapsed: number): number {
  if (elapsed >= tl.exhaustAfter) return tl.total - 1;
  const round = Math.floor(elapsed / tl.cycle);
  const within = elapsed - round * tl.cycle;
  let step = 0;
  // Steps are few (a handful): a scan is clearer than a search. Zero delays fire together.
  while (step + 1 < tl.steps && (tl.offset[step + 1] as number) <= within) step++;
  return round * tl.steps + step;
}

/**
 * Where escalation stands at `now` for a page that started at `startedAt` (a
 * `now` before the start counts as the start). With `acknowledgedAt` at or
 * before `now` the state is frozen at the acknowledgement and nothing is next.
 * A policy without steps is exhausted at once, with no targets.
 */
export function escalationAt(
  policy: EscalationPolicy,
  startedAt: number,
  now: number,
  context: EscalationContext = {},
): EscalationState {
  const tl = timeline(policy);
  const acked = context.acknowledgedAt !== undefined && context.acknowledgedAt <= now;
  const at = Math.max(startedAt, acked ? (context.acknowledgedAt as number) : now);
  if (tl.steps === 0)
    return {
      step: 0,
      round: 0,
      ordinal: 0,
      firedAt: startedAt,
      targets: [],
      exhausted: true,
      acknowledged: acked,
    };
  const elapsed = at - startedAt;
  const ordinal = ordinalAfter(tl, elapsed);
  const round = Math.floor(ordinal / tl.steps);
  const step = ordinal - round * tl.steps;
  const fired = firedAt(tl, startedAt, ordinal);
  const exhausted = elapsed >= tl.exhaustAfter;
  const state: EscalationState = {
    step,
    round,
    ordinal,
    firedAt: fired,
    targets: resolveTargets(policy.steps[step]?.targets ?? [], fired, context.schedules, context.teams),
    exhausted,
    acknowledged: acked,
  };
  if (!acked && !exhausted)
    state.nextAt = ordinal + 1 < tl.total ? firedAt(tl, startedAt, ordinal + 1) : startedAt + tl.exhaustAfter;
  return state;
}

/**
 * The pages due by `now` that have not been sent: every step after
 * `lastNotifiedOrdinal` (-1: none sent yet) that has fired, oldest first, each
 * with its targets resolved at the instant it fell due (so a late catch-up pages
 * whoever was on call then). Nothing is due once the page is acknowledged.
 */
export function dueNotifications(
  policy: EscalationPolicy,
  startedAt: number,
  lastNotifiedOrdinal: number,
  now: number,
  context: EscalationContext = {},
): DueNotification[] {
  const tl = timeline(policy);
  if (tl.steps === 0 || now < startedAt) return [];
  if (context.acknowledgedAt !== undefined && context.acknowledgedAt <= now) return [];
  const last = ordinalAfter(tl, now - startedAt);
  const out: DueNotification[] = [];
  // Bounded by steps × rounds (the schema caps both).
  for (let ordinal = Math.max(0, Math.floor(lastNotifiedOrdinal) + 1); ordinal <= last; ordinal++) {
    const round = Math.floor(ordinal / tl.steps);
    const step = ordinal - round * tl.steps;
    const at = firedAt(tl, startedAt, ordinal);
    out.push({
      step,
      round,
      ordinal,
      at,
      targets: resolveTargets(policy.steps[step]?.targets ?? [], at, context.schedules, context.teams),
    });
  }
  return out;
}

/**
 * When an acknowledged page re-triggers for lack of progress: the policy's ack
 * timeout after the later of the acknowledgement and the last progress (a state
 * change, a note). Undefined when the policy has no ack timeout.
 */
export function ackTimeoutAt(
  policy: EscalationPolicy,
  acknowledgedAt: number,
  lastProgressAt?: number,
): number | undefined {
  if (policy.ackTimeoutMs === undefined) return undefined;
  return Math.max(acknowledgedAt, lastProgressAt ?? acknowledgedAt) + policy.ackTimeoutMs;
}

/** True when an acknowledged page has seen no progress for the policy's ack timeout by `now`. */
export function ackTimeoutDue(
  policy: EscalationPolicy,
  acknowledgedAt: number,
  lastProgressAt: number | undefined,
  now: number,
): boolean {
  const due = ackTimeoutAt(policy, acknowledgedAt, lastProgressAt);
  return due !== undefined && now >= due;
}

/**
 * Targets as paged at instant `at`: users as named, schedules as whoever is on
 * call then, teams as every member (in the team's order), channels as given.
 * A person reached twice (directly, through a schedule or a team) is paged
 * once, as first listed.
 */
export function resolveTargets(
  targets: readonly EscalationTarget[],
  at: number,
  schedules: EscalationContext['schedules'] = [],
  teams: EscalationContext['teams'] = new Map(),
): ResolvedTarget[] {
  const out: ResolvedTarget[] = [];
  const users = new Set<string>();
  const addUser = (name: string, via?: { schedule: string } | { team: string }) => {
    if (users.has(name)) return;
    users.add(name);
    out.push(via === undefined ? { kind: 'user', name } : { kind: 'user', name, via });
  };
  for (const target of targets) {
    if (target.kind === 'user') addUser(target.name);
    else if (target.kind === 'channel') out.push({ kind: 'channel', contact: target.contact });
    else if (target.kind === 'team') {
      const team = teams.get(target.name);
      if (!team) out.push({ kind: 'unresolved', team: target.name, reason: 'unknown team' });
      else for (const member of team.members) addUser(member, { team: team.name });
    } else {
      const schedule = findSchedule(schedules, target.name);
      const onCall = schedule && onCallAt(schedule, at);
      if (onCall) addUser(onCall.user, { schedule: target.name });
      else
        out.push({
          kind: 'unresolved',
          schedule: target.name,
          reason: schedule ? 'nobody on call' : 'unknown schedule',
        });
    }
  }
  return out;
}

function findSchedule(
  schedules: NonNullable<EscalationContext['schedules']>,
  name: string,
): Schedule | undefined {
  if ('get' in schedules) return schedules.get(name);
  return schedules.find((s) => s.name === name);
}
