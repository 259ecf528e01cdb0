/**
 * Hand-built SLO definitions for the rule generator's tests, golden files and
 * the Prometheus integration tests (so they do not depend on the spec loader).
 */
import {
  type BurnRateWindowPair,
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  type PrometheusSliQuery,
  type SloDefinition,
} from './model.ts';

/** The SRE Workbook's multiwindow multi-burn-rate pairs for a 30-day window. */
export const WORKBOOK_WINDOWS: BurnRateWindowPair[] = [
  { severity: 'page', longWindowMs: HOUR_MS, shortWindowMs: 5 * MINUTE_MS, burnRate: 14.4 },
  { severity: 'page', longWindowMs: 6 * HOUR_MS, shortWindowMs: 30 * MINUTE_MS, burnRate: 6 },
  { severity: 'ticket', longWindowMs: DAY_MS, shortWindowMs: 2 * HOUR_MS, burnRate: 3 },
  { severity: 'ticket', longWindowMs: 3 * DAY_MS, shortWindowMs: 6 * HOUR_MS, burnRate: 1 },
];

/** A 99.9 % / 30-day Occurrences SLO backed by Prometheus, overridable field by field. */
export function prometheusSlo(
  overrides: Partial<SloDefinition> & { query?: PrometheusSliQuery } = {},
): SloDefinition {
  const { query, ...rest } = overrides;
  return {
    name: 'checkout-availability',
    service: 'checkout',
    objective: 0.999,
    timeWindow: { kind: 'rolling', durationMs: 30 * DAY_MS },
    budgetingMethod: 'Occurrences',
    indicator: {
      type: 'ratio',
      counts: 'bad',
      source: {
        kind: 'prometheus',
        query: query ?? {
          type: 'ratio',
          bad: 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))',
          total: 'sum(rate(http_requests_total{job="checkout"}[{{.window}}]))',
        },
      },
    },
    alerting: {
      windows: WORKBOOK_WINDOWS,
      minEvents: 0,
      noDataAfterMs: 10 * MINUTE_MS,
      severityLabel: 'severity',
    },
    labels: { team: 'payments' },
    ...rest,
  };
}
