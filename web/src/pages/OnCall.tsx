import { useSearchParams } from 'react-router';
import { getToken } from '../api.ts';
import { useNow } from '../check-queries.ts';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { OnCallCalendar } from '../components/OnCallCalendar.tsx';
import { formatDuration, formatTimestamp } from '../format.ts';
import { withAccessToken } from '../incident-data.ts';
import { type OnCallNow, type ScheduleShifts, useOnCall, useOnCallShifts } from '../incident-queries.ts';
import {
  addMonths,
  type CalendarMonth,
  type MonthGrid,
  monthGrid,
  monthOf,
  monthParam,
  monthTitle,
  parseMonthParam,
} from '../oncall-calendar.ts';

/**
 * `/oncall`: per schedule, who is on call now and next, a month calendar of
 * shifts (navigable, the month in the query string) and the iCal feeds.
 */
export function OnCall() {
  const oncall = useOnCall();
  const now = useNow(30_000);
  const [params, setParams] = useSearchParams();
  const month = parseMonthParam(params.get('month')) ?? monthOf(now);
  const grid = monthGrid(month);
  const shifts = useOnCallShifts(grid.from, grid.to);
  const go = (m: CalendarMonth) => setParams({ month: monthParam(m) }, { replace: true });
  if (!oncall.data)
    return oncall.error ? (
      <ErrorPanel error={oncall.error} />
    ) : (
      <div className="loading">Loading on call…</div>
    );
  return (
    <>
      <section className="tiles">
        <h1 className="page-title">On call</h1>
      </section>
      {oncall.data.length === 0 ? (
        <div className="panel notice">
          No schedules yet. Add <code>kind: User</code> and <code>kind: Schedule</code> specs (
          <code>apiVersion: ballast.dev/v1</code>) and apply them with <code>ballast apply DIR</code>.
        </div>
      ) : (
        <>
          <nav className="calendar-nav" aria-label="Month">
            <button type="button" data-testid="calendar-prev" onClick={() => go(addMonths(month, -1))}>
              ← {monthTitle(addMonths(month, -1))}
            </button>
            <h2 data-testid="calendar-month" data-month={monthParam(month)}>
              {monthTitle(month)}
            </h2>
            <button type="button" data-testid="calendar-next" onClick={() => go(addMonths(month, 1))}>
              {monthTitle(addMonths(month, 1))} →
            </button>
            <button
              type="button"
              className="ghost"
              data-testid="calendar-today"
              onClick={() => go(monthOf(now))}
            >
              This month
            </button>
            <span className="muted small">times in your zone</span>
          </nav>
          {shifts.error && <ErrorPanel error={shifts.error} />}
          {oncall.data.map((s) => (
            <ScheduleCard
              key={s.schedule}
              entry={s}
              now={now}
              grid={grid}
              shifts={shifts.data?.find((x) => x.schedule === s.schedule)}
            />
          ))}
        </>
      )}
    </>
  );
}

function ScheduleCard(props: {
  entry: OnCallNow;
  now: number;
  grid: MonthGrid;
  shifts: ScheduleShifts | undefined;
}) {
  const { entry, now, grid, shifts } = props;
  const token = getToken();
  const next = entry.next[0];
  const people = [
    ...new Set([
      entry.now?.user,
      ...entry.next.map((s) => s.user),
      ...(shifts?.shifts ?? []).map((s) => s.user),
    ]),
  ]
    .filter((u): u is string => u !== undefined)
    .sort();
  return (
    <section className="panel" data-testid="schedule" data-schedule={entry.schedule}>
      <header className="panel-head">
        <h2>{entry.schedule}</h2>
        {shifts && <span className="muted small">handoffs in {shifts.timeZone}</span>}
        <a
          className="small"
          href={withAccessToken(`/api/v1/schedules/${encodeURIComponent(entry.schedule)}/ical`, token)}
          data-testid="schedule-ical"
        >
          iCal feed
        </a>
      </header>
      <div className="oncall-now">
        <div className="stat">
          <span className="stat-label">On call now</span>
          {entry.now ? (
            <span className="stat-value" data-testid="oncall-now">
              {entry.now.user}
            </span>
          ) : (
            <span className="stat-value hot" data-testid="oncall-now">
              nobody
            </span>
          )}
          {entry.now && (
            <span className="muted small">
              until {formatTimestamp(entry.now.end)} ({formatDuration(entry.now.end - now)} left) ·{' '}
              {entry.now.source === 'override' ? 'override' : `layer ${entry.now.source}`}
            </span>
          )}
        </div>
        <div className="stat">
          <span className="stat-label">Next</span>
          {next ? (
            <>
              <span className="stat-value" data-testid="oncall-next">
                {next.user}
              </span>
              <span className="muted small">
                from {formatTimestamp(next.start)} (in {formatDuration(next.start - now)})
              </span>
            </>
          ) : (
            <span className="stat-value muted">—</span>
          )}
        </div>
        <div className="stat">
          <span className="stat-label">Personal feeds</span>
          <span className="feed-links">
            {people.map((u) => (
              <a
                key={u}
                className="small"
                href={withAccessToken(`/api/v1/users/${encodeURIComponent(u)}/ical`, token)}
              >
                {u}
              </a>
            ))}
            {people.length === 0 && <span className="muted small">—</span>}
          </span>
        </div>
      </div>
      {shifts ? (
        <OnCallCalendar grid={grid} shifts={shifts.shifts} now={now} />
      ) : (
        <div className="loading">Loading shifts…</div>
      )}
    </section>
  );
}
