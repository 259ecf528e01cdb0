import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../slo/model.ts';
import { mergeBuckets } from './buckets.ts';

describe('mergeBuckets', () => {
  it('sums buckets of the same minute and sorts by minute', () => {
    const input = [
      { minute: 2 * MINUTE_MS, good: 1, total: 2 },
      { minute: MINUTE_MS, good: 3, total: 3 },
      { minute: 2 * MINUTE_MS, good: 4, total: 5 },
    ];
    expect(mergeBuckets(input)).toEqual([
      { minute: MINUTE_MS, good: 3, total: 3 },
      { minute: 2 * MINUTE_MS, good: 1 + 4, total: 2 + 5 },
    ]);
  });

  it('leaves its input untouched', () => {
    const input = [
      { minute: 0, good: 1, total: 1 },
      { minute: 0, good: 1, total: 1 },
    ];
    const copy = structuredClone(input);
    mergeBuckets(input);
    expect(input).toEqual(copy);
  });

  it.each([
    {
      name: 'a minute that is not aligned is rejected',
      bucket: { minute: MINUTE_MS + 1, good: 1, total: 1 },
    },
    { name: 'a fractional minute is rejected', bucket: { minute: 0.5, good: 1, total: 1 } },
    { name: 'a count that is NaN is rejected', bucket: { minute: 0, good: Number.NaN, total: 1 } },
    {
      name: 'an infinite total is rejected',
      bucket: { minute: 0, good: 1, total: Number.POSITIVE_INFINITY },
    },
  ])('$name', ({ bucket }) => {
    expect(() => mergeBuckets([bucket])).toThrow(RangeError);
  });
});
