import { describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS } from '../slo/model.ts';
import { backfillMinutes } from './backfill.ts';

describe('backfillMinutes', () => {
  const now = Date.UTC(2025, 0, 10, 8, 30, 15);
  const minutes = backfillMinutes(now, 2, 0.001);

  it('covers every minute of the requested days, ending before now', () => {
    expect(minutes.length).toBe((2 * DAY_MS) / MINUTE_MS);
    expect(minutes.every((m, i) => i === 0 || m.timestamp - minutes[i - 1]!.timestamp === MINUTE_MS)).toBe(
      true,
    );
    expect(minutes.at(-1)!.timestamp).toBeLessThan(now);
  });

  it('never reports more good than total events', () => {
    expect(minutes.every((m) => m.good >= 0 && m.good <= m.total && m.total > 0)).toBe(true);
  });

  it('contains an incident that burns the budget far faster than allowed', () => {
    const worst = Math.max(...minutes.map((m) => (m.total - m.good) / m.total));
    expect(worst / 0.001).toBeGreaterThan(14.4);
  });

  it('is reproducible for the same seed', () => {
    expect(backfillMinutes(now, 2, 0.001)).toEqual(minutes);
  });
});
