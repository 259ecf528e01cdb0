/**
 * iCalendar feeds of who is on call: one per schedule (everyone's shifts) and
 * one per person (their shifts across schedules), one VEVENT per piece of
 * `shifts()`. Times are written in UTC, which every client reads the same way;
 * clients show them in the viewer's zone.
 */
import ical, { type ICalCalendar } from 'ical-generator';
import { onCallAt, shifts } from './schedule.ts';
import type { OnCall, Schedule, User } from './types.ts';

export interface CalendarOptions {
  /** DTSTAMP of every event (epoch ms); default now. Fix it for byte-identical output. */
  stamp?: number;
}

const PROD_ID = { company: 'Ballast', product: 'Ballast on-call', language: 'EN' } as const;

/**
 * A schedule's shifts overlapping [from, to) as iCal text. The first and last
 * events keep the bounds of the shift they belong to rather than being cut at
 * `from`/`to`, so a feed regenerated over a sliding range keeps the same events
 * (and UIDs).
 */
export function scheduleCalendar(
  schedule: Schedule,
  from: number,
  to: number,
  users: readonly User[] = [],
  options: CalendarOptions = {},
): string {
  const byName = new Map(users.map((u) => [u.name, u]));
  const title = schedule.displayName ?? schedule.name;
  const cal = calendar(`On call: ${title}`);
  for (const piece of feedPieces(schedule, from, to)) {
    const user = byName.get(piece.user);
    addEvent(cal, piece, `${summary(title, piece)}: ${user?.displayName ?? piece.user}`, user, options);
  }
  return cal.toString();
}

/** One person's shifts overlapping [from, to) across `schedules`, as iCal text. */
export function userCalendar(
  user: User,
  schedules: readonly Schedule[],
  from: number,
  to: number,
  options: CalendarOptions = {},
): string {
  const cal = calendar(`On call: ${user.displayName ?? user.name}`);
  const mine = schedules
    .flatMap((schedule) =>
      feedPieces(schedule, from, to)
        .filter((p) => p.user === user.name)
        .map((piece) => ({ piece, title: schedule.displayName ?? schedule.name })),
    )
    .sort((a, b) => a.piece.start - b.piece.start || (a.piece.schedule < b.piece.schedule ? -1 : 1));
  for (const { piece, title } of mine) addEvent(cal, piece, summary(title, piece), user, options);
  return cal.toString();
}

function calendar(name: string): ICalCalendar {
  return ical({ name, prodId: PROD_ID });
}

/** `On call: primary (weekdays)`; an override shows as `(override: reason)`. */
function summary(title: string, piece: OnCall): string {
  const source =
    piece.source.kind === 'layer'
      ? piece.source.layer
      : `override${piece.source.reason ? `: ${piece.source.reason}` : ''}`;
  return `On call: ${title} (${source})`;
}

/**
 * A UID that names the shift: schedule, source, person and start. The same
 * shift gets the same UID on every export; different shifts never share one.
 */
function uid(piece: OnCall): string {
  const source = piece.source.kind === 'layer' ? `layer-${piece.source.layer}` : 'override';
  const start = new Date(piece.start).toISOString().replace(/[-:.]/g, '');
  return `${start}-${encodeURIComponent(piece.user)}-${source}@${encodeURIComponent(piece.schedule)}.oncall.ballast`;
}

function addEvent(
  cal: ICalCalendar,
  piece: OnCall,
  text: string,
  user: User | undefined,
  options: CalendarOptions,
): void {
  const who = user?.displayName ? `${user.displayName} (${piece.user})` : piece.user;
  cal.createEvent({
    id: uid(piece),
    start: new Date(piece.start),
    end: new Date(piece.end),
    stamp: new Date(options.stamp ?? Date.now()),
    summary: text,
    description: `${who} is on call for ${piece.schedule}.`,
  });
}

/**
 * `shifts()` over the range, with the first and last piece widened to the
 * shift they belong to when the range cuts them (see {@link onCallAt}).
 */
function feedPieces(schedule: Schedule, from: number, to: number): OnCall[] {
  const pieces = shifts(schedule, from, to);
  const first = pieces[0];
  if (first && first.start === from) {
    const whole = onCallAt(schedule, from);
    if (whole && sameSource(whole, first)) first.start = Math.min(first.start, whole.start);
  }
  const last = pieces[pieces.length - 1];
  if (last && last.end === to) {
    const whole = onCallAt(schedule, to - 1);
    if (whole && sameSource(whole, last)) last.end = Math.max(last.end, whole.end);
  }
  return pieces;
}

function sameSource(a: OnCall, b: OnCall): boolean {
  if (a.user !== b.user) return false;
  if (a.source.kind === 'layer') return b.source.kind === 'layer' && a.source.layer === b.source.layer;
  return b.source.kind === 'override' && a.source.reason === b.source.reason;
}
