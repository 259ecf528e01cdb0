/**
 * What paging should do for one open incident at an instant, as a pure
 * function of the facts (its policy, urgency, state, the pages already sent,
 * the maintenance windows of its services), so every rule has a table test
 * and the engine that sends is left with IO only.
 *
 * - In a maintenance window: nobody is paged (and an acknowledged incident
 *   does not re-trigger); the alerts are still recorded.
 * - When a window ended while the incident was still open, escalation starts
 *   from the first step at the window's end: the steps that would have fired
 *   during the window are not caught up (a burst of stale pages helps nobody).
 * - Acknowledged: nothing, until the policy's ack timeout passes without
 *   progress; then it re-triggers (and the next plan pages from step 1).
 * - Triggered, high urgency: every step that fell due since paging (re)started
 *   and was not paged yet. Low urgency: the first step, once, never escalating.
 */
import {
  ackTimeoutDue,
  type DueNotification,
  dueNotifications,
  type EscalationContext,
} from './escalation.ts';
import type { EscalationPolicy } from './types.ts';

/** A maintenance window of one of the incident's services, `[start, end)`. */
export interface PagingWindow {
  id: number;
  service: string;
  start: number;
  end: number;
  reason?: string;
}

/** A page already sent (or being sent) for the incident, by the step and round that sent it. */
export interface SentPage {
  at: number;
  step: number;
  round: number;
}

export interface PagingFacts {
  policy: EscalationPolicy;
  urgency: 'high' | 'low';
  state: 'triggered' | 'acknowledged';
  /** When paging (re)started: the incident's creation, or its last re-trigger. */
  startedAt: number;
  /** For an acknowledged incident: when, and the last progress a person made since. */
  acknowledgedAt?: number;
  lastProgressAt?: number;
  /** Windows of the incident's services that overlap [startedAt, now]. */
  windows: readonly PagingWindow[];
  pages: readonly SentPage[];
  now: number;
}

export type PagingPlan =
  /** Nothing to do now. */
  | { kind: 'wait' }
  /** A window covers now: page nobody (say so once per window). */
  | { kind: 'hold'; window: PagingWindow }
  /** The acknowledgement timed out: re-trigger; paging restarts from the first step. */
  | { kind: 'retrigger' }
  /**
   * Send `due` (possibly none yet). `from` is when escalation counts from;
   * `resumedAfter` is the window whose end moved it there.
   */
  | { kind: 'page'; from: number; due: DueNotification[]; resumedAfter?: PagingWindow };

/** The plan for one incident at `facts.now`; `context` resolves schedule and team targets. */
export function planPaging(facts: PagingFacts, context: EscalationContext = {}): PagingPlan {
  const { policy, now } = facts;
  const covering = facts.windows.find((w) => w.start <= now && now < w.end);
  if (covering) return { kind: 'hold', window: covering };
  if (facts.state === 'acknowledged') {
    const ackAt = facts.acknowledgedAt ?? facts.startedAt;
    return ackTimeoutDue(policy, ackAt, facts.lastProgressAt, now) ? { kind: 'retrigger' } : { kind: 'wait' };
  }
  if (policy.steps.length === 0) return { kind: 'wait' };
  // Windows that held paging since it started: escalation counts from the last one's end.
  let resumedAfter: PagingWindow | undefined;
  for (const w of facts.windows) {
    if (
      w.end > facts.startedAt &&
      w.start < now &&
      w.end <= now &&
      (!resumedAfter || w.end > resumedAfter.end)
    )
      resumedAfter = w;
  }
  const from = resumedAfter ? resumedAfter.end : facts.startedAt;
  const steps = policy.steps.length;
  const lastOrdinal = facts.pages
    .filter((p) => p.at >= from)
    .reduce((m, p) => Math.max(m, p.round * steps + p.step), -1);
  let due = dueNotifications(policy, from, lastOrdinal, now, context);
  if (facts.urgency === 'low') {
    // Low urgency notifies once per re-trigger, whatever windows came between.
    const notified = facts.pages.some((p) => p.at >= facts.startedAt);
    due = notified ? [] : due.filter((d) => d.ordinal === 0);
  }
  return { kind: 'page', from, due, ...(resumedAfter ? { resumedAfter } : {}) };
}
