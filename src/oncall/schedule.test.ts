import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { gaps, onCallAt, shifts } from './schedule.ts';
import type { Layer, OnCall, Override, Schedule, ShiftLength, Weekday } from './types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** An instant from a UTC ISO string without the Z (`2026-03-29T07:00`). */
const utc = (iso: string) => Date.parse(`${iso}Z`);
const iso = (t: number) => new Date(t).toISOString().slice(0, 16);

function layer(over: Partial<Layer> & { shift: ShiftLength }): Layer {
  return { name: 'primary', start: '2026-01-05T09:00', participants: ['a', 'b'], restrictions: [], ...over };
}

function schedule(timeZone: string, layers: Layer[], overrides: Override[] = []): Schedule {
  return { name: 'ops', timeZone, layers, overrides };
}

/** `user start→end` lines in UTC, compact enough to read a table of them. */
function timeline(pieces: OnCall[]): string[] {
  return pieces.map((p) => `${p.user} ${iso(p.start)}→${iso(p.end)}`);
}

const hours = (count: number): ShiftLength => ({ unit: 'hours', count });
const days = (count: number): ShiftLength => ({ unit: 'days', count });
const weeks = (count: number): ShiftLength => ({ unit: 'weeks', count });

describe('rotations', () => {
  it.each<[string, Schedule, string, string, string[]]>([
    [
      'an 8-hour rotation of three hands off every 8 hours from the layer start',
      schedule('UTC', [layer({ start: '2026-01-05T06:00', shift: hours(8), participants: ['a', 'b', 'c'] })]),
      '2026-01-05T06:00',
      '2026-01-06T06:00',
      [
        'a 2026-01-05T06:00→2026-01-05T14:00',
        'b 2026-01-05T14:00→2026-01-05T22:00',
        'c 2026-01-05T22:00→2026-01-06T06:00',
      ],
    ],
    [
      'a daily rotation hands off at the start time every day',
      schedule('UTC', [layer({ shift: days(1) })]),
      '2026-01-05T09:00',
      '2026-01-08T09:00',
      [
        'a 2026-01-05T09:00→2026-01-06T09:00',
        'b 2026-01-06T09:00→2026-01-07T09:00',
        'a 2026-01-07T09:00→2026-01-08T09:00',
      ],
    ],
    [
      'a weekly rotation hands off on the same weekday and time',
      schedule('UTC', [layer({ shift: weeks(1) })]),
      '2026-01-05T09:00',
      '2026-01-26T09:00',
      [
        'a 2026-01-05T09:00→2026-01-12T09:00',
        'b 2026-01-12T09:00→2026-01-19T09:00',
        'a 2026-01-19T09:00→2026-01-26T09:00',
      ],
    ],
    [
      'custom lengths: 3 days',
      schedule('UTC', [layer({ shift: days(3) })]),
      '2026-01-05T09:00',
      '2026-01-11T09:00',
      ['a 2026-01-05T09:00→2026-01-08T09:00', 'b 2026-01-08T09:00→2026-01-11T09:00'],
    ],
    [
      'custom lengths: 12 hours',
      schedule('UTC', [layer({ shift: hours(12) })]),
      '2026-01-05T09:00',
      '2026-01-06T09:00',
      ['a 2026-01-05T09:00→2026-01-05T21:00', 'b 2026-01-05T21:00→2026-01-06T09:00'],
    ],
    [
      'custom lengths: 2 weeks',
      schedule('UTC', [layer({ shift: weeks(2) })]),
      '2026-01-05T09:00',
      '2026-02-02T09:00',
      ['a 2026-01-05T09:00→2026-01-19T09:00', 'b 2026-01-19T09:00→2026-02-02T09:00'],
    ],
    [
      'the range clips the first and last shift',
      schedule('UTC', [layer({ shift: days(1) })]),
      '2026-01-05T12:00',
      '2026-01-06T12:00',
      ['a 2026-01-05T12:00→2026-01-06T09:00', 'b 2026-01-06T09:00→2026-01-06T12:00'],
    ],
    [
      'participant order continues from the layer start, however far the range is from it',
      schedule('UTC', [layer({ shift: days(1), participants: ['a', 'b', 'c'] })]),
      '2026-02-04T09:00', // 30 days after the start: 30 mod 3 = 0 → a
      '2026-02-06T09:00',
      ['a 2026-02-04T09:00→2026-02-05T09:00', 'b 2026-02-05T09:00→2026-02-06T09:00'],
    ],
    [
      'the same person in consecutive shifts is one piece',
      schedule('UTC', [layer({ shift: days(1), participants: ['solo'] })]),
      '2026-01-05T09:00',
      '2026-01-12T09:00',
      ['solo 2026-01-05T09:00→2026-01-12T09:00'],
    ],
    [
      'the handoff time is local: 09:00 in Berlin in winter is 08:00 UTC',
      schedule('Europe/Berlin', [layer({ shift: days(1) })]),
      '2026-01-05T08:00',
      '2026-01-07T08:00',
      ['a 2026-01-05T08:00→2026-01-06T08:00', 'b 2026-01-06T08:00→2026-01-07T08:00'],
    ],
    [
      'the handoff time is local: 09:00 in Tokyo is 00:00 UTC',
      schedule('Asia/Tokyo', [layer({ shift: days(1) })]),
      '2026-01-05T00:00',
      '2026-01-06T00:00',
      ['a 2026-01-05T00:00→2026-01-06T00:00'],
    ],
    [
      'nobody is on call before the layer starts or after it ends',
      schedule('UTC', [layer({ shift: days(1), end: '2026-01-07T09:00' })]),
      '2026-01-04T00:00',
      '2026-01-09T00:00',
      ['a 2026-01-05T09:00→2026-01-06T09:00', 'b 2026-01-06T09:00→2026-01-07T09:00'],
    ],
  ])('%s', (_name, s, from, to, expected) => {
    expect(timeline(shifts(s, utc(from), utc(to)))).toEqual(expected);
  });
});

