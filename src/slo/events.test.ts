import { describe, expect, test } from 'vitest';
import { eventsToBuckets } from './events.ts';
import { MINUTE_MS } from './model.ts';
import { makeSlo } from './testing.ts';

describe('events to buckets', () => {
  test('counts and outcomes in one minute are summed into one bucket', () => {
    const { buckets, samples } = eventsToBuckets(makeSlo(), [
      { timestamp: 61_000, good: 8, total: 10 },
      { timestamp: 119_999, success: true },
      { timestamp: 90_000, success: false },
      { timestamp: 5_000, success: true },
    ]);
    expect(buckets).toEqual([
      { minute: 0, good: 1, total: 1 },
      { minute: MINUTE_MS, good: 9, total: 12 },
    ]);
    expect(samples).toEqual([]);
  });

  test.each([
    { name: 'a latency under an lt threshold is good', op: 'lt' as const, value: 499, good: 1 },
    { name: 'a latency equal to an lt threshold is bad', op: 'lt' as const, value: 500, good: 0 },
    { name: 'a value equal to a gte threshold is good', op: 'gte' as const, value: 500, good: 1 },
    { name: 'a value above an lte threshold is bad', op: 'lte' as const, value: 501, good: 0 },
  ])('$name', ({ op, value, good }) => {
    const def = makeSlo({
      indicator: { type: 'threshold', source: { kind: 'events' }, threshold: { op, value: 500 } },
    });
    const { buckets, samples } = eventsToBuckets(def, [{ timestamp: 0, value }]);
    expect(buckets).toEqual([{ minute: 0, good, total: 1 }]);
    expect(samples).toEqual([{ timestamp: 0, value }]);
  });
});
