import { describe, expect, test } from 'vitest';
import { budgetRemaining, budgetUnits, burnRateOf, errorRatio, timeToExhaustionMs } from './burn.ts';
import { DAY_MS } from './model.ts';

describe('burn rate', () => {
  test.each([
    { name: 'no errors burn nothing', good: 1000, total: 1000, objective: 0.999, want: 0 },
    {
      name: 'an error ratio equal to the budget burns at exactly 1',
      good: 999,
      total: 1000,
      objective: 0.999,
      want: 1,
    },
    {
      name: 'a full outage of a 99.9 % SLO burns 1000 times too fast',
      good: 0,
      total: 50,
      objective: 0.999,
      want: 1000,
    },
    { name: 'two percent errors on a 99 % SLO burn at 2', good: 98, total: 100, objective: 0.99, want: 2 },
  ])('$name', ({ good, total, objective, want }) => {
    expect(burnRateOf(good, total, objective)).toBeCloseTo(want, 9);
  });

  test('a window without events has no error ratio and no burn rate', () => {
    expect(errorRatio(0, 0)).toBeNull();
    expect(burnRateOf(0, 0, 0.999)).toBeNull();
  });

  test('a long window is a ratio of sums, so a quiet bad minute weighs by its traffic', () => {
    const minutes = [
      { good: 0, total: 1 },
      { good: 1000, total: 1000 },
    ];
    const good = minutes.reduce((s, m) => s + m.good, 0);
    const total = minutes.reduce((s, m) => s + m.total, 0);
    expect(errorRatio(good, total)).toBeCloseTo(1 / 1001, 12);
  });
});

describe('budget', () => {
  test.each([
    { name: 'an untouched budget remains whole', good: 100, total: 100, want: 1 },
    { name: 'half the allowed errors leave half the budget', good: 9995, total: 10_000, want: 0.5 },
    { name: 'twice the allowed errors overspend the budget by one budget', good: 998, total: 1000, want: -1 },
  ])('$name', ({ good, total, want }) => {
    expect(budgetRemaining(good, total, 0.999)).toBeCloseTo(want, 9);
  });

  test('the budget in events is the allowed failures minus the failures seen', () => {
    const units = budgetUnits(9990, 10_000, 0.999);
    expect(units.totalEvents).toBeCloseTo(10, 9);
    expect(units.remainingEvents).toBeCloseTo(0, 9);
  });

  test('without data the budget is unknown', () => {
    expect(budgetRemaining(0, 0, 0.999)).toBeNull();
    expect(budgetUnits(0, 0, 0.999)).toEqual({ totalEvents: null, remainingEvents: null });
  });
});

describe('time to exhaustion', () => {
  test.each([
    {
      name: 'half a budget burning at 2 lasts a quarter of the window',
      remaining: 0.5,
      burn: 2,
      want: 7.5 * DAY_MS,
    },
    { name: 'a whole budget burning at 1 lasts the whole window', remaining: 1, burn: 1, want: 30 * DAY_MS },
    { name: 'a spent budget that is still burning is exhausted now', remaining: -0.2, burn: 3, want: 0 },
    { name: 'a budget that is not burning never runs out', remaining: 0.7, burn: 0, want: null },
    { name: 'without data there is no estimate', remaining: null, burn: 5, want: null },
  ])('$name', ({ remaining, burn, want }) => {
    expect(timeToExhaustionMs(remaining, burn, 30 * DAY_MS)).toBe(want);
  });
});
