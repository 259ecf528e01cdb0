/**
 * May an experiment start now? Chaos spends error budget on purpose, so it
 * must not start when the budget is already below the service's
 * ErrorBudgetPolicy, while an incident is open (the team is busy and the
 * evidence would be mixed), or during a freeze. Pure: the server gathers the
 * facts, this decides.
 */
import type { GateReason } from '../../checks/index.ts';

export interface GuardReason {
  ok: boolean;
  kind: 'budget' | 'freeze' | 'incident' | 'empty';
  message: string;
}

export interface GuardDecision {
  service: string;
  pass: boolean;
  /** True when the guards failed but the run was told to go anyway. */
  overridden: boolean;
  reasons: GuardReason[];
}

export interface GuardInput {
  service: string;
  /** The deploy gate's reasons for the service; only budget and freeze ones matter here. */
  gateReasons: GateReason[];
  openIncidents: { id: number; title: string; severity: string; state: string }[];
  override: boolean;
}

/** Budget and freeze from the gate (check results are the steady-state probes' job), plus open incidents. */
export function decideGuards(input: GuardInput): GuardDecision {
  const reasons: GuardReason[] = input.gateReasons
    .filter(
      (r): r is GateReason & { kind: 'budget' | 'freeze' } => r.kind === 'budget' || r.kind === 'freeze',
    )
    .map((r) => ({ ok: r.ok, kind: r.kind, message: r.message }));
  for (const i of input.openIncidents)
    reasons.push({
      ok: false,
      kind: 'incident',
      message: `incident #${i.id} (${i.severity}, ${i.state}) "${i.title}" is open for ${input.service}`,
    });
  if (reasons.length === 0)
    reasons.push({
      ok: true,
      kind: 'empty',
      message: `service ${input.service} has no SLOs, freezes or open incidents: nothing holds the experiment back`,
    });
  reasons.sort((a, b) => Number(a.ok) - Number(b.ok));
  const pass = reasons.every((r) => r.ok);
  return {
    service: input.service,
    pass: pass || input.override,
    overridden: !pass && input.override,
    reasons,
  };
}
