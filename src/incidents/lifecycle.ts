/**
 * The incident lifecycle as a state machine: which moves are allowed from a
 * state, what a move implies for the milestone times, and corrections of those
 * times afterwards. Every change comes with the timeline entries that record
 * it, so the history survives corrections. Pure: incidents in, incidents out.
 */
import type { Incident, IncidentState, Milestones, TimelineEntry } from './types.ts';

/** A timeline entry before the store gives it an id and files it under the incident. */
export type NewTimelineEntry = Omit<TimelineEntry, 'id' | 'incidentId'>;

/** Milestones in the order their times must keep. */
export const MILESTONE_ORDER: readonly (keyof Milestones)[] = [
  'impactStartedAt',
  'detectedAt',
  'acknowledgedAt',
  'mitigatedAt',
  'resolvedAt',
  'closedAt',
];

/** Names for people. */
export const MILESTONE_LABELS: Record<keyof Milestones, string> = {
  impactStartedAt: 'impact started',
  detectedAt: 'detected',
  acknowledgedAt: 'acknowledged',
  mitigatedAt: 'mitigated',
  resolvedAt: 'resolved',
  closedAt: 'closed',
};

/** The working states in their forward order, then the end of the road. */
const FORWARD: readonly IncidentState[] = [
  'triggered',
  'acknowledged',
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'closed',
];

/** States nothing moves out of. */
export const FINAL_STATES: ReadonlySet<IncidentState> = new Set(['closed', 'declined', 'merged']);

/** States of an incident still being worked on (resolved is not: it only waits to be closed or reopened). */
export const ACTIVE_STATES: readonly IncidentState[] = [
  'triggered',
  'acknowledged',
  'investigating',
  'identified',
  'monitoring',
];

/** Declining says "this was not an incident", which only makes sense before anyone worked on it. */
const DECLINABLE: ReadonlySet<IncidentState> = new Set(['triggered', 'acknowledged']);

/**
 * States that lead back to `investigating`: a wrong diagnosis (identified), a
 * mitigation that did not hold (monitoring), or a reopened incident (resolved).
 */
const BACK_TO_INVESTIGATING: ReadonlySet<IncidentState> = new Set(['identified', 'monitoring', 'resolved']);

/**
 * The states an incident in `state` may move to, in lifecycle order. Forward
 * moves may skip states (triggered → resolved) except that only a resolved
 * incident closes; identified, monitoring and resolved may go back to
 * investigating; declined only from triggered or acknowledged; merged from
 * any state that is not final; closed, declined and merged are final.
 */
export function allowedMoves(state: IncidentState): IncidentState[] {
  if (FINAL_STATES.has(state)) return [];
  const moves: IncidentState[] = [];
  if (BACK_TO_INVESTIGATING.has(state)) moves.push('investigating');
  const index = FORWARD.indexOf(state);
  for (const next of FORWARD.slice(index + 1)) {
    // Closing follows resolution: a postmortem needs a resolved time to measure against.
    if (next === 'closed' && state !== 'resolved') continue;
    moves.push(next);
  }
  if (DECLINABLE.has(state)) moves.push('declined');
  moves.push('merged');
  return moves;
}

/** The refusal of a move or correction, with what would have been accepted. */
export interface MoveError {
  /** The states the incident may move to from where it is (for a 409 answer). */
  allowed: IncidentState[];
  message: string;
}

export type MoveResult = { incident: Incident; entries: NewTimelineEntry[] } | { error: MoveError };

/** Extra facts some moves need. */
export interface MoveOptions {
  /** For `merged`: the incident this one is merged into. */
  mergedInto?: number;
}

/** States where someone is working on the incident: reaching one means it was acknowledged. */
const WORKED_ON: ReadonlySet<IncidentState> = new Set([
  'acknowledged',
  'investigating',
  'identified',
  'monitoring',
]);

/**
 * Moves an incident to another state at `at` by `actor`, setting the
 * milestones the move implies: any working state sets `acknowledgedAt`,
 * monitoring and resolved set `mitigatedAt` (both only when unset and no
 * later milestone is set: an earlier time stays), resolved sets `resolvedAt`,
 * closed sets `closedAt`.
 * Reopening (resolved → investigating) clears `resolvedAt`. Returns the
 * changed incident and one `state` entry whose data lists the milestones set
 * and cleared, or the error with the allowed moves.
 */
