import { describe, expect, it } from 'vitest';
import { scheduleCalendar, userCalendar } from './ical.ts';
import { shifts } from './schedule.ts';
import type { Schedule, User } from './types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const utc = (iso: string) => Date.parse(`${iso}Z`);
const STAMP = utc('2026-01-01T00:00');

interface ParsedEvent {
  uid: string;
  start: number;
  end: number;
  summary: string;
  description: string;
}

/** Reads iCal text back: unfolds lines (RFC 5545 §3.1), collects each VEVENT's properties. */
function parseEvents(text: string): ParsedEvent[] {
  expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
  expect(text.trimEnd().endsWith('END:VCALENDAR')).toBe(true);
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
  const events: ParsedEvent[] = [];
  let current: Record<string, string> | undefined;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) {
      events.push({
        uid: current.UID as string,
        start: icalTime(current.DTSTART as string),
        end: icalTime(current.DTEND as string),
        summary: unescapeText(current.SUMMARY as string),
        description: unescapeText(current.DESCRIPTION as string),
      });
      current = undefined;
    } else if (current) {
      const colon = line.indexOf(':');
      current[line.slice(0, colon).split(';')[0] as string] = line.slice(colon + 1);
    }
  }
  return events;
}

/** `20260329T070000Z` → epoch ms (UTC form only: that is what the feeds write). */
function icalTime(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) throw new Error(`not a UTC date-time: ${value}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

const unescapeText = (s: string) => s.replace(/\\([,;\\])/g, '$1').replace(/\\n/gi, '\n');

const users: User[] = [
  {
    name: 'alice',
    displayName: 'Alice Liddell',
    contacts: [{ kind: 'email', address: 'alice@example.com' }],
  },
  { name: 'bob', contacts: [{ kind: 'webhook', url: 'http://127.0.0.1:9/hook' }] },
];

/** Daily 09:00 Berlin rotation alice → bob, over the March DST change. */
const ops: Schedule = {
  name: 'ops',
  displayName: 'Ops, EU',
  timeZone: 'Europe/Berlin',
  layers: [
    {
      name: 'primary',
      start: '2026-03-23T09:00',
      shift: { unit: 'days', count: 1 },
      participants: ['alice', 'bob'],
      restrictions: [],
    },
  ],
  overrides: [
    { user: 'alice', start: utc('2026-03-26T12:00'), end: utc('2026-03-26T14:00'), reason: 'swap' },
  ],
};

/** Weekend-only secondary schedule with alice alone. */
const weekend: Schedule = {
  name: 'db',
  timeZone: 'America/New_York',
  layers: [
    {
      name: 'weekend',
      start: '2026-03-02T00:00',
      shift: { unit: 'weeks', count: 1 },
      participants: ['alice'],
      restrictions: [{ days: ['sat', 'sun'], start: '10:00', end: '18:00' }],
    },
  ],
  overrides: [],
};

describe('schedule calendar', () => {
  const from = utc('2026-03-23T08:00');
  const to = utc('2026-03-30T07:00');
  const events = parseEvents(scheduleCalendar(ops, from, to, users, { stamp: STAMP }));

  it('has one VEVENT per piece of shifts(), with its exact UTC start and end', () => {
    const pieces = shifts(ops, from, to);
    expect(events.length).toBe(pieces.length);
    expect(events.map((e) => [e.start, e.end])).toEqual(pieces.map((p) => [p.start, p.end]));
  });

  it('the shift over spring forward ends at 09:00 CEST (07:00 UTC), 23 hours long', () => {
    const short = events.find((e) => e.start === utc('2026-03-28T08:00')) as ParsedEvent;
    expect(short.end).toBe(utc('2026-03-29T07:00'));
    expect(short.end - short.start).toBe(23 * HOUR);
    expect(events.at(-1)?.start).toBe(utc('2026-03-29T07:00'));
  });

  it('summaries say schedule, layer or override, and who (display name when known)', () => {
    expect(events[0]?.summary).toBe('On call: Ops, EU (primary): Alice Liddell');
    expect(events[1]?.summary).toBe('On call: Ops, EU (primary): bob');
    expect(events.find((e) => e.start === utc('2026-03-26T12:00'))?.summary).toBe(
      'On call: Ops, EU (override: swap): Alice Liddell',
    );
    expect(events[0]?.description).toBe('Alice Liddell (alice) is on call for ops.');
  });

  it('UIDs are unique per shift and stable across exports and sliding ranges', () => {
    expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);
    const again = parseEvents(scheduleCalendar(ops, from, to, users, { stamp: STAMP }));
    expect(again).toEqual(events);
    // A feed that starts mid-shift keeps that shift's start and UID.
    const later = parseEvents(scheduleCalendar(ops, from + 5 * HOUR, to + DAY, users, { stamp: STAMP }));
    expect(later[0]).toEqual(events[0]);
    expect(later.map((e) => e.uid)).toEqual(expect.arrayContaining(events.map((e) => e.uid)));
  });
});

describe('user calendar', () => {
  const alice = users[0] as User;
  const from = utc('2026-03-23T00:00');
  const to = utc('2026-03-30T00:00');
  const events = parseEvents(userCalendar(alice, [ops, weekend], from, to, { stamp: STAMP }));

  it('collects the user’s shifts from every schedule, in time order', () => {
    const expected = [ops, weekend]
      .flatMap((s) => shifts(s, from, to))
      .filter((p) => p.user === 'alice')
      .map((p) => p.start)
      .sort((a, b) => a - b);
    expect(events.map((e) => e.start)).toEqual(expected);
    expect(events.length).toBeGreaterThan(0);
  });

  it('names the schedule and layer of each shift', () => {
    const summaries = new Set(events.map((e) => e.summary));
    expect(summaries).toEqual(
      new Set(['On call: Ops, EU (primary)', 'On call: Ops, EU (override: swap)', 'On call: db (weekend)']),
    );
    // Weekend windows are 10:00–18:00 New York time (EDT from 8 March: 14:00–22:00 UTC).
    const saturday = events.find((e) => e.summary === 'On call: db (weekend)');
    expect([saturday?.start, saturday?.end]).toEqual([utc('2026-03-28T14:00'), utc('2026-03-28T22:00')]);
  });

  it('someone with no shifts gets an empty calendar', () => {
    const text = userCalendar({ name: 'nobody', contacts: [] }, [ops, weekend], from, to, { stamp: STAMP });
    expect(parseEvents(text)).toEqual([]);
    expect(text).toContain('X-WR-CALNAME:On call: nobody');
  });
});
