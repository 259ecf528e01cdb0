import { describe, expect, it } from 'vitest';
import type { HistoryPoint } from '../../src/server/schemas.ts';
import {
  budgetRange,
  burnThresholds,
  historyColumns,
  historyWindow,
  parseWindowLabel,
  sliRange,
  windowLabel,
} from './chart-data.ts';

const H = 3_600_000;
const M = 60_000;

describe('window labels', () => {
  it.each([
    ['five minutes', 5 * M, '5m'],
    ['one hour', H, '1h'],
    ['three days', 72 * H, '3d'],
    ['a scaled window keeps seconds', 280_000, '4m40s'],
    ['a day and a half', 36 * H, '1d12h'],
  ])('%s round-trips', (_name, ms, label) => {
    expect(windowLabel(ms)).toBe(label);
    expect(parseWindowLabel(label)).toBe(ms);
  });

  it('a label that is not a duration parses to NaN', () => {
    expect(parseWindowLabel('soon')).toBeNaN();
  });
});

describe('historyColumns', () => {
  const points: HistoryPoint[] = [
    { t: 2 * M, sli: 0.5, budgetRemaining: -1, burnRates: { '1h': 500, '5m': null } },
    { t: 1 * M, sli: 1, budgetRemaining: 1, burnRates: { '1h': 0, '5m': 0, '3d': 0 } },
  ];
  const cols = historyColumns(points);

  it('sorts points by time and turns ratios into percentages', () => {
    expect(cols.times).toEqual([M, 2 * M]);
    expect(cols.sliPct).toEqual([100, 50]);
    expect(cols.budgetPct).toEqual([100, -100]);
  });

  it('orders burn windows from shortest to longest and fills missing values with null', () => {
    expect(cols.burn.map((b) => b.window)).toEqual(['5m', '1h', '3d']);
    expect(cols.burn[0]?.values).toEqual([0, null]);
    expect(cols.burn[2]?.values).toEqual([0, null]);
  });
});

describe('burnThresholds', () => {
  it('merges pairs that share a severity and factor, highest factor first', () => {
    const pairs = [
      { severity: 'ticket', longWindowMs: 24 * H, shortWindowMs: 2 * H, burnRate: 3 },
      { severity: 'page', longWindowMs: H, shortWindowMs: 5 * M, burnRate: 14.4 },
      { severity: 'page', longWindowMs: 6 * H, shortWindowMs: 30 * M, burnRate: 6 },
      { severity: 'ticket', longWindowMs: 72 * H, shortWindowMs: 6 * H, burnRate: 3 },
    ];
    expect(burnThresholds(pairs)).toEqual([
      { severity: 'page', factor: 14.4, windows: '1h/5m' },
      { severity: 'page', factor: 6, windows: '6h/30m' },
      { severity: 'ticket', factor: 3, windows: '1d/2h, 3d/6h' },
    ]);
  });
});

describe('sliRange', () => {
  it.each([
    ['a healthy SLI still shows the objective line', [99.99, 100], 99.9, [99.89, 100]],
    ['an outage widens the range below the lowest value', [50, 100], 99.9, [45, 100]],
    ['no data centres on the objective', [null], 99, [98.9, 100]],
  ])('%s', (_name, values, objective, [lo, hi]) => {
    const [min, max] = sliRange(values as (number | null)[], objective as number);
    expect(min).toBeCloseTo(lo as number, 6);
    expect(max).toBe(hi);
  });
});

describe('historyWindow', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 30);
  it.each([
    ['one hour steps by the minute', H, 60_000],
    ['thirty days step by three hours', 30 * 24 * H, 3 * H],
    ['an uneven window still steps in whole minutes', 30 * 24 * H + 1234, 181 * M],
  ])('%s, ends at the present and starts a whole number of steps back', (_name, range, step) => {
    const w = historyWindow(range, now);
    expect(w.step).toBe(step);
    expect(w.to).toBe(Date.UTC(2026, 0, 1, 12, 1));
    expect((w.to - w.from) % w.step).toBe(0);
    expect(w.to - w.from).toBeGreaterThanOrEqual(range);
    expect((w.to - w.from) / w.step).toBeLessThanOrEqual(241);
  });
});

describe('budgetRange', () => {
  it.each([
    ['a healthy budget shows 0 to 100%', [100, 60, null], [0, 100]],
    ['an overspent budget extends below zero to a round step', [20, -42], [-50, 100]],
  ])('%s', (_name, values, expected) => {
    expect(budgetRange(values)).toEqual(expected);
  });
});
