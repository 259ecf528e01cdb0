/**
 * The deploy gate: may a change to this service go out now? Pure. It passes
 * only when (1) every enabled check of the service passes now, on a result
 * recent enough to say so, (2) every SLO of the service has more error budget
 * left than its ErrorBudgetPolicy asks (default: more than 0 %; an SLO without
 * data fails closed unless the policy says `whenNoData: pass`), and (3) no
 * freeze is active. Every reason is one line.
 */
import type { CheckStatus } from '../types.ts';
import { type Cadence, staleAt } from './freshness.ts';
import type { ErrorBudgetPolicy } from './policy.ts';

export interface GateCheck {
  name: string;
  enabled: boolean;
  /** How often it produces results: a newest result older than three of them no longer counts. */
  cadence: Cadence;
  /** The failure-threshold state: a failing check blocks even if its newest run passed (not yet recovered). */
  state?: 'passing' | 'failing';
  latest?: { status: CheckStatus; reason?: string; startedAt: number };
}

export interface GateSlo {
  name: string;
  /** Share of the budget left (1 untouched, 0 spent, negative overspent); null without data. */
  budgetRemaining: number | null;
}

export interface GateInput {
  service: string;
  now: number;
  checks: GateCheck[];
  slos: GateSlo[];
  /** The service's policies (several are combined: the strictest threshold, every freeze). */
  policies: ErrorBudgetPolicy[];
}

export interface GateReason {
  ok: boolean;
  kind: 'check' | 'budget' | 'freeze' | 'empty';
  message: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** What the policies say about an SLO without data: `fail` from any of them wins; none saying anything is `fail`. */
function noDataRule(policies: ErrorBudgetPolicy[]): { pass: boolean; policy?: string } {
  if (policies.some((p) => p.whenNoData === 'fail')) return { pass: false };
  const lenient = policies.find((p) => p.whenNoData === 'pass');
  return lenient ? { pass: true, policy: lenient.name } : { pass: false };
}

function checkReason(c: GateCheck, now: number): GateReason {
  const no = (message: string): GateReason => ({ ok: false, kind: 'check', message });
  if (!c.enabled) return { ok: true, kind: 'check', message: `check ${c.name} is paused (not judged)` };
  if (!c.latest) return no(`check ${c.name} is stale: it has never run`);
  if (now > staleAt(c.cadence, c.name, c.latest.startedAt))
    return no(
      `check ${c.name} is stale: last ran at ${iso(c.latest.startedAt)} (a result counts for three runs of the check, at least 5 minutes)`,
    );
  if (c.latest.status === 'fail') return no(`check ${c.name} is failing: ${c.latest.reason ?? 'failed'}`);
  if (c.state === 'failing') return no(`check ${c.name} has not recovered yet (needs more passing runs)`);
  const how =
    c.latest.status === 'degraded' ? `degraded (${c.latest.reason ?? 'slow'}), not blocking` : 'passes';
  return { ok: true, kind: 'check', message: `check ${c.name} ${how}` };
}

export interface GateDecision {
  service: string;
  pass: boolean;
  /** The budget share every SLO must exceed. */
  minBudgetRemaining: number;
  reasons: GateReason[];
}

/** Whole percents, one decimal below 10 % (of either sign: an overspent budget reads like a spent one). */
const pct = (x: number) => `${(x * 100).toFixed(Math.abs(x) * 100 >= 10 || x === 0 ? 0 : 1)}%`;

/** Decides the gate; blocking reasons come first. */
export function decideGate(input: GateInput): GateDecision {
  const reasons: GateReason[] = [];
  const min = Math.max(0, ...input.policies.map((p) => p.minBudgetRemaining));
  for (const c of input.checks) reasons.push(checkReason(c, input.now));
  const noData = noDataRule(input.policies);
  for (const s of input.slos) {
    if (s.budgetRemaining === null) {
      reasons.push(
        noData.pass
          ? {
              ok: true,
              kind: 'budget',
              message: `SLO ${s.name} has no data yet (not judged: whenNoData: pass in policy ${noData.policy})`,
            }
          : {
              ok: false,
              kind: 'budget',
              message: `SLO ${s.name} has no data yet: the gate fails closed (an ErrorBudgetPolicy with whenNoData: pass lets it through)`,
            },
      );
    } else if (s.budgetRemaining > min) {
      reasons.push({
        ok: true,
        kind: 'budget',
        message: `SLO ${s.name} has ${pct(s.budgetRemaining)} of its error budget left (needs more than ${pct(min)})`,
      });
    } else {
      reasons.push({
        ok: false,
        kind: 'budget',
        message: `SLO ${s.name} has ${pct(s.budgetRemaining)} of its error budget left; the policy needs more than ${pct(min)}`,
      });
    }
  }
  for (const p of input.policies) {
    for (const f of p.freezes) {
      if (f.start <= input.now && input.now < f.end) {
        reasons.push({
          ok: false,
          kind: 'freeze',
          message: `freeze ${f.reason ? `"${f.reason}" ` : ''}is active until ${new Date(f.end).toISOString()} (policy ${p.name})`,
        });
      }
    }
  }
  if (input.checks.length === 0 && input.slos.length === 0)
    reasons.push({
      ok: true,
      kind: 'empty',
      message: `service ${input.service} has no checks and no SLOs: nothing to judge`,
    });
  reasons.sort((a, b) => Number(a.ok) - Number(b.ok));
  return { service: input.service, pass: reasons.every((r) => r.ok), minBudgetRemaining: min, reasons };
}
