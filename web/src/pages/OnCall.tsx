import { getToken } from '../api.ts';
import { useNow } from '../check-queries.ts';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { OnCallStrip } from '../components/OnCallStrip.tsx';
import { formatDuration, formatTimestamp } from '../format.ts';
import { type ShiftLike, withAccessToken } from '../incident-data.ts';
import { type OnCallNow, useOnCall } from '../incident-queries.ts';

/** The strip shows what the API returns: the next 7 days. */
const STRIP_DAYS = 7;

/** `/oncall`: per schedule, who is on call now and next, a week of shifts, and the iCal feeds. */
export function OnCall() {
  const oncall = useOnCall();
  const now = useNow(30_000);
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
        oncall.data.map((s) => <ScheduleCard key={s.schedule} entry={s} now={now} />)
      )}
    </>
  );
}

function ScheduleCard({ entry, now }: { entry: OnCallNow; now: number }) {
  const token = getToken();
  const shifts: ShiftLike[] = entry.now ? [entry.now, ...entry.next] : entry.next;
  const next = entry.next[0];
  const people = [...new Set(shifts.map((s) => s.user))].sort();
  return (
    <section className="panel" data-testid="schedule" data-schedule={entry.schedule}>
      <header className="panel-head">
        <h2>{entry.schedule}</h2>
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
      <OnCallStrip shifts={shifts} from={now} days={STRIP_DAYS} testId="oncall-strip" />
      {entry.next.length > 0 && (
        <table className="grid shift-table">
          <thead>
            <tr>
              <th>Who</th>
              <th>From</th>
              <th>To</th>
              <th className="r">Length</th>
            </tr>
          </thead>
          <tbody>
            {entry.next.map((s) => (
              <tr key={`${s.user}@${s.start}`} data-testid="next-shift">
                <td>{s.user}</td>
                <td className="num">{formatTimestamp(s.start)}</td>
                <td className="num">{formatTimestamp(s.end)}</td>
                <td className="r num">{formatDuration(s.end - s.start)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
