import { describe, expect, test } from 'vitest';
import { SloEngine } from './engine.ts';
import { computeHistory } from './history.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, type SliBucket } from './model.ts';
import { makeSlo, seededRandom } from './testing.ts';

describe('budget history', () => {
  test('every point equals the live engine status at that instant', () => {
    const def = makeSlo({ timeWindow: { kind: 'rolling', durationMs: 2 * DAY_MS } });
    const rand = seededRandom(7);
    const end = Date.UTC(2024, 5, 1, 12, 30);
    const buckets: SliBucket[] = [];
    for (let m = (end - 4 * DAY_MS) / MINUTE_MS; m <= end / MINUTE_MS; m++) {
      const total = Math.floor(rand() * 20);
      buckets.push({ minute: m * MINUTE_MS, good: total - (rand() < 0.05 ? total : 0), total });
    }
    const history = computeHistory(def, buckets, end - 6 * HOUR_MS, end, HOUR_MS);
    expect(history).toHaveLength(7);
    for (const point of history) {
      // A live engine that has seen the data up to the point's minute, as it would have then.
      const engine = new SloEngine();
      engine.setSlos([def]);
      engine.addBuckets(
        def.name,
        buckets.filter((b) => b.minute <= point.t),
      );
      const status = engine.status(def.name, point.t)!;
      expect(point.sli).toBeCloseTo(status.sli!, 12);
      expect(point.budgetRemaining).toBeCloseTo(status.budget.remainingRatio!, 9);
      for (const [label, rate] of Object.entries(status.burnRates)) {
        expect(point.burnRates[label], `${label} at ${point.t}`).toBeCloseTo(rate!, 9);
      }
    }
  });

  test('points without data have no SLI and no budget', () => {
    const [point] = computeHistory(makeSlo(), [], 0, 0, MINUTE_MS);
    expect(point).toEqual({
      t: 0,
      sli: null,
      budgetRemaining: null,
      burnRates: { '5m': null, '30m': null, '1h': null, '2h': null, '6h': null, '1d': null, '3d': null },
    });
  });
});
