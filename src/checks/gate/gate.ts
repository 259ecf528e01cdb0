/**
 * The deploy gate: may a change to this service go out now? Pure. It passes
 * only when (1) every enabled check of the service passes now, (2) every SLO
 * of the service has more error budget left than its ErrorBudgetPolicy asks
 * (default: more than 0 %), and (3) no freeze is active. Every reason is one line.
 */
import type { CheckStatus } from '../types.ts';
import type { ErrorBudgetPolicy } from './policy.ts';

export interface GateCheck {
  name: string;
  enabled: boolean;
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
  for (const c of input.checks) {
    if (!c.enabled) {
      reasons.push({ ok: true, kind: 'check', message: `check ${c.name} is paused (not judged)` });
    } else if (!c.latest) {
      reasons.push({ ok: false, kind: 'check', message: `check ${c.name} has no result yet` });
    } else if (c.latest.status === 'fail') {
      reasons.push({
        ok: false,
        kind: 'check',
        message: `check ${c.name} is failing: ${c.latest.reason ?? 'failed'}`,
      });
    } else if (c.state === 'failing') {
      reasons.push({
        ok: false,
        kind: 'check',
        message: `check ${c.name} has not recovered yet (needs more passing runs)`,
      });
    } else {
      const how =
        c.latest.status === 'degraded' ? `degraded (${c.latest.reason ?? 'slow'}), not blocking` : 'passes';
      reasons.push({ ok: true, kind: 'check', message: `check ${c.name} ${how}` });
    }
  }
  for (const s of input.slos) {
    if (s.budgetRemaining === null) {
      reasons.push({ ok: true, kind: 'budget', message: `SLO ${s.name} has no data yet (not judged)` });
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
