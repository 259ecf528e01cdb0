import { describe, expect, test } from 'vitest';
import { alertTransitions, evaluateSeverities, nextAlertStatuses, type WindowSums } from './alerts.ts';
import { HOUR_MS, MINUTE_MS } from './model.ts';
import { alertWindowsMs } from './status.ts';
import { makeSlo } from './testing.ts';

const def = makeSlo();

/** Sums for every alert window (and the no-data window) at one steady error ratio and traffic per minute. */
function steady(
  errorRatio: number,
  perMinute: number,
  overrides: Record<number, number> = {},
): Map<number, WindowSums> {
  const sums = new Map<number, WindowSums>();
  for (const ms of [...alertWindowsMs(def), def.alerting.noDataAfterMs]) {
    const total = (ms / MINUTE_MS) * perMinute;
    const ratio = overrides[ms] ?? errorRatio;
    sums.set(ms, { windowMs: ms, good: total * (1 - ratio), total });
  }
  return sums;
}

const stateOf = (sums: Map<number, WindowSums>, severity: string) =>
  evaluateSeverities(def, sums).find((v) => v.severity === severity);

describe('multiwindow multi-burn-rate alerts', () => {
  test.each([
    { name: 'a full outage pages', sums: steady(1, 100), severity: 'page', want: 'firing' },
    {
      name: 'a full outage also raises the ticket',
      sums: steady(1, 100),
      severity: 'ticket',
      want: 'firing',
    },
    {
      name: 'a slow steady burn below 1 pages nobody',
      sums: steady(0.0009, 100),
      severity: 'page',
      want: 'ok',
    },
    {
      name: 'a slow steady burn below 1 raises no ticket',
      sums: steady(0.0009, 100),
      severity: 'ticket',
      want: 'ok',
    },
    {
      name: 'a steady burn of 2 raises the slow ticket only',
      sums: steady(0.002, 100),
      severity: 'ticket',
      want: 'firing',
    },
    { name: 'a burn of 2 does not page', sums: steady(0.002, 100), severity: 'page', want: 'ok' },
    {
      name: 'recovery clears the page once the short window is clean although the long one still burns',
      sums: steady(0, 100, { [HOUR_MS]: 0.5, [6 * HOUR_MS]: 0.1 }),
      severity: 'page',
      want: 'ok',
    },
    {
      name: 'a spike in the short window alone does not page',
      sums: steady(0, 100, { [5 * MINUTE_MS]: 1, [30 * MINUTE_MS]: 1 }),
      severity: 'page',
      want: 'ok',
    },
    {
      name: 'no events in the no-data window is its own state',
      sums: steady(1, 0),
      severity: 'page',
      want: 'no_data',
    },
  ])('$name', ({ sums, severity, want }) => {
    expect(stateOf(sums, severity)?.state).toBe(want);
  });

  test('the firing reason names the pair and both burn rates', () => {
    expect(stateOf(steady(1, 100), 'page')?.reason).toBe('1h burn 1000.0 > 14.4 and 5m burn 1000.0 > 14.4');
  });

  test('a burn that rounds to the factor prints enough digits to show it is above', () => {
    const sums = steady(0, 100, {
      [HOUR_MS]: 0.01444 * 1.0001,
      [5 * MINUTE_MS]: 0.02,
      [6 * HOUR_MS]: 0,
    });
    expect(stateOf(sums, 'page')?.reason).toMatch(/^1h burn 14\.44\d* > 14\.4 and 5m burn 20\.0 > 14\.4$/);
  });

  test('the min-events guard keeps a low-traffic outage from paging', () => {
    const guarded = makeSlo({ alerting: { ...def.alerting, minEvents: 1_000_000 } });
    const verdict = evaluateSeverities(guarded, steady(1, 1)).find((v) => v.severity === 'page');
    expect(verdict?.state).toBe('insufficient_data');
  });

  test('the guard holds only the pairs whose long window is too quiet', () => {
    // 100/min: the 1h window has 6,000 events (guarded), the 6h window 36,000 (not guarded).
    const guarded = makeSlo({ alerting: { ...def.alerting, minEvents: 10_000 } });
    const verdict = evaluateSeverities(guarded, steady(1, 100)).find((v) => v.severity === 'page');
    expect(verdict?.state).toBe('firing');
    expect(verdict?.reason).toMatch(/^6h burn/);
  });
});

describe('alert state machine', () => {
  test('since stays while the state stays, and moves when it changes', () => {
    const firing = evaluateSeverities(def, steady(1, 100));
    const first = nextAlertStatuses(def.name, firing, 1000);
    const second = nextAlertStatuses(def.name, firing, 2000, first);
    expect(second.map((a) => a.since)).toEqual([1000, 1000]);
    const calm = nextAlertStatuses(def.name, evaluateSeverities(def, steady(0, 100)), 3000, second);
    expect(calm.map((a) => [a.state, a.since])).toEqual([
      ['ok', 3000],
      ['ok', 3000],
    ]);
  });

  test('transitions go from the previous state to the new one with the reason and burn rates', () => {
    const before = nextAlertStatuses(def.name, evaluateSeverities(def, steady(0, 100)), 1000);
    const after = nextAlertStatuses(def.name, evaluateSeverities(def, steady(1, 100)), 2000, before);
    const transitions = alertTransitions(def, before, after, 2000, { '1h': 1000 });
    expect(transitions.map((t) => [t.severity, t.from, t.to, t.at])).toEqual([
      ['page', 'ok', 'firing', 2000],
      ['ticket', 'ok', 'firing', 2000],
    ]);
    expect(transitions[0]?.reason).toContain('1h burn');
    expect(transitions[0]?.burnRates).toEqual({ '1h': 1000 });
    const back = nextAlertStatuses(def.name, evaluateSeverities(def, steady(0, 100)), 3000, after);
    expect(alertTransitions(def, after, back, 3000, {}).map((t) => [t.from, t.to, t.reason])).toEqual([
      ['firing', 'ok', 'no window pair burns faster than its factor'],
      ['firing', 'ok', 'no window pair burns faster than its factor'],
    ]);
  });

  test('an unchanged state produces no transition', () => {
    const a = nextAlertStatuses(def.name, evaluateSeverities(def, steady(0, 100)), 1000);
    expect(alertTransitions(def, a, a, 2000, {})).toEqual([]);
  });
});