export function move(
  incident: Incident,
  to: IncidentState,
  at: number,
  actor: string,
  options: MoveOptions = {},
): MoveResult {
  const from = incident.state;
  const allowed = allowedMoves(from);
  if (!allowed.includes(to)) {
    const hint = allowed.length === 0 ? `${from} is final` : `allowed: ${allowed.join(', ')}`;
    return {
      error: { allowed, message: `incident ${incident.id} cannot move from ${from} to ${to} (${hint})` },
    };
  }
  if (to === 'merged' && (options.mergedInto === undefined || options.mergedInto === incident.id)) {
    return {
      error: { allowed, message: `incident ${incident.id} can only be merged into another incident` },
    };
  }

  const milestones: Milestones = { ...incident.milestones };
  const set: Partial<Milestones> = {};
  const cleared: (keyof Milestones)[] = [];
  // An implied time never lands after a later milestone: reopening an incident resolved
  // without acknowledgement must not acknowledge it after its mitigation.
  const setIfUnset = (name: keyof Milestones) => {
    const later = MILESTONE_ORDER.slice(MILESTONE_ORDER.indexOf(name) + 1);
    if (milestones[name] === undefined && later.every((l) => milestones[l] === undefined))
      set[name] = milestones[name] = at;
  };
  if (WORKED_ON.has(to)) setIfUnset('acknowledgedAt');
  // Resolution ends the impact too: without this a triggered → resolved incident has no recovery time.
  if (to === 'monitoring' || to === 'resolved') setIfUnset('mitigatedAt');
  if (to === 'resolved') set.resolvedAt = milestones.resolvedAt = at;
  if (to === 'closed') set.closedAt = milestones.closedAt = at;
  if (from === 'resolved' && to === 'investigating') {
    delete milestones.resolvedAt;
    cleared.push('resolvedAt');
  }

  const next: Incident = { ...incident, state: to, milestones, updatedAt: at };
  if (to === 'merged') next.mergedInto = options.mergedInto;

  const data: Record<string, unknown> = { from, to };
  if (Object.keys(set).length > 0) data.milestones = set;
  if (cleared.length > 0) data.cleared = cleared;
  if (to === 'merged') data.mergedInto = options.mergedInto;
  return {
    incident: next,
    entries: [{ at, kind: 'state', actor, text: stateText(from, to, options), data }],
  };
}

