import { describeWindow } from '../slo/index.ts';
import type { ServiceDefinition, SloDefinition, SloStatus } from '../slo/model.ts';
import type { ServiceSummary, SloSummary } from './schemas.ts';

/**
 * A status for an SLO that could not be evaluated (yet): every severity is
 * `no_data`, so the overview never shows `ok` for an SLO nobody has measured.
 */
export function emptyStatus(def: SloDefinition, now: number): SloStatus {
  return {
    slo: def.name,
    service: def.service,
    objective: def.objective,
    evaluatedAt: now,
    window: { start: now, end: now },
    sli: null,
    events: { good: 0, total: 0 },
    budget: { totalRatio: 1 - def.objective, remainingRatio: null, totalEvents: null, remainingEvents: null },
    burnRates: {},
    exhaustionInMs: null,
    alerts: [...new Set(def.alerting.windows.map((w) => w.severity))].map((severity) => ({
      slo: def.name,
      severity,
      state: 'no_data' as const,
      reason: 'not evaluated yet',
      since: now,
    })),
  };
}

/** The fastest burn among the windows that have data, or null. */
export function fastestBurn(status: SloStatus): { window: string; rate: number } | null {
  let best: { window: string; rate: number } | null = null;
  for (const [window, rate] of Object.entries(status.burnRates)) {
    if (rate === null || !Number.isFinite(rate)) continue;
    if (!best || rate > best.rate) best = { window, rate };
  }
  return best;
}

/**
 * The one-word alert state of the overview: the firing severity whose rule
 * has the highest burn-rate factor (so `page` beats `ticket`), else
 * `no_data` / `insufficient_data`, else `ok`.
 */
export function overallAlertState(def: SloDefinition, status: SloStatus): string {
  const factor = (severity: string) =>
    Math.max(0, ...def.alerting.windows.filter((w) => w.severity === severity).map((w) => w.burnRate));
  const firing = status.alerts
    .filter((a) => a.state === 'firing')
    .sort((a, b) => factor(b.severity) - factor(a.severity));
  if (firing[0]) return firing[0].severity;
  if (status.alerts.some((a) => a.state === 'no_data')) return 'no_data';
  if (status.alerts.some((a) => a.state === 'insufficient_data')) return 'insufficient_data';
  return 'ok';
}

/** The overview row of one SLO. */
export function sloSummary(def: SloDefinition, status: SloStatus | undefined, now: number): SloSummary {
  const s = status ?? emptyStatus(def, now);
  const summary: SloSummary = {
    name: def.name,
    service: def.service,
    objective: def.objective,
    budgetingMethod: def.budgetingMethod,
    window: describeWindow(def.timeWindow),
    source: def.indicator.source.kind,
    status: s,
    fastestBurn: fastestBurn(s),
    alertState: overallAlertState(def, s),
  };
  if (def.displayName !== undefined) summary.displayName = def.displayName;
  return summary;
}

/** A service with the summaries of its SLOs. */
export function serviceSummary(service: ServiceDefinition, slos: SloSummary[]): ServiceSummary {
  const out: ServiceSummary = {
    name: service.name,
    labels: service.labels,
    slos: slos.filter((s) => s.service === service.name),
  };
  if (service.displayName !== undefined) out.displayName = service.displayName;
  if (service.description !== undefined) out.description = service.description;
  return out;
}
