import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../slo/index.ts';
import {
  type DurationStats,
  incidentMetrics,
  isOffHours,
  type MetricsQuery,
  type PageRecord,
  type ShiftRecord,
} from './metrics.ts';
import type { Incident, IncidentState, Milestones, Severity } from './types.ts';

const utc = (iso: string) => Date.parse(`${iso}Z`);
const min = (n: number) => n * MINUTE_MS;

function incident(
  id: number,
  severity: Severity,
  services: string[],
  detected: string | undefined,
  offsets: { impact?: number; ack?: number; mitigated?: number; resolved?: number },
  state: IncidentState = 'resolved',
  createdAt?: string,
): Incident {
  const d = detected === undefined ? undefined : utc(detected);
  const milestones: Milestones = {};
  if (d !== undefined) {
    milestones.detectedAt = d;
    if (offsets.impact !== undefined) milestones.impactStartedAt = d + min(offsets.impact);
    if (offsets.ack !== undefined) milestones.acknowledgedAt = d + min(offsets.ack);
    if (offsets.mitigated !== undefined) milestones.mitigatedAt = d + min(offsets.mitigated);
    if (offsets.resolved !== undefined) milestones.resolvedAt = d + min(offsets.resolved);
  }
  const created = createdAt !== undefined ? utc(createdAt) : (d ?? 0);
  return {
    id,
    title: `incident ${id}`,
    state,
    severity,
    urgency: 'high',
    service: services[0],
    services,
    createdAt: created,
    updatedAt: created,
    milestones,
    roles: {},
    impact: {},
    tasks: [],
    publicUpdates: [],
  };
}

/** March 2026 (Berlin moves to summer time on the 29th). */
const INCIDENTS: Incident[] = [
  incident(1, 'SEV2', ['checkout'], '2026-03-10T10:00:00', {
    impact: -5,
    ack: 4,
    mitigated: 30,
    resolved: 60,
  }),
  // Impact start unknown: no time to detect; recovery measured from detection.
  incident(2, 'SEV3', ['checkout'], '2026-03-12T10:00:00', { ack: 10, mitigated: 20, resolved: 40 }),
  // No mitigation recorded: no recovery time.
  incident(3, 'SEV1', ['payments'], '2026-03-14T10:00:00', { impact: -15, ack: 2, resolved: 100 }),
  // Still open and unacknowledged.
  incident(4, 'SEV2', ['payments', 'checkout'], '2026-03-20T10:00:00', { impact: -1 }, 'triggered'),
  incident(5, 'SEV4', ['checkout'], '2026-03-21T10:00:00', { ack: 1 }, 'declined'),
  incident(6, 'SEV2', ['checkout'], '2026-03-22T10:00:00', { ack: 1, resolved: 5 }, 'merged'),
  // Detected in February: outside the period.
  incident(7, 'SEV2', ['checkout'], '2026-02-27T10:00:00', {
    impact: -5,
    ack: 4,
    mitigated: 30,
    resolved: 60,
  }),
  // Never detected: counted by its creation time, measured by nothing.
  incident(8, 'SEV4', ['search'], undefined, {}, 'investigating', '2026-03-25T10:00:00'),
];

const BASE_QUERY: MetricsQuery = {
  from: utc('2026-03-01T00:00:00'),
  to: utc('2026-04-01T00:00:00'),
  timeZone: 'UTC',
  scheduleTimeZones: { primary: 'Europe/Berlin' },
  userTimeZones: { bob: 'America/New_York' },
};

const stats = (values: number[], missing: number, p50: number, p90: number): DurationStats => ({
  count: values.length,
  missing,
  meanMs: min(values.reduce((a, b) => a + b, 0)) / values.length,
  p50Ms: min(p50),
  p90Ms: min(p90),
});

const NONE: DurationStats = { count: 0, missing: 0, meanMs: null, p50Ms: null, p90Ms: null };

