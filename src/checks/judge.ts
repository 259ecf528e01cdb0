/**
 * Turns what a runner observed into a status: an error fails the attempt;
 * otherwise every condition must hold (else fail) and every degraded
 * condition must hold (else degraded). Pure.
 *
 * One error is an answer rather than a failure: a connection that could not
 * be opened, for a check whose conditions read `[CONNECTED]`. That is how
 * `[CONNECTED] == false` asserts a port is closed (or firewalled).
 */
import {
  evaluateCondition,
  type ParsedCondition,
  parseCondition,
  placeholdersOf,
} from './conditions/index.ts';
import type { CheckError, CheckStatus, ConditionContext, ConditionOutcome, Observation } from './types.ts';

/** Parsed conditions by text: a check's conditions are parsed once, not per run. */
const parsed = new Map<string, ParsedCondition | string>();

function parsedCondition(text: string): ParsedCondition | string {
  let p = parsed.get(text);
  if (p === undefined) {
    const r = parseCondition(text);
    p = 'error' in r ? r.error.message : r.condition;
    // The map only grows with distinct condition texts from specs; cap it against pathological callers.
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(text, p);
  }
  return p;
}

/** Evaluates condition texts against a context (a text that does not parse fails, saying why). */
export function evaluateConditions(
  texts: string[],
  ctx: ConditionContext,
  degraded = false,
): ConditionOutcome[] {
  return texts.map((text) => {
    const p = parsedCondition(text);
    const outcome: ConditionOutcome =
      typeof p === 'string'
        ? { condition: text, ok: false, shown: `${text} (invalid: ${p})` }
        : evaluateCondition(p, ctx);
    if (degraded) outcome.degraded = true;
    return outcome;
  });
}

export interface Verdict {
  status: CheckStatus;
  conditions: ConditionOutcome[];
  /** One line: the error, or the first failing condition. */
  reason?: string;
  /** The observation's error when it counts against the check (not when it was the asserted answer). */
  error?: CheckError;
}

/**
 * The name resolved but no connection came of it: refused, unreachable, or
 * timed out while connecting. A DNS failure is not one (the host is unknown,
 * not closed), nor anything after the connection was open.
 */
export function connectionFailed(o: Observation): boolean {
  const kind = o.error?.kind;
  return (
    o.context.connected === false && o.context.ip !== undefined && (kind === 'connect' || kind === 'timeout')
  );
}

/** Some condition reads `[CONNECTED]`: the check asserts on connecting itself. */
function assertsConnection(conditions: string[]): boolean {
  return conditions.some((text) => {
    const p = parsedCondition(text);
    return typeof p !== 'string' && placeholdersOf(p).has('CONNECTED');
  });
}

/** Judges one attempt. */
export function judgeObservation(
  o: Observation,
  conditions: string[],
  degradedConditions: string[],
): Verdict {
  const outcomes = [
    ...evaluateConditions(conditions, o.context),
    ...evaluateConditions(degradedConditions, o.context, true),
  ];
  if (o.error) {
    const failure: Verdict = {
      status: 'fail',
      conditions: outcomes,
      reason: `${o.error.kind}: ${o.error.message}`,
      error: o.error,
    };
    // With `[CONNECTED] == true` the connect error stays the reason: it says more than "(false) == true".
    const answered = connectionFailed(o) && assertsConnection(conditions);
    if (!answered || outcomes.some((c) => !c.ok && !c.degraded)) return failure;
  }
  // A multistep check stops at a step whose own conditions failed: that is the reason.
  const step = o.steps?.find((s) => s.error !== undefined || (s.failed?.length ?? 0) > 0);
  if (step) {
    const why = step.error ? `${step.error.kind}: ${step.error.message}` : step.failed?.[0]?.shown;
    return { status: 'fail', conditions: outcomes, reason: `step ${step.name}: ${why}` };
  }
  const failed = outcomes.find((c) => !c.ok && !c.degraded);
  if (failed) return { status: 'fail', conditions: outcomes, reason: failed.shown };
  const slow = outcomes.find((c) => !c.ok);
  if (slow) return { status: 'degraded', conditions: outcomes, reason: slow.shown };
  return { status: 'pass', conditions: outcomes };
}
