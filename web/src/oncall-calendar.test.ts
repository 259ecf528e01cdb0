import { describe, expect, it } from 'vitest';
import {
  addMonths,
  monthGrid,
  monthOf,
  monthParam,
  parseMonthParam,
  pieceLabel,
  piecesOn,
} from './oncall-calendar.ts';

const HOUR = 3_600_000;
const local = (y: number, m: number, d: number, h = 0) => new Date(y, m, d, h).getTime();

describe('monthGrid', () => {
  it.each([
    ['November 2026 starts on a Sunday: its grid starts Monday 26 October', 2026, 10, '2026-10-26', 6],
    ['February 2027 starts on a Monday: no day of January', 2027, 1, '2027-02-01', 4],
    ['March 2026 needs six weeks', 2026, 2, '2026-02-23', 6],
  ])('%s', (_name, year, month, firstKey, weeks) => {
    const grid = monthGrid({ year, month });
    expect(grid.weeks[0]?.[0]?.key).toBe(firstKey);
    expect(grid.weeks).toHaveLength(weeks);
    for (const week of grid.weeks) {
      expect(week).toHaveLength(7);
      // Monday first, in the viewer's zone.
      expect(new Date(week[0]!.start).getDay()).toBe(1);
    }
    const days = grid.weeks.flat();
    expect(days.filter((d) => d.inMonth).map((d) => d.date)).toEqual(
      Array.from({ length: new Date(year, month + 1, 0).getDate() }, (_, i) => i + 1),
    );
    // Days tile the range: each ends where the next starts, at local midnights.
    for (let i = 1; i < days.length; i++) expect(days[i]!.start).toBe(days[i - 1]!.end);
    expect([grid.from, grid.to]).toEqual([days[0]!.start, days.at(-1)!.end]);
  });

  it('moves a month at a time across years, and keeps the month in a query parameter', () => {
    expect(addMonths({ year: 2026, month: 11 }, 1)).toEqual({ year: 2027, month: 0 });
    expect(addMonths({ year: 2026, month: 0 }, -1)).toEqual({ year: 2025, month: 11 });
    expect(monthParam({ year: 2026, month: 0 })).toBe('2026-01');
    expect(parseMonthParam('2026-01')).toEqual({ year: 2026, month: 0 });
    for (const bad of ['2026-13', '2026-1', 'soon', null]) expect(parseMonthParam(bad)).toBeUndefined();
    expect(monthOf(local(2026, 4, 31, 23))).toEqual({ year: 2026, month: 4 });
  });
});

describe('piecesOn', () => {
  const day = { start: local(2026, 10, 23), end: local(2026, 10, 24) };
  it('clips shifts to the day, in time order, saying which go on before or after', () => {
    const pieces = piecesOn(day, [
      { user: 'bob', start: local(2026, 10, 23, 9), end: local(2026, 10, 24, 9) },
      { user: 'alice', start: local(2026, 10, 22, 9), end: local(2026, 10, 23, 9) },
      { user: 'carol', start: local(2026, 10, 20), end: local(2026, 10, 30) },
      { user: 'old', start: local(2026, 10, 21), end: day.start },
    ]);
    expect(pieces.map((p) => [p.user, pieceLabel(p)])).toEqual([
      ['carol', 'all day'],
      ['alice', '–09:00'],
      ['bob', '09:00–'],
    ]);
    expect(pieces[1]).toMatchObject({ start: day.start, end: day.start + 9 * HOUR });
  });

  it('a shift inside the day shows both ends', () => {
    const [p] = piecesOn(day, [{ user: 'dave', start: day.start + 9 * HOUR, end: day.start + 17 * HOUR }]);
    expect(p && pieceLabel(p)).toBe('09:00–17:00');
  });
});
