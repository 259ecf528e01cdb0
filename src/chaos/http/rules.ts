/**
 * The ordered rule table of one proxy, free of IO: adding, replacing and
 * removing rules, the first-match decision for a request, and the counters.
 */
import { type FaultPlan, planFaults, type Random, rolls } from './decide.ts';
import { HttpFaultError, invalidInput } from './errors.ts';
import { compileMatch, type Matcher, type RequestView } from './match.ts';
import type { HttpFaultRule, HttpFaultRuleStats } from './schema.ts';
import { validateHttpFaultRule } from './validate.ts';

interface Entry {
  rule: HttpFaultRule;
  matches: Matcher;
  matched: number;
  injected: number;
  /** Aborted when the rule is removed, so requests waiting in its delay go on at once. */
  removed: AbortController;
}

/** A rule fired for a request: its plan, and a signal that the rule has since been removed. */
export interface Decision {
  plan: FaultPlan;
  removed: AbortSignal;
}

/**
 * Rules in the order they were added (a replaced rule keeps its place). A request
 * is decided by the first rule whose match selects it: that rule's percentage
 * roll says whether it gets the faults, and no later rule is consulted either way.
 * Generated ids are never reused, so reverting a stale id cannot remove a newer rule.
 */
export class RuleTable {
  #entries: Entry[] = [];
  #next = 1;

  /** Validates and appends a rule; throws HttpFaultError `invalid_rule` or `conflict` (id taken). */
  add(input: unknown): HttpFaultRule {
    const valid = validateHttpFaultRule(input);
    if (!valid.ok) throw invalidInput('invalid_rule', valid.issues);
    const { id: wanted, ...rest } = valid.value;
    if (wanted !== undefined && this.#find(wanted) !== undefined) {
      throw new HttpFaultError('conflict', `a rule with id "${wanted}" already exists`, [
        { path: 'id', message: 'is already taken' },
      ]);
    }
    const rule: HttpFaultRule = { id: wanted ?? this.#freshId(), ...rest };
    this.#entries.push({
      rule,
      matches: compileMatch(rule.match),
      matched: 0,
      injected: 0,
      removed: new AbortController(),
    });
    return structuredClone(rule);
  }

  /**
   * Replaces a rule's definition in place; its counters carry on and requests
   * already decided keep the old faults. Throws `not_found`, or `invalid_rule`
   * (also when the input names a different id).
   */
  update(id: string, input: unknown): HttpFaultRule {
    const entry = this.#find(id);
    if (entry === undefined) throw new HttpFaultError('not_found', `no rule with id "${id}"`);
    const valid = validateHttpFaultRule(input);
    if (!valid.ok) throw invalidInput('invalid_rule', valid.issues);
    const { id: named, ...rest } = valid.value;
    if (named !== undefined && named !== id) {
      throw invalidInput('invalid_rule', [{ path: 'id', message: `cannot change (the rule is "${id}")` }]);
    }
    entry.rule = { id, ...rest };
    entry.matches = compileMatch(entry.rule.match);
    return structuredClone(entry.rule);
  }

  /**
   * Removes a rule and releases requests waiting in its delays. Idempotent:
   * false when there was no such rule (already removed, or never added).
   */
  remove(id: string): boolean {
    const i = this.#entries.findIndex((e) => e.rule.id === id);
    if (i < 0) return false;
    const [entry] = this.#entries.splice(i, 1);
    entry?.removed.abort();
    return true;
  }

  /** Removes every rule (as `remove` does each); returns how many there were. */
  clear(): number {
    const entries = this.#entries;
    this.#entries = [];
    for (const e of entries) e.removed.abort();
    return entries.length;
  }

  /** Copies of the rules in evaluation order. */
  list(): HttpFaultRule[] {
    return this.#entries.map((e) => structuredClone(e.rule));
  }

  counters(): HttpFaultRuleStats[] {
    return this.#entries.map((e) => ({ id: e.rule.id, matched: e.matched, injected: e.injected }));
  }

  /** The faults for a request, or undefined to forward it untouched; counts matched and injected. */
  decide(req: RequestView, random: Random): Decision | undefined {
    const entry = this.#entries.find((e) => e.matches(req));
    if (entry === undefined) return undefined;
    entry.matched++;
    if (!rolls(entry.rule.percentage, random)) return undefined;
    entry.injected++;
    return { plan: planFaults(entry.rule, random), removed: entry.removed.signal };
  }

  #find(id: string): Entry | undefined {
    return this.#entries.find((e) => e.rule.id === id);
  }

  #freshId(): string {
    let id: string;
    do id = `rule-${this.#next++}`;
    while (this.#find(id) !== undefined);
    return id;
  }
}
