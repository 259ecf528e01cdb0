import { useMemo } from 'react';
import { formatTimestamp } from '../format.ts';
import { userHue } from '../incident-data.ts';
import { type CalendarShift, type MonthGrid, pieceLabel, piecesOn } from '../oncall-calendar.ts';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** One schedule's month: a week per row, each day listing who is on call when (times in your zone). */
export function OnCallCalendar(props: { grid: MonthGrid; shifts: readonly CalendarShift[]; now: number }) {
  const { grid, shifts, now } = props;
  const weeks = useMemo(
    () => grid.weeks.map((week) => week.map((day) => ({ day, pieces: piecesOn(day, shifts) }))),
    [grid, shifts],
  );
  return (
    <table className="calendar" data-testid="oncall-calendar">
      <thead>
        <tr>
          {WEEKDAYS.map((d) => (
            <th key={d} scope="col">
              {d}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {weeks.map((week) => (
          <tr key={week[0]?.day.key}>
            {week.map(({ day, pieces }) => (
              <td
                key={day.key}
                className={`calendar-day ${day.inMonth ? '' : 'calendar-other'} ${day.start <= now && now < day.end ? 'calendar-today' : ''}`}
                data-testid="calendar-day"
                data-day={day.key}
                data-users={pieces.map((p) => p.user).join(',')}
              >
                <span className="calendar-date small">{day.date}</span>
                {pieces.length === 0 ? (
                  <span className="calendar-nobody small" title="Nobody is on call this day">
                    nobody
                  </span>
                ) : (
                  pieces.map((p) => (
                    <span
                      key={`${p.user}@${p.start}`}
                      className="calendar-shift"
                      data-testid="calendar-shift"
                      data-user={p.user}
                      style={{
                        background: `hsl(${userHue(p.user)} 55% 28%)`,
                        borderColor: `hsl(${userHue(p.user)} 65% 55%)`,
                      }}
                      title={`${p.user}: ${formatTimestamp(p.start)} → ${formatTimestamp(p.end)}`}
                    >
                      <span className="calendar-user">{p.user}</span>
                      <span className="calendar-time">{pieceLabel(p)}</span>
                    </span>
                  ))
                )}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
