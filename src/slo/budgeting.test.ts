import { describe, expect, test } from 'vitest';
import { sliceStartMinute, toUnits } from './budgeting.ts';
import { errorRatio } from './burn.ts';
import { MINUTE_MS, type SliBucket } from './model.ts';
import { makeSlo } from './testing.ts';

const b = (minute: number, good: number, total: number): SliBucket => ({
  minute: minute * MINUTE_MS,
  good,
  total,
});
/** Ten minutes: two 5-minute slices, the first at 90 % (bad under a 95 % target), the second perfect. */
const tenMinutes = [b(0, 9, 10), b(1, 9, 10), b(2, 9, 10), b(3, 9, 10), b(4, 9, 10), b(5, 1, 1), b(9, 1, 1)];
const sum = (units: SliBucket[]) =>
  units.reduce((s, u) => ({ good: s.good + u.good, total: s.total + u.total }), { good: 0, total: 0 });

describe('budgeting methods', () => {
  test.each([
    { name: 'Occurrences counts events', method: 'Occurrences' as const, ratio: 5 / 52 },
    {
      name: 'Timeslices counts bad slices over slices with data',
      method: 'Timeslices' as const,
      ratio: 1 / 2,
    },
    {
      name: 'RatioTimeslices averages the per-slice ratios',
      method: 'RatioTimeslices' as const,
      ratio: 1 - (0.9 + 1) / 2,
    },
  ])('$name', ({ method, ratio }) => {
    const def = makeSlo({ budgetingMethod: method, timesliceMs: 5 * MINUTE_MS, timesliceTarget: 0.95 });
    const s = sum(toUnits(def, tenMinutes));
    expect(errorRatio(s.good, s.total)).toBeCloseTo(ratio, 9);
  });

  test('slices without data are excluded rather than counted good or bad', () => {
    const def = makeSlo({ budgetingMethod: 'Timeslices', timesliceMs: 5 * MINUTE_MS, timesliceTarget: 0.95 });
    const units = toUnits(def, [b(0, 1, 1), b(30, 0, 1)]);
    expect(units).toEqual([b(0, 1, 1), b(30, 0, 1)]);
  });

  test('a slice at exactly its target is good', () => {
    const def = makeSlo({ budgetingMethod: 'Timeslices', timesliceMs: MINUTE_MS, timesliceTarget: 0.9 });
    expect(toUnits(def, [b(0, 9, 10)])).toEqual([b(0, 1, 1)]);
  });

  test.each([
    { name: 'slices align to the epoch', minute: 62, slice: 5, want: 60 },
    { name: 'a minute on a slice boundary starts its slice', minute: 60, slice: 15, want: 60 },
    { name: 'negative minutes align downwards too', minute: -1, slice: 5, want: -5 },
  ])('$name', ({ minute, slice, want }) => {
    expect(sliceStartMinute(minute, slice)).toBe(want);
  });
});
