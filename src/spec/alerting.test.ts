import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../slo/model.ts';
import { defaultAlerting, scaleWindow } from './alerting.ts';

describe('defaultAlerting', () => {
  it('a 30-day SLO gets the SRE Workbook table unchanged', () => {
    const config = defaultAlerting(30 * DAY_MS);
    expect(config.windows).toEqual([
      { severity: 'page', longWindowMs: HOUR_MS, shortWindowMs: 5 * MINUTE_MS, burnRate: 14.4 },
      { severity: 'page', longWindowMs: 6 * HOUR_MS, shortWindowMs: 30 * MINUTE_MS, burnRate: 6 },
      { severity: 'ticket', longWindowMs: DAY_MS, shortWindowMs: 2 * HOUR_MS, burnRate: 3 },
      { severity: 'ticket', longWindowMs: 3 * DAY_MS, shortWindowMs: 6 * HOUR_MS, burnRate: 1 },
    ]);
    expect(config).toMatchObject({ minEvents: 10, noDataAfterMs: 10 * MINUTE_MS, severityLabel: 'severity' });
  });

  it('a 28-day SLO scales the windows by 28/30, rounded to whole minutes', () => {
    const [fast] = defaultAlerting(28 * DAY_MS).windows;
    expect(fast).toEqual({
      severity: 'page',
      longWindowMs: 56 * MINUTE_MS,
      shortWindowMs: 5 * MINUTE_MS,
      burnRate: 14.4,
    });
  });

  it('a 7-day SLO keeps windows of at least one minute', () => {
    const [fast] = defaultAlerting(7 * DAY_MS).windows;
    expect(fast?.longWindowMs).toBe(14 * MINUTE_MS);
    expect(fast?.shortWindowMs).toBe(MINUTE_MS);
  });

  it.each([
    ['a window never scales below one minute', 5 * MINUTE_MS, HOUR_MS, MINUTE_MS],
    ['a window scales with a 90-day period', HOUR_MS, 90 * DAY_MS, 3 * HOUR_MS],
  ])('%s', (_name, windowMs, periodMs, expected) => {
    expect(scaleWindow(windowMs, periodMs)).toBe(expected);
  });
});
