/**
 * What a rule does to one request, pure: the percentage roll and the jittered
 * delays take an injectable random source so tests can fix the outcome.
 */
import type { HttpAbort, HttpDelay, HttpFaultRule } from './schema.ts';

/** A uniform number in [0, 1), as Math.random. */
export type Random = () => number;

/** The faults one request gets from the rule that fired. */
export interface FaultPlan {
  ruleId: string;
  /** Wait before forwarding, aborting or resetting; 0 when the rule has no delay. */
  delayMs: number;
  /** What happens after the delay. */
  outcome:
    | { kind: 'forward'; responseDelayMs: number }
    | { kind: 'abort'; abort: HttpAbort }
    | { kind: 'reset' };
}

/**
 * True for the share `percentage` (0..100) of calls: 100 always, 0 never.
 *
 * @example rolls(50, () => 0.49) // true
 * @example rolls(50, () => 0.5) // false
 */
export function rolls(percentage: number, random: Random): boolean {
  return random() * 100 < percentage;
}

/**
 * A delay in whole ms: `ms` ± `jitter`, uniform over the range and never negative.
 *
 * @example delayMs({ ms: 100, jitter: 20 }, () => 0) // 80
 */
export function delayMs(delay: HttpDelay | undefined, random: Random): number {
  if (delay === undefined) return 0;
  const jitter = delay.jitter ?? 0;
  if (jitter === 0) return delay.ms;
  return Math.max(0, Math.round(delay.ms + (random() * 2 - 1) * jitter));
}

/** The concrete plan of a rule that fired: its delays drawn once for this request. */
export function planFaults(rule: HttpFaultRule, random: Random): FaultPlan {
  const delay = delayMs(rule.delay, random);
  if (rule.abort !== undefined)
    return { ruleId: rule.id, delayMs: delay, outcome: { kind: 'abort', abort: rule.abort } };
  if (rule.reset === true) return { ruleId: rule.id, delayMs: delay, outcome: { kind: 'reset' } };
  return {
    ruleId: rule.id,
    delayMs: delay,
    outcome: { kind: 'forward', responseDelayMs: delayMs(rule.responseDelay, random) },
  };
}
