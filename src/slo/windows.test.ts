import { describe, expect, test } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS, type TimeWindow } from './model.ts';
import { calendarInterval, describeWindow, maxPeriodMs, nominalPeriodMs, windowLabel } from './windows.ts';

const berlinMonth = {
  kind: 'calendar',
  unit: 'Month',
  count: 1,
  startTime: '2024-01-01 00:00:00',
  timeZone: 'Europe/Berlin',
} as const;

describe('calendar windows', () => {
  test.each([
    {
      name: 'a day in March (winter time) starts at 23:00 UTC the day before',
      window: berlinMonth,
      now: '2024-03-15T12:00:00Z',
      start: '2024-02-29T23:00:00.000Z',
      end: '2024-03-31T22:00:00.000Z',
    },
    {
      name: 'the month containing the DST switch ends one hour earlier in UTC than it began',
      window: berlinMonth,
      now: '2024-03-31T21:59:59Z',
      start: '2024-02-29T23:00:00.000Z',
      end: '2024-03-31T22:00:00.000Z',
    },
    {
      name: 'the first instant of April in Berlin already belongs to April',
      window: berlinMonth,
      now: '2024-03-31T22:00:00Z',
      start: '2024-03-31T22:00:00.000Z',
      end: '2024-04-30T22:00:00.000Z',
    },
    {
      name: 'a quarter anchored in January in New York covers April to June',
      window: { ...berlinMonth, unit: 'Quarter', timeZone: 'America/New_York' } as const,
      now: '2024-05-20T00:00:00Z',
      start: '2024-04-01T04:00:00.000Z',
      end: '2024-07-01T04:00:00.000Z',
    },
    {
      name: 'two-week windows count from their anchor, not from the calendar week',
      window: {
        ...berlinMonth,
        unit: 'Week',
        count: 2,
        startTime: '2024-01-03 00:00:00',
        timeZone: 'UTC',
      } as const,
      now: '2024-01-20T00:00:00Z',
      start: '2024-01-17T00:00:00.000Z',
      end: '2024-01-31T00:00:00.000Z',
    },
    {
      name: 'the DST day in Berlin is 23 hours long',
      window: { ...berlinMonth, unit: 'Day' } as const,
      now: '2024-03-31T12:00:00Z',
      start: '2024-03-30T23:00:00.000Z',
      end: '2024-03-31T22:00:00.000Z',
    },
  ])('$name', ({ window, now, start, end }) => {
    const interval = calendarInterval(window, Date.parse(now));
    expect(new Date(interval.start).toISOString()).toBe(start);
    expect(new Date(interval.end).toISOString()).toBe(end);
  });

  test('an invalid anchor is reported with the offending value', () => {
    expect(() => calendarInterval({ ...berlinMonth, startTime: 'yesterday' }, 0)).toThrow(/yesterday/);
  });
});

describe('window lengths and labels', () => {
  test.each<{ name: string; window: TimeWindow; nominal: number; max: number; text: string }>([
    {
      name: 'a 30-day rolling window is 30 days long',
      window: { kind: 'rolling', durationMs: 30 * DAY_MS },
      nominal: 30 * DAY_MS,
      max: 30 * DAY_MS,
      text: '30d rolling',
    },
    {
      name: 'a calendar month counts as 30 days nominally and 31 days and an hour at most',
      window: berlinMonth,
      nominal: 30 * DAY_MS,
      max: 31 * DAY_MS + HOUR_MS,
      text: '1 Month calendar (Europe/Berlin)',
    },
  ])('$name', ({ window, nominal, max, text }) => {
    expect(nominalPeriodMs(window)).toBe(nominal);
    expect(maxPeriodMs(window)).toBe(max);
    expect(describeWindow(window)).toBe(text);
  });

  test.each([
    { name: 'five minutes read 5m', ms: 5 * MINUTE_MS, want: '5m' },
    { name: 'ninety minutes stay in minutes', ms: 90 * MINUTE_MS, want: '90m' },
    { name: 'one hour reads 1h', ms: HOUR_MS, want: '1h' },
    { name: 'three days read 3d', ms: 3 * DAY_MS, want: '3d' },
    { name: 'thirty seconds read 30s', ms: 30_000, want: '30s' },
  ])('$name', ({ ms, want }) => {
    expect(windowLabel(ms)).toBe(want);
  });
});
