import { describe, expect, it } from 'vitest';
import {
  fromLocal,
  isValidTimeZone,
  offsetAt,
  parseClock,
  parseLocalDateTime,
  toLocal,
  weekdayOfDay,
} from './zone.ts';

const utc = (iso: string) => Date.parse(`${iso}Z`);
const local = (iso: string) => parseLocalDateTime(iso) as number;

describe('local wall-clock time to instants', () => {
  it.each([
    [
      'a winter morning in Berlin is one hour ahead of UTC',
      'Europe/Berlin',
      '2026-01-05T09:00',
      '2026-01-05T08:00',
    ],
    [
      'a summer morning in Berlin is two hours ahead',
      'Europe/Berlin',
      '2026-07-06T09:00',
      '2026-07-06T07:00',
    ],
    [
      'a time Berlin skips (02:30 on the spring-forward night) moves to the change itself, 03:00 CEST',
      'Europe/Berlin',
      '2026-03-29T02:30',
      '2026-03-29T01:00',
    ],
    [
      'a time Berlin repeats (02:30 on the fall-back night) takes the earlier, summer-time instant',
      'Europe/Berlin',
      '2026-10-25T02:30',
      '2026-10-25T00:30',
    ],
    [
      'a time New York skips (02:15 on 8 March) moves to 03:00 EDT',
      'America/New_York',
      '2026-03-08T02:15',
      '2026-03-08T07:00',
    ],
    [
      'a time New York repeats (01:30 on 1 November) takes the EDT instant',
      'America/New_York',
      '2026-11-01T01:30',
      '2026-11-01T05:30',
    ],
    ['a half-hour zone (Kolkata) is exact', 'Asia/Kolkata', '2026-01-05T09:00', '2026-01-05T03:30'],
    [
      'Lord Howe skips half an hour: 02:15 on 4 October moves to 02:30',
      'Australia/Lord_Howe',
      '2026-10-04T02:15',
      '2026-10-03T15:30',
    ],
    ['UTC is the identity', 'UTC', '2026-01-05T09:00', '2026-01-05T09:00'],
  ])('%s', (_name, zone, wall, expected) => {
    expect(new Date(fromLocal(zone, local(wall))).toISOString()).toBe(new Date(utc(expected)).toISOString());
  });

  it('instant → local → instant round-trips for every hour of a year in three zones', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Sydney']) {
      for (let t = utc('2026-01-01T00:00'); t < utc('2027-01-01T00:00'); t += 3_600_000) {
        const back = fromLocal(zone, toLocal(zone, t));
        // A repeated hour maps back to its first occurrence: never later than t, at most an hour earlier.
        expect(back <= t && t - back <= 3_600_000).toBe(true);
      }
    }
  });

  it('offsets match the zone on both sides of a change, to the millisecond', () => {
    const change = utc('2026-03-29T01:00');
    expect(offsetAt('Europe/Berlin', change - 1)).toBe(3_600_000);
    expect(offsetAt('Europe/Berlin', change)).toBe(7_200_000);
  });

  it('an unknown zone is rejected', () => {
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(() => offsetAt('Mars/Olympus_Mons', 0)).toThrow(/unknown time zone/);
  });
});

describe('parsing local times', () => {
  it.each([
    ['a date and time', '2026-01-05T09:00', Date.UTC(2026, 0, 5, 9)],
    ['seconds are allowed', '2026-01-05T09:00:30', Date.UTC(2026, 0, 5, 9, 0, 30)],
    ['a zone is not', '2026-01-05T09:00Z', undefined],
    ['31 April does not exist', '2026-04-31T09:00', undefined],
    ['25:00 does not exist', '2026-01-05T25:00', undefined],
    ['a date alone is not enough', '2026-01-05', undefined],
  ])('%s', (_name, text, expected) => {
    expect(parseLocalDateTime(text)).toBe(expected);
  });

  it.each([
    ['09:00', 9 * 3_600_000],
    ['23:59', 23 * 3_600_000 + 59 * 60_000],
    ['00:00', 0],
    ['24:00', undefined],
    ['9:00', undefined],
  ])('clock %s', (text, expected) => {
    expect(parseClock(text)).toBe(expected);
  });

  it('weekdays count from Monday = 0 (1970-01-01 was a Thursday)', () => {
    expect(weekdayOfDay(0)).toBe(3);
    expect(weekdayOfDay(Math.floor(Date.UTC(2026, 0, 5) / 86_400_000))).toBe(0);
    expect(weekdayOfDay(-1)).toBe(2);
  });
});
