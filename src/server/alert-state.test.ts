import { describe, expect, it } from 'vitest';
import type { AlertState, SloStatus } from '../slo/model.ts';
import { AlertStateTracker } from './alert-state.ts';

function status(at: number, alerts: Record<string, AlertState>): SloStatus {
  return {
    slo: 'api',
    service: 'svc',
    objective: 0.99,
    evaluatedAt: at,
    window: { start: 0, end: at },
    sli: 0.9,
    events: { good: 9, total: 10 },
    budget: { totalRatio: 0.01, remainingRatio: -9, totalEvents: 0.1, remainingEvents: -0.9 },
    burnRates: { '1h': 10 },
    exhaustionInMs: null,
    alerts: Object.entries(alerts).map(([severity, state]) => ({ slo: 'api', severity, state, since: at })),
  };
}

describe('AlertStateTracker', () => {
  it('reports a change once and then stays quiet while the state holds', () => {
    const tracker = new AlertStateTracker();
    const first = tracker.diff(status(1, { page: 'firing', ticket: 'ok' }));
    expect(first.map((t) => [t.severity, t.from, t.to])).toEqual([['page', 'ok', 'firing']]);
    expect(tracker.diff(status(2, { page: 'firing', ticket: 'ok' }))).toEqual([]);
    const resolved = tracker.diff(status(3, { page: 'ok', ticket: 'ok' }));
    expect(resolved.map((t) => [t.from, t.to, t.at])).toEqual([['firing', 'ok', 3]]);
  });

  it('continues from the stored state after a restart instead of firing again', () => {
    const tracker = new AlertStateTracker();
    tracker.seed([
      { id: 2, slo: 'api', severity: 'page', to: 'firing' },
      { id: 1, slo: 'api', severity: 'page', to: 'no_data' },
    ]);
    expect(tracker.firing()).toEqual([{ slo: 'api', severity: 'page' }]);
    expect(tracker.diff(status(5, { page: 'firing' }))).toEqual([]);
  });

  it('forgets SLOs that were removed', () => {
    const tracker = new AlertStateTracker();
    tracker.diff(status(1, { page: 'firing' }));
    tracker.retain(new Set(['other']));
    expect(tracker.firing()).toEqual([]);
  });
});