describe('daylight-saving transitions', () => {
  it.each<[string, Schedule, string, string, string[]]>([
    [
      'Berlin, daily 09:00 over spring forward: the short night makes a 23-hour shift, handoff stays 09:00 local',
      schedule('Europe/Berlin', [layer({ start: '2026-03-27T09:00', shift: days(1) })]),
      '2026-03-27T08:00',
      '2026-03-30T07:00',
      [
        'a 2026-03-27T08:00→2026-03-28T08:00',
        'b 2026-03-28T08:00→2026-03-29T07:00',
        'a 2026-03-29T07:00→2026-03-30T07:00',
      ],
    ],
    [
      'Berlin, daily 09:00 over fall back: a 25-hour shift',
      schedule('Europe/Berlin', [layer({ start: '2026-10-23T09:00', shift: days(1) })]),
      '2026-10-23T07:00',
      '2026-10-26T08:00',
      [
        'a 2026-10-23T07:00→2026-10-24T07:00',
        'b 2026-10-24T07:00→2026-10-25T08:00',
        'a 2026-10-25T08:00→2026-10-26T08:00',
      ],
    ],
    [
      'New York, daily 09:00 over spring forward (8 March)',
      schedule('America/New_York', [layer({ start: '2026-03-07T09:00', shift: days(1) })]),
      '2026-03-07T14:00',
      '2026-03-09T13:00',
      ['a 2026-03-07T14:00→2026-03-08T13:00', 'b 2026-03-08T13:00→2026-03-09T13:00'],
    ],
    [
      'New York, daily 09:00 over fall back (1 November)',
      schedule('America/New_York', [layer({ start: '2026-10-31T09:00', shift: days(1) })]),
      '2026-10-31T13:00',
      '2026-11-02T14:00',
      ['a 2026-10-31T13:00→2026-11-01T14:00', 'b 2026-11-01T14:00→2026-11-02T14:00'],
    ],
    [
      'Berlin, weekly Monday 09:00 over spring forward: a 167-hour week',
      schedule('Europe/Berlin', [layer({ start: '2026-03-23T09:00', shift: weeks(1) })]),
      '2026-03-23T08:00',
      '2026-04-06T07:00',
      ['a 2026-03-23T08:00→2026-03-30T07:00', 'b 2026-03-30T07:00→2026-04-06T07:00'],
    ],
    [
      'Berlin, weekly Monday 09:00 over fall back: a 169-hour week',
      schedule('Europe/Berlin', [layer({ start: '2026-10-19T09:00', shift: weeks(1) })]),
      '2026-10-19T07:00',
      '2026-11-02T08:00',
      ['a 2026-10-19T07:00→2026-10-26T08:00', 'b 2026-10-26T08:00→2026-11-02T08:00'],
    ],
    [
      'New York, weekly Monday 09:00 over spring forward',
      schedule('America/New_York', [layer({ start: '2026-03-02T09:00', shift: weeks(1) })]),
      '2026-03-02T14:00',
      '2026-03-16T13:00',
      ['a 2026-03-02T14:00→2026-03-09T13:00', 'b 2026-03-09T13:00→2026-03-16T13:00'],
    ],
    [
      'New York, weekly Monday 09:00 over fall back',
      schedule('America/New_York', [layer({ start: '2026-10-26T09:00', shift: weeks(1) })]),
      '2026-10-26T13:00',
      '2026-11-09T14:00',
      ['a 2026-10-26T13:00→2026-11-02T14:00', 'b 2026-11-02T14:00→2026-11-09T14:00'],
    ],
    [
      'a 02:30 handoff on the spring-forward day happens at the change (03:00 CEST), then at 02:30 again',
      schedule('Europe/Berlin', [layer({ start: '2026-03-28T02:30', shift: days(1) })]),
      '2026-03-28T01:30',
      '2026-03-31T00:30',
      [
        'a 2026-03-28T01:30→2026-03-29T01:00',
        'b 2026-03-29T01:00→2026-03-30T00:30',
        'a 2026-03-30T00:30→2026-03-31T00:30',
      ],
    ],
    [
      'a 02:30 handoff on the fall-back day happens at the first 02:30 (CEST)',
      schedule('Europe/Berlin', [layer({ start: '2026-10-24T02:30', shift: days(1) })]),
      '2026-10-24T00:30',
      '2026-10-26T01:30',
      ['a 2026-10-24T00:30→2026-10-25T00:30', 'b 2026-10-25T00:30→2026-10-26T01:30'],
    ],
    [
      'a 01:30 handoff on New York’s fall-back day happens at the first 01:30 (EDT)',
      schedule('America/New_York', [layer({ start: '2026-10-31T01:30', shift: days(1) })]),
      '2026-10-31T05:30',
      '2026-11-02T06:30',
      ['a 2026-10-31T05:30→2026-11-01T05:30', 'b 2026-11-01T05:30→2026-11-02T06:30'],
    ],
    [
      'an hourly rotation counts absolute hours across spring forward (local handoffs move from 06:00 to 07:00)',
      schedule('Europe/Berlin', [
        layer({ start: '2026-03-28T22:00', shift: hours(8), participants: ['a', 'b', 'c'] }),
      ]),
      '2026-03-28T21:00',
      '2026-03-29T21:00',
      [
        'a 2026-03-28T21:00→2026-03-29T05:00',
        'b 2026-03-29T05:00→2026-03-29T13:00',
        'c 2026-03-29T13:00→2026-03-29T21:00',
      ],
    ],
    [
      'an hourly rotation counts absolute hours across fall back',
      schedule('America/New_York', [layer({ start: '2026-10-31T22:00', shift: hours(12) })]),
      '2026-11-01T02:00',
      '2026-11-02T02:00',
      ['a 2026-11-01T02:00→2026-11-01T14:00', 'b 2026-11-01T14:00→2026-11-02T02:00'],
    ],
  ])('%s', (_name, s, from, to, expected) => {
    expect(timeline(shifts(s, utc(from), utc(to)))).toEqual(expected);
  });
});

