/**
 * The on-call domain model: people, how to reach them, who is on call when
 * (schedules), and whom to page in which order (escalation policies). Mapped
 * from the `User`/`Team` sections of `Schedule` specs and from
 * `EscalationPolicy` specs; nothing here does IO.
 */

export type ContactMethod =
  /** POST of a JSON page to a URL (any receiver). */
  | { kind: 'webhook'; url: string }
  | { kind: 'email'; address: string }
  /** A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): `{text}` JSON. */
  | { kind: 'slack'; url: string };

export interface User {
  name: string;
  displayName?: string;
  /** IANA zone, for off-hours accounting and iCal. */
  timeZone?: string;
  contacts: ContactMethod[];
}

/**
 * A team: its members (users). A service belongs to a team through the
 * OpenSLO Service label `team: NAME`, which is how incident metrics and status
 * pages find a team's services; a `{team: NAME}` escalation target pages every
 * member.
 */
export interface Team {
  name: string;
  displayName?: string;
  members: string[];
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** A layer is on duty only inside these windows (local time of the schedule); none: always. */
export interface Restriction {
  days: Weekday[];
  /** `HH:MM`, local. */
  start: string;
  /** `HH:MM`, local; an end at or before the start runs past midnight. */
  end: string;
}

/** Shift length: whole hours are absolute; days and weeks follow the local calendar (DST-safe handoffs). */
export type ShiftLength =
  | { unit: 'hours'; count: number }
  | { unit: 'days'; count: number }
  | { unit: 'weeks'; count: number };

export interface Layer {
  name: string;
  /** Local date-time (`2026-01-05T09:00`) in the schedule's zone when participant 0's first shift starts. */
  start: string;
  /** Optional end of the layer (local date-time). */
  end?: string;
  shift: ShiftLength;
  /** Users in rotation order. */
  participants: string[];
  restrictions: Restriction[];
}

export interface Override {
  user: string;
  /** Epoch ms, [start, end). */
  start: number;
  end: number;
  reason?: string;
}

/**
 * A schedule. Layers are listed lowest priority first: a later layer that has
 * someone on duty at T wins over earlier ones (as PagerDuty draws them), and an
 * override wins over every layer.
 */
export interface Schedule {
  name: string;
  displayName?: string;
  timeZone: string;
  layers: Layer[];
  overrides: Override[];
}

/** Who is on call at an instant, and why. */
export interface OnCall {
  user: string;
  schedule: string;
  /** The layer that put them there, or `override`. */
  source: { kind: 'layer'; layer: string } | { kind: 'override'; reason?: string };
  /** The shift this belongs to, epoch ms [start, end) (clipped to restrictions and overrides). */
  start: number;
  end: number;
}

/** One step of an escalation policy. */
export interface EscalationStep {
  /** Whom this step pages. */
  targets: EscalationTarget[];
  /** Wait this long for an acknowledgement before the next step. */
  delayMs: number;
}

export type EscalationTarget =
  | { kind: 'user'; name: string }
  | { kind: 'schedule'; name: string }
  /** Every member of a team (use a schedule to page one person of a rotation). */
  | { kind: 'team'; name: string }
  /** A channel (e.g. a team's Slack webhook) paged as such. */
  | { kind: 'channel'; contact: ContactMethod };

export interface EscalationPolicy {
  name: string;
  steps: EscalationStep[];
  /** After the last step, start again from the first this many times (0 = no repeat). */
  repeat: number;
  /** An acknowledged incident with no state change for this long re-triggers (undefined: never). */
  ackTimeoutMs?: number;
  /**
   * Alerts this policy takes (routing rules, in the order given; policies are
   * consulted by name): a new incident goes to the first policy with a matching route.
   */
  routes?: PolicyRoute[];
}

/** Text matches equal text; `{regex}` the whole value. */
export type RouteMatcher = string | { regex: string };

export interface PolicyRoute {
  service?: RouteMatcher;
  labels?: Record<string, RouteMatcher>;
  origin?: 'alertmanager' | 'events-v2' | 'slo' | 'check';
  urgency?: 'high' | 'low';
  severity?: 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4';
}
