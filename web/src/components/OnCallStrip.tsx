import { useMemo } from 'react';
import { formatTimestamp } from '../format.ts';
import { type ShiftLike, stripDays, stripSegments, userHue } from '../incident-data.ts';

const WEEKDAY = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric' });

/**
 * Shifts of one schedule across the next `days` days from `from`: one bar
 * per shift, coloured per person, with a line and a label at each midnight.
 */
export function OnCallStrip(props: { shifts: ShiftLike[]; from: number; days: number; testId?: string }) {
  const { shifts, from, days, testId } = props;
  const segments = useMemo(() => stripSegments(shifts, from, days), [shifts, from, days]);
  const midnights = useMemo(() => stripDays(from, days), [from, days]);
  return (
    <div className="strip" data-testid={testId}>
      <div className="strip-track">
        {midnights.map((d) => (
          <span key={d.at} className="strip-day" style={{ left: `${d.left}%` }}>
            <span className="strip-day-label small muted">{WEEKDAY.format(d.at)}</span>
          </span>
        ))}
        {segments.map((s) => (
          <span
            key={`${s.user}@${s.start}`}
            className={`strip-shift ${s.current ? 'strip-current' : ''}`}
            data-testid="strip-shift"
            data-user={s.user}
            style={{
              left: `${s.left}%`,
              width: `${s.width}%`,
              background: `hsl(${userHue(s.user)} 55% 32%)`,
              borderColor: `hsl(${userHue(s.user)} 65% 55%)`,
            }}
            title={`${s.user}: ${formatTimestamp(s.start)} → ${formatTimestamp(s.end)}`}
          >
            <span className="strip-user">{s.user}</span>
          </span>
        ))}
        {segments.length === 0 && <span className="strip-empty muted small">nobody on call this week</span>}
      </div>
    </div>
  );
}