describe('layers, restrictions and overrides', () => {
  const base = layer({ name: 'base', start: '2026-01-05T00:00', shift: weeks(1), participants: ['base'] });
  const office = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '09:00', end: '17:00' };
  const nights = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '18:00', end: '09:00' };

  it.each<[string, Schedule, string, string, string[]]>([
    [
      'a later layer wins over an earlier one where it has someone',
      schedule('UTC', [
        base,
        layer({
          name: 'top',
          start: '2026-01-06T00:00',
          end: '2026-01-07T00:00',
          shift: days(1),
          participants: ['top'],
        }),
      ]),
      '2026-01-05T00:00',
      '2026-01-08T00:00',
      [
        'base 2026-01-05T00:00→2026-01-06T00:00',
        'top 2026-01-06T00:00→2026-01-07T00:00',
        'base 2026-01-07T00:00→2026-01-08T00:00',
      ],
    ],
    [
      'an upper layer restricted to office hours leaves the lower layer the rest of the day',
      schedule('UTC', [
        base,
        layer({
          name: 'office',
          shift: days(1),
          participants: ['o'],
          restrictions: [{ ...office, days: [...office.days] }],
        }),
      ]),
      '2026-01-05T00:00',
      '2026-01-06T00:00',
      [
        'base 2026-01-05T00:00→2026-01-05T09:00',
        'o 2026-01-05T09:00→2026-01-05T17:00',
        'base 2026-01-05T17:00→2026-01-06T00:00',
      ],
    ],
    [
      'a single layer restricted to office hours leaves nobody at night and at the weekend',
      schedule('Europe/Berlin', [
        layer({
          start: '2026-01-05T09:00',
          shift: days(1),
          participants: ['o'],
          restrictions: [{ ...office, days: [...office.days] }],
        }),
      ]),
      '2026-01-09T00:00', // Friday
      '2026-01-13T00:00',
      ['o 2026-01-09T08:00→2026-01-09T16:00', 'o 2026-01-12T08:00→2026-01-12T16:00'],
    ],
    [
      'an overnight window belongs to the day it starts: Friday 18:00 to Saturday 09:00, nothing Saturday night',
      schedule('UTC', [
        layer({
          start: '2026-01-05T00:00',
          shift: weeks(1),
          participants: ['n'],
          restrictions: [{ ...nights, days: [...nights.days] }],
        }),
      ]),
      '2026-01-09T00:00',
      '2026-01-12T12:00',
      ['n 2026-01-09T00:00→2026-01-09T09:00', 'n 2026-01-09T18:00→2026-01-10T09:00'],
    ],
    [
      'a restriction window follows local time over a DST change (09:00–17:00 CEST is 07:00–15:00 UTC)',
      schedule('Europe/Berlin', [
        layer({
          start: '2026-03-23T00:00',
          shift: weeks(1),
          participants: ['o'],
          restrictions: [{ days: ['fri', 'mon'], start: '09:00', end: '17:00' }],
        }),
      ]),
      '2026-03-27T00:00',
      '2026-03-31T00:00',
      ['o 2026-03-27T08:00→2026-03-27T16:00', 'o 2026-03-30T07:00→2026-03-30T15:00'],
    ],
    [
      'a window ending at its start time lasts a whole (local) day',
      schedule('UTC', [
        layer({
          start: '2026-01-05T00:00',
          shift: weeks(1),
          participants: ['d'],
          restrictions: [{ days: ['wed'], start: '12:00', end: '12:00' }],
        }),
      ]),
      '2026-01-05T00:00',
      '2026-01-12T00:00',
      ['d 2026-01-07T12:00→2026-01-08T12:00'],
    ],
    [
      'restricted shifts hand off inside the window: the piece ends where the person changes',
      schedule('UTC', [
        layer({
          start: '2026-01-05T12:00',
          shift: days(1),
          restrictions: [{ days: ['mon', 'tue'], start: '09:00', end: '17:00' }],
        }),
      ]),
      '2026-01-05T00:00',
      '2026-01-07T00:00',
      [
        'a 2026-01-05T12:00→2026-01-05T17:00',
        'a 2026-01-06T09:00→2026-01-06T12:00',
        'b 2026-01-06T12:00→2026-01-06T17:00',
      ],
    ],
    [
      'an override wins over every layer and splits the shift it overlaps',
      schedule(
        'UTC',
        [layer({ start: '2026-01-05T00:00', shift: days(1) })],
        [{ user: 'c', start: utc('2026-01-05T12:00'), end: utc('2026-01-06T12:00'), reason: 'swap' }],
      ),
      '2026-01-05T00:00',
      '2026-01-07T00:00',
      [
        'a 2026-01-05T00:00→2026-01-05T12:00',
        'c 2026-01-05T12:00→2026-01-06T12:00',
        'b 2026-01-06T12:00→2026-01-07T00:00',
      ],
    ],
    [
      'of two overlapping overrides the later-listed wins',
      schedule(
        'UTC',
        [layer({ start: '2026-01-05T00:00', shift: days(1) })],
        [
          { user: 'c', start: utc('2026-01-05T06:00'), end: utc('2026-01-05T18:00') },
          { user: 'd', start: utc('2026-01-05T10:00'), end: utc('2026-01-05T12:00') },
        ],
      ),
      '2026-01-05T00:00',
      '2026-01-06T00:00',
      [
        'a 2026-01-05T00:00→2026-01-05T06:00',
        'c 2026-01-05T06:00→2026-01-05T10:00',
        'd 2026-01-05T10:00→2026-01-05T12:00',
        'c 2026-01-05T12:00→2026-01-05T18:00',
        'a 2026-01-05T18:00→2026-01-06T00:00',
      ],
    ],
    [
      'an override fills a stretch no layer covers',
      schedule(
        'UTC',
        [layer({ start: '2026-01-06T00:00', shift: days(1) })],
        [{ user: 'early', start: utc('2026-01-05T20:00'), end: utc('2026-01-06T02:00') }],
      ),
      '2026-01-05T18:00',
      '2026-01-06T06:00',
      ['early 2026-01-05T20:00→2026-01-06T02:00', 'a 2026-01-06T02:00→2026-01-06T06:00'],
    ],
  ])('%s', (_name, s, from, to, expected) => {
    expect(timeline(shifts(s, utc(from), utc(to)))).toEqual(expected);
  });

  it('pieces name their source: the layer, or the override and its reason', () => {
    const s = schedule(
      'UTC',
      [layer({ start: '2026-01-05T00:00', shift: days(1) })],
      [{ user: 'c', start: utc('2026-01-05T12:00'), end: utc('2026-01-05T13:00'), reason: 'dentist swap' }],
    );
    expect(shifts(s, utc('2026-01-05T11:00'), utc('2026-01-05T14:00'))).toStrictEqual([
      {
        user: 'a',
        schedule: 'ops',
        source: { kind: 'layer', layer: 'primary' },
        start: utc('2026-01-05T11:00'),
        end: utc('2026-01-05T12:00'),
      },
      {
        user: 'c',
        schedule: 'ops',
        source: { kind: 'override', reason: 'dentist swap' },
        start: utc('2026-01-05T12:00'),
        end: utc('2026-01-05T13:00'),
      },
      {
        user: 'a',
        schedule: 'ops',
        source: { kind: 'layer', layer: 'primary' },
        start: utc('2026-01-05T13:00'),
        end: utc('2026-01-05T14:00'),
      },
    ]);
  });
});

