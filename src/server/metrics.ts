import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { SloDefinition, SloStatus } from '../slo/model.ts';

export interface MetricsSource {
  definitions: SloDefinition[];
  latest(): SloStatus[];
}

/**
 * The `/metrics` registry: per-SLO gauges read from the latest evaluation at
 * scrape time (so they never go stale between evaluations' bookkeeping) plus
 * the process metrics.
 */
export function createMetricsRegistry(source: MetricsSource): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['slo', 'service'] as const;
  const byName = () => new Map(source.definitions.map((d) => [d.name, d]));

  new Gauge({
    name: 'ballast_slo_objective',
    help: 'SLO objective as a ratio (0.999 = 99.9%).',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const d of source.definitions) this.set({ slo: d.name, service: d.service }, d.objective);
    },
  });
  new Gauge({
    name: 'ballast_slo_sli',
    help: 'Current SLI over the SLO window (absent without data).',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of source.latest())
        if (s.sli !== null) this.set({ slo: s.slo, service: s.service }, s.sli);
    },
  });
  new Gauge({
    name: 'ballast_slo_error_budget_remaining_ratio',
    help: 'Share of the error budget left: 1 untouched, 0 spent, negative overspent.',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of source.latest()) {
        const r = s.budget.remainingRatio;
        if (r !== null) this.set({ slo: s.slo, service: s.service }, r);
      }
    },
  });
  new Gauge({
    name: 'ballast_slo_burn_rate',
    help: 'Error-budget burn rate per alert window (1 = spending exactly the budget).',
    labelNames: [...labelNames, 'window'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of source.latest()) {
        for (const [window, rate] of Object.entries(s.burnRates)) {
          if (rate !== null && Number.isFinite(rate))
            this.set({ slo: s.slo, service: s.service, window }, rate);
        }
      }
    },
  });
  new Gauge({
    name: 'ballast_slo_alert_firing',
    help: '1 while the SLO alert of this severity fires, else 0.',
    labelNames: [...labelNames, 'severity'],
    registers: [registry],
    collect() {
      this.reset();
      const defs = byName();
      for (const s of source.latest()) {
        const severities = new Set(defs.get(s.slo)?.alerting.windows.map((w) => w.severity) ?? []);
        for (const a of s.alerts) severities.add(a.severity);
        for (const severity of severities) {
          const firing = s.alerts.some((a) => a.severity === severity && a.state === 'firing');
          this.set({ slo: s.slo, service: s.service, severity }, firing ? 1 : 0);
        }
      }
    },
  });
  return registry;
}