describe('incidentMetrics: durations and counts', () => {
  it('measures every incident of the period, leaving out those missing a milestone', () => {
    const m = incidentMetrics(INCIDENTS, [], [], BASE_QUERY);
    expect(m.incidents).toBe(5);
    expect(m.bySeverity).toEqual({ SEV1: 1, SEV2: 2, SEV3: 1, SEV4: 1 });
    expect(m.mtta).toEqual(stats([4, 10, 2], 2, 4, 10));
    expect(m.mttd).toEqual(stats([5, 15, 1], 2, 5, 15));
    expect(m.mttrRecover).toEqual(stats([35, 20], 3, 20, 35));
    expect(m.mttrResolve).toEqual(stats([60, 40, 100], 2, 60, 100));
  });

  it('counts an incident affecting the service, whichever service routed it', () => {
    const m = incidentMetrics(INCIDENTS, [], [], { ...BASE_QUERY, service: 'checkout' });
    expect(m.incidents).toBe(3);
    expect(m.bySeverity).toEqual({ SEV1: 0, SEV2: 2, SEV3: 1, SEV4: 0 });
    expect(m.mtta).toEqual(stats([4, 10], 1, 4, 10));
  });

  it("counts a team's incidents through its services", () => {
    const m = incidentMetrics(INCIDENTS, [], [], {
      ...BASE_QUERY,
      team: 'money',
      servicesOfTeam: { money: ['payments'], web: ['checkout'] },
    });
    expect(m.incidents).toBe(2);
    expect(m.bySeverity).toEqual({ SEV1: 1, SEV2: 1, SEV3: 0, SEV4: 0 });
    expect(m.mttd).toEqual(stats([15, 1], 0, 1, 15));
  });

  it('finds no incident for a team with no services listed', () => {
    const m = incidentMetrics(INCIDENTS, [], [], { ...BASE_QUERY, team: 'ghost', servicesOfTeam: {} });
    expect(m.incidents).toBe(0);
    expect(m.mtta).toEqual(NONE);
  });

  it('includes an incident detected at the start of the period and excludes one detected at its end', () => {
    const atStart = incident(10, 'SEV3', ['x'], '2026-03-01T00:00:00', { ack: 1 });
    const atEnd = incident(11, 'SEV3', ['x'], '2026-04-01T00:00:00', { ack: 1 });
    expect(incidentMetrics([atStart, atEnd], [], [], BASE_QUERY).incidents).toBe(1);
  });

  it('ignores milestones out of order rather than counting a negative duration', () => {
    const broken = incident(12, 'SEV3', ['x'], '2026-03-05T00:00:00', { ack: -3, resolved: 10 });
    const m = incidentMetrics([broken], [], [], BASE_QUERY);
    expect(m.mtta).toEqual({ ...NONE, missing: 1 });
    expect(m.mttrResolve).toEqual(stats([10], 0, 10, 10));
  });

  it('takes nearest-rank percentiles, so each is a duration an incident had', () => {
    const many = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((ack, i) =>
      incident(20 + i, 'SEV3', ['x'], `2026-03-0${(i % 9) + 1}T00:00:00`, { ack }),
    );
    const m = incidentMetrics(many, [], [], BASE_QUERY);
    expect(m.mtta.p50Ms).toBe(min(5));
    expect(m.mtta.p90Ms).toBe(min(9));
    expect(m.mtta.meanMs).toBe(min(5.5));
  });
});

function shift(user: string, start: string, end: string, schedule = 'primary'): ShiftRecord {
  return { user, schedule, start: utc(start), end: utc(end) };
}

function page(incidentId: number, user: string, when: string, acknowledgedAfterMin?: number): PageRecord {
  const at = utc(when);
  const p: PageRecord = { incidentId, user, at, channel: 'webhook' };
  if (acknowledgedAfterMin !== undefined) p.acknowledgedAt = at + min(acknowledgedAfterMin);
  return p;
}