describe('who is on call at an instant', () => {
  const s = schedule(
    'Europe/Berlin',
    [
      layer({ name: 'base', start: '2026-01-05T09:00', shift: weeks(1), participants: ['a', 'b', 'c'] }),
      layer({
        name: 'day',
        start: '2026-01-05T09:00',
        shift: days(1),
        participants: ['d', 'e'],
        restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }],
      }),
    ],
    [{ user: 'f', start: utc('2026-01-07T10:00'), end: utc('2026-01-07T11:00') }],
  );

  it.each<[string, string, Partial<OnCall> | undefined]>([
    [
      'at night the base layer has it, between the upper layer’s windows',
      '2026-01-06T02:00',
      {
        user: 'a',
        source: { kind: 'layer', layer: 'base' },
        start: utc('2026-01-05T16:00'),
        end: utc('2026-01-06T08:00'),
      },
    ],
    [
      'in office hours the upper layer has it, clipped to the window',
      '2026-01-06T12:00',
      { user: 'e', start: utc('2026-01-06T08:00'), end: utc('2026-01-06T16:00') },
    ],
    [
      'an override wins, for its own range',
      '2026-01-07T10:30',
      {
        user: 'f',
        source: { kind: 'override' },
        start: utc('2026-01-07T10:00'),
        end: utc('2026-01-07T11:00'),
      },
    ],
    [
      'around an override the upper layer’s piece is cut by it',
      '2026-01-07T11:30',
      { user: 'd', start: utc('2026-01-07T11:00'), end: utc('2026-01-07T16:00') },
    ],
    ['before every layer starts nobody is', '2026-01-01T12:00', undefined],
  ])('%s', (_name, at, expected) => {
    const got = onCallAt(s, utc(at));
    if (expected === undefined) expect(got).toBeUndefined();
    else expect(got).toMatchObject(expected);
  });

  it('agrees with shifts() at 2,000 instants over a year (same person and source, inside the piece)', () => {
    const from = utc('2026-01-01T00:00');
    const to = from + 365 * DAY;
    // Computed over a wider range, so no piece around a sampled instant is cut by the range.
    const pieces = shifts(s, from - 30 * DAY, to + 30 * DAY);
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const t = from + Math.floor(random() * (to - from));
      const piece = pieces.find((p) => p.start <= t && t < p.end);
      const at = onCallAt(s, t);
      expect(at?.user).toBe(piece?.user);
      expect(at?.source).toEqual(piece?.source);
      if (at && piece)
        expect(at.start >= piece.start && at.end <= piece.end && at.start <= t && t < at.end).toBe(true);
    }
  });

  it('far-future instants are computed, not walked to: shift k of a daily rotation in 2400', () => {
    const daily = schedule('Europe/Berlin', [
      layer({ start: '2026-01-05T09:00', shift: days(1), participants: ['a', 'b', 'c'] }),
    ]);
    const t = utc('2400-07-01T12:00');
    // Local days from 2026-01-05 to 2400-07-01; the shift that started at 09:00 CEST (07:00 UTC) that day.
    const k = Math.round((Date.UTC(2400, 6, 1) - Date.UTC(2026, 0, 5)) / DAY);
    const started = performance.now();
    const got = onCallAt(daily, t);
    for (let i = 0; i < 1000; i++) onCallAt(daily, t + i * 997 * HOUR);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(got).toMatchObject({
      user: ['a', 'b', 'c'][k % 3],
      start: utc('2400-07-01T07:00'),
      end: utc('2400-07-02T07:00'),
    });
    const hourly = schedule('UTC', [layer({ start: '2026-01-05T09:00', shift: hours(5) })]);
    const h = Math.floor((utc('9999-12-31T23:00') - utc('2026-01-05T09:00')) / (5 * HOUR));
    expect(onCallAt(hourly, utc('9999-12-31T23:00'))?.user).toBe(['a', 'b'][h % 2]);
  });
});

