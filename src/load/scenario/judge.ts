/** Judging a response against its request's checks: the caller counts the returned error kind. */
import type { RequestOutcome } from '../http/index.ts';
import type { ErrorKind, LoadPlan, RequestTemplate, ResponseCheck } from '../types.ts';

/** Compiled patterns, once per check object (judge runs per request). */
const patterns = new WeakMap<ResponseCheck, RegExp>();

function pattern(check: ResponseCheck, source: string): RegExp {
  let re = patterns.get(check);
  if (!re) {
    re = new RegExp(source);
    patterns.set(check, re);
  }
  return re;
}

/**
 * Returns why the request failed, or undefined when it passed. A transport
 * failure keeps its own kind. Without a `status` check, any status of 400 or
 * more fails (kind `status`), as in k6; a `status` check replaces that rule.
 * Other failed checks give `check`. Body checks need the pool's `keepBody`
 * (see {@link needsBody}), header checks the pool's `keepHeaders` (see
 * {@link needsHeaders}); without them they fail.
 */
export function judge(template: RequestTemplate, outcome: RequestOutcome): ErrorKind | undefined {
  if (!outcome.ok) return outcome.error;
  let statusChecked = false;
  for (const c of template.checks) {
    switch (c.kind) {
      case 'status':
        statusChecked = true;
        if (!c.in.includes(outcome.status)) return 'status';
        break;
      case 'bodyContains':
        if (!outcome.body?.includes(c.text)) return 'check';
        break;
      case 'bodyMatches':
        if (!outcome.body || !pattern(c, c.pattern).test(outcome.body.toString('utf8'))) return 'check';
        break;
      case 'header': {
        const v = outcome.headers[c.name.toLowerCase()];
        if (v === undefined) return 'check';
        if (c.equals !== undefined && v !== c.equals) return 'check';
        if (c.matches !== undefined && !pattern(c, c.matches).test(v)) return 'check';
        break;
      }
      case 'maxLatencyMs':
        if (outcome.doneAt - outcome.sentAt > c.value) return 'check';
        break;
    }
  }
  if (!statusChecked && outcome.status >= 400) return 'status';
  return undefined;
}

/** True when some request has a header check, so the pool must build response header records. */
export function needsHeaders(plan: LoadPlan): boolean {
  return plan.requests.some((r) => r.checks.some((c) => c.kind === 'header'));
}

/** True when some request has a body check, so the pool must keep response bodies. */
export function needsBody(plan: LoadPlan): boolean {
  return plan.requests.some((r) =>
    r.checks.some((c) => c.kind === 'bodyContains' || c.kind === 'bodyMatches'),
  );
}