const SHIFTS: ShiftRecord[] = [
  shift('dave', '2026-02-16T08:00:00', '2026-02-23T08:00:00'),
  shift('alice', '2026-03-16T08:00:00', '2026-03-23T08:00:00'),
  shift('bob', '2026-03-23T08:00:00', '2026-03-30T07:00:00'),
  shift('carol', '2026-03-30T07:00:00', '2026-04-06T07:00:00'),
];

const PAGES: PageRecord[] = [
  // Tuesday 08:30 in Berlin (winter time): before work.
  page(1, 'alice', '2026-03-17T07:30:00', 3),
  // Tuesday 09:30 in Berlin.
  page(1, 'alice', '2026-03-17T08:30:00', 1),
  // Saturday.
  page(3, 'bob', '2026-03-28T12:00:00'),
  // Bob lives in New York: Wednesday 08:30 there (13:30 in Berlin).
  page(3, 'bob', '2026-03-25T12:30:00', 2),
  // Monday 09:30 in Berlin, now on summer time: the same UTC hour as alice's first page.
  page(5, 'carol', '2026-03-30T07:30:00', 4),
  // Monday 18:30 in Berlin (summer time); in winter it would be 17:30.
  page(4, 'carol', '2026-03-30T16:30:00'),
  // Nobody's shift: the query's zone (UTC) decides.
  page(1, 'erin', '2026-03-18T12:00:00'),
  page(2, 'frank', '2026-03-18T08:30:00'),
  // February: outside the period.
  page(7, 'dave', '2026-02-17T03:00:00'),
];

describe('incidentMetrics: pages per shift', () => {
  it('counts pages and off-hours pages per shift in the local time of the user, else of the schedule', () => {
    const m = incidentMetrics(INCIDENTS, PAGES, SHIFTS, BASE_QUERY);
    expect(m.pages.shifts.map((s) => [s.user, s.pages, s.offHoursPages, s.acknowledgedPages])).toEqual([
      ['alice', 2, 1, 2],
      ['bob', 2, 2, 1],
      ['carol', 2, 1, 1],
    ]);
    expect(m.pages.total).toBe(8);
    expect(m.pages.offHours).toBe(5);
    expect(m.pages.outsideShifts).toBe(2);
    expect(m.pages.perShift).toBe(2);
  });

  it('keeps the shift bounds and schedule of each row', () => {
    const [alice] = incidentMetrics(INCIDENTS, PAGES, SHIFTS, BASE_QUERY).pages.shifts;
    expect(alice).toMatchObject({
      user: 'alice',
      schedule: 'primary',
      start: utc('2026-03-16T08:00:00'),
      end: utc('2026-03-23T08:00:00'),
    });
  });

  it('counts the pages of every incident of the service, declined ones included', () => {
    const m = incidentMetrics(INCIDENTS, PAGES, SHIFTS, { ...BASE_QUERY, service: 'checkout' });
    expect(m.pages.total).toBe(6);
    expect(m.pages.shifts.map((s) => [s.user, s.pages])).toEqual([
      ['alice', 2],
      ['bob', 0],
      ['carol', 2],
    ]);
    expect(m.pages.perShift).toBe(4 / 3);
  });

  it('keeps only the shift rows of the given users (a team) and schedules (paging for a service)', () => {
    const shifts = [...SHIFTS, shift('alice', '2026-03-23T08:00:00', '2026-03-30T07:00:00', 'db')];
    const team = incidentMetrics(INCIDENTS, PAGES, shifts, {
      ...BASE_QUERY,
      shiftUsers: new Set(['alice', 'carol']),
    });
    expect(team.pages.shifts.map((s) => [s.user, s.schedule])).toEqual([
      ['alice', 'primary'],
      ['alice', 'db'],
      ['carol', 'primary'],
    ]);
    // Bob's pages had no row of the team: they count as outside shifts.
    expect(team.pages.outsideShifts).toBe(4);
    const service = incidentMetrics(INCIDENTS, PAGES, shifts, {
      ...BASE_QUERY,
      shiftSchedules: new Set(['db']),
    });
    expect(service.pages.shifts.map((s) => [s.user, s.schedule])).toEqual([['alice', 'db']]);
  });

  it('returns one page of shift rows, with totals over all of them', () => {
    const m = incidentMetrics(INCIDENTS, PAGES, SHIFTS, {
      ...BASE_QUERY,
      shiftPage: { offset: 1, limit: 1 },
    });
    expect(m.pages.shifts.map((s) => s.user)).toEqual(['bob']);
    expect(m.pages.shiftCount).toBe(3);
    expect(m.pages.perShift).toBe(2);
  });

  it('has no pages per shift without shifts', () => {
    const m = incidentMetrics(INCIDENTS, PAGES, [], BASE_QUERY);
    expect(m.pages.perShift).toBeNull();
    expect(m.pages.outsideShifts).toBe(8);
  });

  it('counts a page once when its user is on two schedules at the time, on the earlier shift', () => {
    const m = incidentMetrics(
      [],
      [page(1, 'alice', '2026-03-17T12:00:00')],
      [
        shift('alice', '2026-03-17T00:00:00', '2026-03-18T00:00:00', 'db'),
        shift('alice', '2026-03-16T08:00:00', '2026-03-23T08:00:00'),
      ],
      BASE_QUERY,
    );
    expect(m.pages.shifts.map((s) => [s.schedule, s.pages])).toEqual([
      ['primary', 1],
      ['db', 0],
    ]);
  });
});