describe('gaps', () => {
  it.each<[string, Schedule, string, string, [string, string][]]>([
    [
      'office hours only: every night and the weekend are gaps',
      schedule('UTC', [
        layer({
          start: '2026-01-05T00:00',
          shift: weeks(1),
          participants: ['o'],
          restrictions: [{ days: ['thu', 'fri', 'mon'], start: '09:00', end: '17:00' }],
        }),
      ]),
      '2026-01-08T00:00',
      '2026-01-13T00:00',
      [
        ['2026-01-08T00:00', '2026-01-08T09:00'],
        ['2026-01-08T17:00', '2026-01-09T09:00'],
        ['2026-01-09T17:00', '2026-01-12T09:00'],
        ['2026-01-12T17:00', '2026-01-13T00:00'],
      ],
    ],
    [
      'a layer that starts late leaves the stretch before it',
      schedule('UTC', [layer({ start: '2026-01-06T00:00', shift: days(1) })]),
      '2026-01-05T00:00',
      '2026-01-07T00:00',
      [['2026-01-05T00:00', '2026-01-06T00:00']],
    ],
    [
      'an override closes a gap',
      schedule(
        'UTC',
        [layer({ start: '2026-01-06T00:00', shift: days(1) })],
        [{ user: 'x', start: utc('2026-01-05T00:00'), end: utc('2026-01-06T00:00') }],
      ),
      '2026-01-05T00:00',
      '2026-01-07T00:00',
      [],
    ],
    [
      'an empty schedule is one gap',
      schedule('UTC', [layer({ shift: days(1), participants: [] })]),
      '2026-01-05T00:00',
      '2026-01-07T00:00',
      [['2026-01-05T00:00', '2026-01-07T00:00']],
    ],
  ])('%s', (_name, s, from, to, expected) => {
    expect(gaps(s, utc(from), utc(to)).map((g) => [iso(g.start), iso(g.end)])).toEqual(expected);
  });

  it('a range that is empty or reversed has no pieces and no gaps; an infinite one is refused', () => {
    const s = schedule('UTC', [layer({ shift: days(1) })]);
    expect(shifts(s, utc('2026-02-01T00:00'), utc('2026-01-01T00:00'))).toEqual([]);
    expect(gaps(s, utc('2026-02-01T00:00'), utc('2026-02-01T00:00'))).toEqual([]);
    expect(() => shifts(s, 0, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('against an independent reference', () => {
  /**
   * Who is on call at t, computed the slow, obvious way with luxon's calendar
   * arithmetic (`plus({ days })` keeps the wall-clock time). Handoff and
   * restriction times below avoid 01:00–03:59, where a DST rule (skip or
   * repeat) would have to be chosen: those cases have their own tables above.
   */
  function reference(s: Schedule, t: number): string | undefined {
    for (let i = s.overrides.length - 1; i >= 0; i--) {
      const o = s.overrides[i] as Override;
      if (o.start <= t && t < o.end) return o.user;
    }
    for (let i = s.layers.length - 1; i >= 0; i--) {
      const l = s.layers[i] as Layer;
      const start = DateTime.fromISO(l.start, { zone: s.timeZone });
      if (t < start.toMillis()) continue;
      if (l.restrictions.length > 0 && !inRestriction(l, s.timeZone, t)) continue;
      let k: number;
      if (l.shift.unit === 'hours') k = Math.floor((t - start.toMillis()) / (l.shift.count * HOUR));
      else {
        const unitDays = l.shift.count * (l.shift.unit === 'weeks' ? 7 : 1);
        k = Math.floor(DateTime.fromMillis(t, { zone: s.timeZone }).diff(start, 'days').days / unitDays) + 1;
        while (start.plus({ days: k * unitDays }).toMillis() > t) k--;
      }
      return l.participants[k % l.participants.length];
    }
    return undefined;
  }

  const WEEK: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

  function inRestriction(l: Layer, zone: string, t: number): boolean {
    const local = DateTime.fromMillis(t, { zone });
    for (const back of [0, 1]) {
      const day = local.startOf('day').minus({ days: back });
      for (const r of l.restrictions) {
        if (!r.days.includes(WEEK[day.weekday - 1] as Weekday)) continue;
        const [sh, sm] = r.start.split(':').map(Number) as [number, number];
        const [eh, em] = r.end.split(':').map(Number) as [number, number];
        const ws = day.set({ hour: sh, minute: sm });
        const endDay = eh * 60 + em <= sh * 60 + sm ? day.plus({ days: 1 }) : day;
        const we = endDay.set({ hour: eh, minute: em });
        if (ws.toMillis() <= t && t < we.toMillis()) return true;
      }
    }
    return false;
  }

  it('onCallAt and shifts() agree with it at 4,000 instants of 40 random schedules in eight zones', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const zones = [
      'Europe/Berlin',
      'America/New_York',
      'Europe/London',
      'Australia/Sydney',
      'Asia/Kolkata',
      'America/Los_Angeles',
      'Asia/Tokyo',
      'UTC',
    ];
    const clock = () =>
      `${String(4 + Math.floor(random() * 20)).padStart(2, '0')}:${pick(['00', '15', '30', '45'])}`;
    const from = utc('2026-01-01T00:00');
    const to = utc('2027-01-01T00:00');
    for (let n = 0; n < 40; n++) {
      const layers = Array.from(
        { length: 1 + Math.floor(random() * 3) },
        (_, i): Layer => ({
          name: `l${i}`,
          start: `2025-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}T${clock()}`,
          shift: pick([hours(8), hours(12), days(1), days(2), weeks(1), weeks(2)]),
          participants: Array.from({ length: 1 + Math.floor(random() * 4) }, (_, p) => `u${p}`),
          restrictions:
            i > 0 && random() < 0.7
              ? [
                  {
                    days: pick([
                      ['mon', 'tue', 'wed', 'thu', 'fri'],
                      ['sat', 'sun'],
                      ['mon', 'thu'],
                    ] as const).slice(),
                    start: clock(),
                    end: clock(),
                  },
                ]
              : [],
        }),
      );
      const overrides = Array.from({ length: Math.floor(random() * 3) }, (): Override => {
        const start = from + Math.floor(random() * 360) * DAY + Math.floor(random() * 24) * HOUR;
        return { user: 'cover', start, end: start + (1 + Math.floor(random() * 48)) * HOUR };
      });
      const s = schedule(pick(zones), layers, overrides);
      const pieces = shifts(s, from, to);
      for (let i = 0; i < 100; i++) {
        const t = from + Math.floor(random() * (to - from));
        const expected = reference(s, t);
        expect({ n, t: iso(t), who: onCallAt(s, t)?.user }).toEqual({ n, t: iso(t), who: expected });
        expect(pieces.find((p) => p.start <= t && t < p.end)?.user).toBe(expected);
      }
    }
  });
});
