/**
 * Validation of rules and proxy configs from untrusted JSON: every problem is
 * returned with the field it concerns (diagnostics, not a throw), so an API can
 * answer 400 with all of them at once.
 */
import type { z } from 'zod';
import type { HttpFaultIssue } from './errors.ts';
import {
  type HttpFaultProxyConfig,
  HttpFaultProxyConfigSchema,
  type HttpFaultRule,
  HttpFaultRuleInputSchema,
} from './schema.ts';

/** A valid rule with its defaults filled; `id` only when the input named one. */
export type ValidRule = Omit<HttpFaultRule, 'id'> & { id?: string };

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: HttpFaultIssue[] };

/**
 * Validates a rule (camelCase keys, unknown keys rejected) and fills `match: {}`
 * and `percentage: 100` when absent.
 *
 * @example validateHttpFaultRule({ match: { path: '/api/*' }, abort: { status: 503 } })
 * // { ok: true, value: { match: { path: '/api/*' }, percentage: 100, abort: { status: 503 } } }
 * @example validateHttpFaultRule({ percentage: 150, abort: { status: 503 } })
 * // { ok: false, issues: [{ path: 'percentage', message: 'must be at most 100 (a percentage)' }] }
 */
export function validateHttpFaultRule(input: unknown): Validated<ValidRule> {
  const r = HttpFaultRuleInputSchema.safeParse(input, { reportInput: true });
  if (!r.success) return { ok: false, issues: zodIssues(r.error, '(rule)') };
  const { id, match, percentage, ...faults } = r.data;
  const value: ValidRule = {
    ...(id === undefined ? {} : { id }),
    match: match ?? {},
    percentage: percentage ?? 100,
    ...faults,
  };
  return { ok: true, value };
}

/** Validates the JSON that creates a proxy, rules included (their issues are under `rules[i]`). */
export function validateHttpFaultProxyConfig(input: unknown): Validated<HttpFaultProxyConfig> {
  const r = HttpFaultProxyConfigSchema.safeParse(input, { reportInput: true });
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: zodIssues(r.error, '(config)') };
}

/**
 * Flattens zod issues into field-named ones; of a failed union, the branch that got furthest speaks.
 * `root` names the input itself (`(rule)`) for problems of the whole object.
 */
export function zodIssues(error: z.ZodError, root: string): HttpFaultIssue[] {
  return flatten(error.issues, [], root);
}

function flatten(
  issues: readonly z.core.$ZodIssue[],
  base: readonly PropertyKey[],
  root: string,
): HttpFaultIssue[] {
  const at = (path: readonly PropertyKey[]) => jsonPath(path) || root;
  const out: HttpFaultIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // `path: "api"` should say what is wrong with the string, not list the regex branch's complaints too.
      const best = [...issue.errors].sort((a, b) => score(a) - score(b))[0] ?? [];
      out.push(...flatten(best, path, root));
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: at([...path, key]), message: `unknown field "${key}"` });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      out.push({ path: at(path), message: 'is required' });
    } else {
      out.push({ path: at(path), message: issue.message.replace(/^Invalid input: /, '') });
    }
  }
  return out;
}

/** Lower is closer: a wrong type at the top means the wrong branch; unknown keys too. */
function score(issues: readonly z.core.$ZodIssue[]): number {
  return issues.reduce((n, i) => {
    if (i.code === 'invalid_type' && i.path.length === 0) return n + 100;
    if (i.code === 'unrecognized_keys') return n + 10 * i.keys.length;
    return n + 1;
  }, 0);
}

/** `['abort', 'headers', 'x']` → `abort.headers.x`, `['rules', 2, 'percentage']` → `rules[2].percentage`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
