/**
 * The on-call calendar: a month as a grid of weeks (Monday first) in the
 * viewer's zone, like every time the UI shows, and the shift pieces that fall
 * on each day, from `GET /api/v1/oncall/shifts` for the grid's range. Pure:
 * the page and the browser test place shifts by the same rules.
 */

/** A month: `month` is 0 (January) to 11. */
export interface CalendarMonth {
  year: number;
  month: number;
}

export interface CalendarDay {
  /** `YYYY-MM-DD` (local). */
  key: string;
  /** Local midnight, epoch ms. */
  start: number;
  /** The next local midnight (23 or 25 hours later across a DST change). */
  end: number;
  /** Day of the month. */
  date: number;
  /** In the month shown (not a neighbouring month's day filling a week). */
  inMonth: boolean;
}

export interface MonthGrid {
  /** The first day's start and the last day's end: the range to ask the API for. */
  from: number;
  to: number;
  weeks: CalendarDay[][];
}

/** A shift as the API lists it. */
export interface CalendarShift {
  user: string;
  start: number;
  end: number;
}

/** The part of a shift on one day. */
export interface DayPiece extends CalendarShift {
  /** The shift began on an earlier day / goes on past this one. */
  continues: { before: boolean; after: boolean };
  /** The piece covers the whole day. */
  allDay: boolean;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The month an instant falls in, locally. */
export function monthOf(ms: number): CalendarMonth {
  const d = new Date(ms);
  return { year: d.getFullYear(), month: d.getMonth() };
}

/** The month `delta` months from `m`. */
export function addMonths(m: CalendarMonth, delta: number): CalendarMonth {
  const index = m.year * 12 + m.month + delta;
  return { year: Math.floor(index / 12), month: ((index % 12) + 12) % 12 };
}

/** `2026-11`, as the page keeps it in its query string. */
export function monthParam(m: CalendarMonth): string {
  return `${m.year}-${pad(m.month + 1)}`;
}

/** The month of a `YYYY-MM` parameter, or undefined for anything else. */
export function parseMonthParam(text: string | null): CalendarMonth | undefined {
  const match = /^(\d{4})-(\d{2})$/.exec(text ?? '');
  if (!match) return undefined;
  const month = Number(match[2]) - 1;
  return month >= 0 && month < 12 ? { year: Number(match[1]), month } : undefined;
}

/** `November 2026` in the viewer's language. */
export function monthTitle(m: CalendarMonth): string {
  return new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' }).format(
    new Date(m.year, m.month, 1),
  );
}

function dayKey(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The weeks, Monday to Sunday, that hold the days of `m`: four to six of
 * them, the days before the 1st and after the last from the neighbouring months.
 */
export function monthGrid(m: CalendarMonth): MonthGrid {
  const first = new Date(m.year, m.month, 1);
  // getDay: 0 is Sunday; the week starts on Monday.
  const cursor = new Date(m.year, m.month, 1 - ((first.getDay() + 6) % 7));
  const weeks: CalendarDay[][] = [];
  // Bounded: at most six weeks cover any month.
  while (weeks.length < 6) {
    const week: CalendarDay[] = [];
    for (let i = 0; i < 7; i++) {
      const start = cursor.getTime();
      const next = new Date(cursor.getFullYear(), cursor.getMonth(), cursor.getDate() + 1);
      week.push({
        key: dayKey(cursor),
        start,
        end: next.getTime(),
        date: cursor.getDate(),
        inMonth: cursor.getMonth() === m.month,
      });
      cursor.setTime(next.getTime());
    }
    weeks.push(week);
    if (cursor.getMonth() !== m.month) break;
  }
  const firstDay = weeks[0]?.[0];
  const lastDay = weeks.at(-1)?.at(-1);
  return { from: firstDay?.start ?? first.getTime(), to: lastDay?.end ?? first.getTime(), weeks };
}

/** The shifts on one day, clipped to it, in time order. */
export function piecesOn(
  day: Pick<CalendarDay, 'start' | 'end'>,
  shifts: readonly CalendarShift[],
): DayPiece[] {
  return shifts
    .filter((s) => s.start < day.end && s.end > day.start && s.end > s.start)
    .sort((a, b) => a.start - b.start || a.user.localeCompare(b.user))
    .map((s) => ({
      user: s.user,
      start: Math.max(s.start, day.start),
      end: Math.min(s.end, day.end),
      continues: { before: s.start < day.start, after: s.end > day.end },
      allDay: s.start <= day.start && s.end >= day.end,
    }));
}

/** `09:00–17:00`, `–09:00` (from an earlier day), `17:00–` (into the next), `all day`. */
export function pieceLabel(piece: DayPiece): string {
  const time = (ms: number) => {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };
  if (piece.allDay) return 'all day';
  return `${piece.continues.before ? '' : time(piece.start)}–${piece.continues.after ? '' : time(piece.end)}`;
}