describe('isOffHours', () => {
  it.each([
    ['Monday 09:00 sharp in Berlin is working time', '2026-03-16T08:00:00', 'Europe/Berlin', false],
    ['Monday 08:59 in Berlin is off-hours', '2026-03-16T07:59:00', 'Europe/Berlin', true],
    ['Friday 17:59 in Berlin is working time', '2026-03-20T16:59:00', 'Europe/Berlin', false],
    ['Friday 18:00 sharp in Berlin is off-hours', '2026-03-20T17:00:00', 'Europe/Berlin', true],
    ['Saturday noon is off-hours', '2026-03-21T11:00:00', 'Europe/Berlin', true],
    ['Sunday noon is off-hours', '2026-03-22T11:00:00', 'Europe/Berlin', true],
    [
      '07:30 UTC on the Monday before Berlin’s spring change is 08:30 local: off-hours',
      '2026-03-23T07:30:00',
      'Europe/Berlin',
      true,
    ],
    [
      '07:30 UTC on the Monday after Berlin’s spring change is 09:30 local: working time',
      '2026-03-30T07:30:00',
      'Europe/Berlin',
      false,
    ],
    [
      '16:30 UTC on the Monday before Berlin’s autumn change is 18:30 local: off-hours',
      '2026-10-19T16:30:00',
      'Europe/Berlin',
      true,
    ],
    [
      '16:30 UTC on the Monday after Berlin’s autumn change is 17:30 local: working time',
      '2026-10-26T16:30:00',
      'Europe/Berlin',
      false,
    ],
    [
      '13:30 UTC on the Monday before New York’s autumn change is 09:30 local: working time',
      '2026-10-26T13:30:00',
      'America/New_York',
      false,
    ],
    [
      '13:30 UTC on the Monday after New York’s autumn change is 08:30 local: off-hours',
      '2026-11-02T13:30:00',
      'America/New_York',
      true,
    ],
    ['late Friday UTC is already Saturday in Tokyo', '2026-03-20T16:00:00', 'Asia/Tokyo', true],
  ] as const)('%s', (_name, when, zone, expected) => {
    expect(isOffHours(utc(when), zone)).toBe(expected);
  });

  it('falls back to the given zone when the zone is unknown', () => {
    const mondayMorningUtc = utc('2026-03-16T08:30:00');
    expect(isOffHours(mondayMorningUtc, 'Nowhere/Atlantis', 'UTC')).toBe(true);
    expect(isOffHours(mondayMorningUtc, 'Nowhere/Atlantis', 'Europe/Berlin')).toBe(false);
  });
});
