/**
 * Test fixtures for the SLO engine (imported by tests and the benchmark only).
 */
import { DAY_MS, HOUR_MS, MINUTE_MS, type SloDefinition } from './model.ts';

/** The SRE Workbook's pairs for a 30-day window. */
export const WORKBOOK_PAIRS: SloDefinition['alerting']['windows'] = [
  { severity: 'page', longWindowMs: HOUR_MS, shortWindowMs: 5 * MINUTE_MS, burnRate: 14.4 },
  { severity: 'page', longWindowMs: 6 * HOUR_MS, shortWindowMs: 30 * MINUTE_MS, burnRate: 6 },
  { severity: 'ticket', longWindowMs: DAY_MS, shortWindowMs: 2 * HOUR_MS, burnRate: 3 },
  { severity: 'ticket', longWindowMs: 3 * DAY_MS, shortWindowMs: 6 * HOUR_MS, burnRate: 1 },
];

/** A 99.9 % / 30-day rolling, event-sourced SLO with Workbook alerting; override what a test needs. */
export function makeSlo(overrides: Partial<SloDefinition> = {}): SloDefinition {
  return {
    name: 'checkout-availability',
    service: 'checkout',
    objective: 0.999,
    timeWindow: { kind: 'rolling', durationMs: 30 * DAY_MS },
    budgetingMethod: 'Occurrences',
    indicator: { type: 'ratio', source: { kind: 'events' } },
    alerting: {
      windows: WORKBOOK_PAIRS,
      minEvents: 1,
      noDataAfterMs: 10 * MINUTE_MS,
      severityLabel: 'severity',
    },
    labels: {},
    ...overrides,
  };
}

/** Re-exported so randomized tests keep one import for their fixtures. */
export { seededRandom } from './random.ts';
