import { type FormEvent, useMemo, useState } from 'react';
import { formatTimestamp } from '../format.ts';
import { groupTimelineByDay, type TimelineEntry, timelineKind } from '../incident-data.ts';
import { useAddNote } from '../incident-queries.ts';
import { WriteError } from './WriteError.tsx';

/** `HH:MM:SS` in the browser's zone: the day is the group heading. */
const timeOfDay = (ms: number) => formatTimestamp(ms).slice(11);

/** The incident's timeline by day, newest last like a log, with a note form at the end. */
export function IncidentTimeline({ incidentId, entries }: { incidentId: number; entries: TimelineEntry[] }) {
  const days = useMemo(() => groupTimelineByDay(entries), [entries]);
  return (
    <section className="panel" data-testid="timeline">
      <header className="panel-head">
        <h3>Timeline</h3>
        <span className="muted small">
          {entries.length} {entries.length === 1 ? 'entry' : 'entries'}, oldest first; times in your zone
        </span>
      </header>
      {days.length === 0 ? (
        <div className="empty muted">Nothing recorded yet.</div>
      ) : (
        days.map((d) => (
          <div key={d.day} className="tl-day">
            <div className="tl-day-head muted small num">{d.day}</div>
            <ol className="timeline">
              {d.entries.map((e) => (
                <TimelineItem key={e.id} entry={e} />
              ))}
            </ol>
          </div>
        ))
      )}
      <NoteForm incidentId={incidentId} />
    </section>
  );
}

function TimelineItem({ entry: e }: { entry: TimelineEntry }) {
  const kind = timelineKind(e.kind);
  return (
    <li className={`tl-entry tl-${e.kind}`} data-testid="timeline-entry" data-kind={e.kind} data-entry={e.id}>
      <span className="tl-time num muted" title={formatTimestamp(e.at)}>
        {timeOfDay(e.at)}
      </span>
      <span className="tl-icon" aria-hidden="true">
        {kind.icon}
      </span>
      <span className="tl-kind tag">{kind.label}</span>
      <span className="tl-text" data-testid="timeline-text">
        {e.text}
      </span>
      <span className="tl-actor muted small">{e.actor}</span>
    </li>
  );
}

function NoteForm({ incidentId }: { incidentId: number }) {
  const [text, setText] = useState('');
  const add = useAddNote(incidentId);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim() === '') return;
    add.mutate(text.trim(), { onSuccess: () => setText('') });
  };
  return (
    <form className="inline-form" onSubmit={submit}>
      <input
        className="grow"
        data-testid="note-input"
        aria-label="Note"
        placeholder="Add a note to the timeline"
        value={text}
        maxLength={10_000}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" disabled={add.isPending || text.trim() === ''} data-testid="note-submit">
        Add note
      </button>
      <WriteError error={add.error} />
    </form>
  );
}