/** One line for the timeline: `Acknowledged`, `Reopened (resolved → investigating)`, `Merged into #12`. */
function stateText(from: IncidentState, to: IncidentState, options: MoveOptions): string {
  if (to === 'merged') return `Merged into #${options.mergedInto}`;
  if (from === 'resolved' && to === 'investigating') return 'Reopened (resolved → investigating)';
  return `${capitalise(to)} (${from} → ${to})`;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// ── milestone corrections ─────────────────────────────────────────────────

/** A milestone a correction would put out of order. */
export interface MilestoneConflict {
  milestone: keyof Milestones;
  at: number;
  /** Where the conflicting milestone must stay relative to the corrected one. */
  must: 'not-after' | 'not-before';
}

export type CorrectionResult =
  | { incident: Incident; entry: NewTimelineEntry }
  | { error: { message: string; conflicts: MilestoneConflict[] } };

/**
 * Corrects one milestone time to `at`, recorded at `now` by `actor` as a
 * `milestone` entry (with the old and new time in its data). Refused when it
 * would break the order impact started ≤ detected ≤ acknowledged ≤ mitigated
 * ≤ resolved ≤ closed (the error names each milestone it conflicts with), and
 * for resolved/closed times of an incident that is not resolved/closed.
 */
export function correctMilestone(
  incident: Incident,
  name: keyof Milestones,
  at: number,
  actor: string,
  now: number,
): CorrectionResult {
  const label = MILESTONE_LABELS[name];
  if (!Number.isFinite(at) || at < 0) {
    return { error: { message: `${label} time must be a valid instant`, conflicts: [] } };
  }
  // These two are facts of the state machine: setting them by hand would contradict the state.
  const reached =
    name === 'resolvedAt'
      ? incident.state === 'resolved' || incident.state === 'closed'
      : name === 'closedAt'
        ? incident.state === 'closed'
        : true;
  if (!reached) {
    return {
      error: {
        message: `incident ${incident.id} is ${incident.state}: it has no ${label} time to correct`,
        conflicts: [],
      },
    };
  }

  const conflicts: MilestoneConflict[] = [];
  const position = MILESTONE_ORDER.indexOf(name);
  MILESTONE_ORDER.forEach((other, i) => {
    const otherAt = incident.milestones[other];
    if (i === position || otherAt === undefined) return;
    if (i < position && otherAt > at) conflicts.push({ milestone: other, at: otherAt, must: 'not-after' });
    if (i > position && otherAt < at) conflicts.push({ milestone: other, at: otherAt, must: 'not-before' });
  });
  if (conflicts.length > 0) {
    const broken = conflicts.map((c) =>
      c.must === 'not-after'
        ? `${MILESTONE_LABELS[c.milestone]} (${iso(c.at)}) ≤ ${label}`
        : `${label} ≤ ${MILESTONE_LABELS[c.milestone]} (${iso(c.at)})`,
    );
    return {
      error: { message: `${label} at ${iso(at)} would break the order ${broken.join(' and ')}`, conflicts },
    };
  }

  const previous = incident.milestones[name];
  const next: Incident = { ...incident, milestones: { ...incident.milestones, [name]: at }, updatedAt: now };
  const text =
    previous === undefined
      ? `${capitalise(label)} time set to ${iso(at)}`
      : `${capitalise(label)} time corrected from ${iso(previous)} to ${iso(at)}`;
  const data: Record<string, unknown> = { milestone: name, to: at };
  if (previous !== undefined) data.from = previous;
  return { incident: next, entry: { at: now, kind: 'milestone', actor, text, data } };
}

/** `2026-03-02 14:05:09 UTC`: timeline texts are read by people in several zones. */
function iso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

// ── acknowledgement and its timeout ───────────────────────────────────────

/** What acknowledging does: a move, nothing (already acknowledged), or a refusal with the allowed moves. */
export type AckOutcome =
  | { incident: Incident; entries: NewTimelineEntry[]; changed: boolean }
  | { error: MoveError };

/**
 * Acknowledges an incident: triggered → acknowledged as an ordinary move; an
 * incident already acknowledged stays as it is (two responders pressing at
 * once both succeed); from any other state the move is refused like any
 * impossible move. Every acknowledge path (API, CLI, UI, signed link, Events
 * v2) comes through here, so they agree.
 */
export function acknowledge(incident: Incident, at: number, actor: string): AckOutcome {
  if (incident.state === 'acknowledged') return { incident, entries: [], changed: false };
  const r = move(incident, 'acknowledged', at, actor);
  return 'error' in r ? r : { ...r, changed: true };
}

/**
 * An acknowledgement that saw no progress for the policy's ack timeout:
 * acknowledged → triggered, as PagerDuty re-triggers, so paging starts over
 * from the first step and acknowledging again is the ordinary move. Only
 * Ballast makes this move (it is not among `allowedMoves`: a person who
 * wants more hands escalates). `acknowledgedAt` keeps the first
 * acknowledgement, which is what time to acknowledge measures. The entry's
 * `data.retrigger` marks where paging restarts.
 */
export function retrigger(incident: Incident, at: number, reason: string): MoveResult {
  if (incident.state !== 'acknowledged') {
    const allowed = allowedMoves(incident.state);
    return {
      error: {
        allowed,
        message: `incident ${incident.id} is ${incident.state}: only an acknowledged incident re-triggers`,
      },
    };
  }
  return {
    incident: { ...incident, state: 'triggered', updatedAt: at },
    entries: [
      {
        at,
        kind: 'state',
        actor: 'ballast',
        text: `Re-triggered (acknowledged → triggered): ${reason}`,
        data: { from: 'acknowledged', to: 'triggered', retrigger: true },
      },
    ],
  };
}
