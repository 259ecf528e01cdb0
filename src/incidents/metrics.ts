/**
 * Incident metrics over a period, for a service or a team: how fast incidents
 * are detected, acknowledged, recovered from and resolved, how many there were
 * by severity, and the paging load on each on-call shift (with the pages that
 * came outside working hours, the ones that cost sleep). Pure: the caller
 * loads incidents, pages and shifts.
 */
import { DateTime } from 'luxon';
import { type Incident, type Milestones, SEVERITIES, type Severity } from './types.ts';

/** One on-call shift (what the on-call module's `shifts()` returns, in the terms metrics need). */
export interface ShiftRecord {
  user: string;
  schedule: string;
  /** Epoch ms, [start, end). */
  start: number;
  end: number;
}

/** One page sent to one person for one incident. */
export interface PageRecord {
  incidentId: number;
  user: string;
  /** Epoch ms the page was sent. */
  at: number;
  /** The contact method kind it went through (`webhook`, `email`, `slack`). */
  channel: string;
  acknowledgedAt?: number;
}

export interface MetricsQuery {
  /** Period, epoch ms [from, to): incidents by detection time (creation when undetected), pages by send time. */
  from: number;
  to: number;
  /** Only incidents affecting this service (its routing service or any affected one). */
  service?: string;
  /** Only incidents affecting one of this team's services (`servicesOfTeam[team]`; none listed: no incidents). */
  team?: string;
  servicesOfTeam?: Record<string, readonly string[]>;
  /** Zone for off-hours when neither the user's nor the shift's schedule zone is known. */
  timeZone: string;
  /** Users' own zones (User.timeZone): off-hours are theirs first. */
  userTimeZones?: Record<string, string>;
  /** Schedules' zones (Schedule.timeZone): off-hours of the shift, for users with no zone. */
  scheduleTimeZones?: Record<string, string>;
  /**
   * Which shifts are rows of the answer when a service or team is asked for:
   * shifts of these users (a team's members) and/or of these schedules (the
   * ones paging for the service). Undefined: every shift given.
   */
  shiftUsers?: ReadonlySet<string>;
  shiftSchedules?: ReadonlySet<string>;
  /** The page of shift rows to return (totals always cover every row). Default: all. */
  shiftPage?: { offset: number; limit: number };
}

/** A duration metric over the incidents that have both milestones. */
export interface DurationStats {
  /** Incidents measured. */
  count: number;
  /** Incidents left out for lacking a milestone (or with them out of order). */
  missing: number;
  /** null when nothing was measured. */
  meanMs: number | null;
  /** Nearest-rank percentiles: always a duration some incident actually had. */
  p50Ms: number | null;
  p90Ms: number | null;
}

export interface ShiftPages {
  user: string;
  schedule: string;
  start: number;
  end: number;
  pages: number;
  /** Pages outside 09:00–18:00 on weekdays, local to the user (or the schedule). */
  offHoursPages: number;
  acknowledgedPages: number;
}

export interface IncidentMetrics {
  from: number;
  to: number;
  /** Incidents counted (declined and merged ones are not incidents of their own). */
  incidents: number;
  bySeverity: Record<Severity, number>;
  /** Time to acknowledge: acknowledged − detected. */
  mtta: DurationStats;
  /** Time to detect: detected − impact started. */
  mttd: DurationStats;
  /** Time to recover: mitigated − impact started (detected when the impact start is unknown). */
  mttrRecover: DurationStats;
  /** Time to resolve: resolved − detected. */
  mttrResolve: DurationStats;
  pages: {
    total: number;
    offHours: number;
    /** Pages to someone who had no shift in `shifts` at the time (direct pages, escalations to managers). */
    outsideShifts: number;
    /** Mean pages per shift in the period (shifts without pages count); null without shifts. */
    perShift: number | null;
    /** Shift rows overlapping the period (of the team/service when asked), by start: `shiftPage` of them. */
    shifts: ShiftPages[];
    /** Every shift row, before paging them. */
    shiftCount: number;
  };
}

/**
 * Computes the metrics of the incidents, pages and on-call shifts given, over
 * `query`'s period and service/team. An incident missing a milestone a metric
 * needs is left out of that metric only (and counted as `missing`). Pages of
 * every incident of the service/team count, declined ones included: they
 * woke someone all the same.
 */
export function incidentMetrics(
  incidents: readonly Incident[],
  pages: readonly PageRecord[],
  shifts: readonly ShiftRecord[],
  query: MetricsQuery,
): IncidentMetrics {
  const ofScope = scopeFilter(query);
  const scoped = incidents.filter(ofScope);
  const counted = scoped.filter((i) => {
    if (i.state === 'declined' || i.state === 'merged') return false;
    const at = i.milestones.detectedAt ?? i.createdAt;
    return at >= query.from && at < query.to;
  });
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const i of counted) bySeverity[i.severity]++;

  const filtered = query.service !== undefined || query.team !== undefined;
  const scopedIds = new Set(scoped.map((i) => i.id));
  const periodPages = pages.filter(
    (p) => p.at >= query.from && p.at < query.to && (!filtered || scopedIds.has(p.incidentId)),
  );

  return {
    from: query.from,
    to: query.to,
    incidents: counted.length,
    bySeverity,
    mtta: durationStats(counted, (m) => span(m.detectedAt, m.acknowledgedAt)),
    mttd: durationStats(counted, (m) => span(m.impactStartedAt, m.detectedAt)),
    mttrRecover: durationStats(counted, (m) => span(m.impactStartedAt ?? m.detectedAt, m.mitigatedAt)),
    mttrResolve: durationStats(counted, (m) => span(m.detectedAt, m.resolvedAt)),
    pages: pageLoad(periodPages, shifts, query),
  };
}

function scopeFilter(query: MetricsQuery): (i: Incident) => boolean {
  const affects = (i: Incident, service: string) => i.service === service || i.services.includes(service);
  const teamServices = query.team !== undefined ? (query.servicesOfTeam?.[query.team] ?? []) : undefined;
  return (i) =>
    (query.service === undefined || affects(i, query.service)) &&
    (teamServices === undefined || teamServices.some((s) => affects(i, s)));
}

/** end − start, or undefined when either is unknown or they are out of order (bad data, not a fast fix). */
function span(start: number | undefined, end: number | undefined): number | undefined {
  if (start === undefined || end === undefined || end < start) return undefined;
  return end - start;
}

function durationStats(
  incidents: readonly Incident[],
  measure: (m: Milestones) => number | undefined,
): DurationStats {
  const values: number[] = [];
  for (const i of incidents) {
    const v = measure(i.milestones);
    if (v !== undefined) values.push(v);
  }
  values.sort((a, b) => a - b);
  const count = values.length;
  return {
    count,
    missing: incidents.length - count,
    meanMs: count === 0 ? null : values.reduce((a, b) => a + b, 0) / count,
    p50Ms: nearestRank(values, 0.5),
    p90Ms: nearestRank(values, 0.9),
  };
}

/** The smallest value with at least `p` of the values at or below it. */
function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function pageLoad(
  pages: readonly PageRecord[],
  shifts: readonly ShiftRecord[],
  query: MetricsQuery,
): IncidentMetrics['pages'] {
  const inPeriod = shifts
    .filter(
      (s) =>
        s.start < query.to &&
        s.end > query.from &&
        (query.shiftUsers === undefined || query.shiftUsers.has(s.user)) &&
        (query.shiftSchedules === undefined || query.shiftSchedules.has(s.schedule)),
    )
    .sort(
      (a, b) => a.start - b.start || a.schedule.localeCompare(b.schedule) || a.user.localeCompare(b.user),
    );
  const rows: ShiftPages[] = inPeriod.map((s) => ({
    user: s.user,
    schedule: s.schedule,
    start: s.start,
    end: s.end,
    pages: 0,
    offHoursPages: 0,
    acknowledgedPages: 0,
  }));
  let offHours = 0;
  let outsideShifts = 0;
  for (const page of pages) {
    // A user on two schedules at once gets each page counted once, on the earlier shift.
    const row = rows.find((r) => r.user === page.user && r.start <= page.at && page.at < r.end);
    const zone =
      query.userTimeZones?.[page.user] ??
      (row ? query.scheduleTimeZones?.[row.schedule] : undefined) ??
      query.timeZone;
    const off = isOffHours(page.at, zone, query.timeZone);
    if (off) offHours++;
    if (!row) {
      outsideShifts++;
      continue;
    }
    row.pages++;
    if (off) row.offHoursPages++;
    if (page.acknowledgedAt !== undefined) row.acknowledgedPages++;
  }
  return {
    total: pages.length,
    offHours,
    outsideShifts,
    perShift: rows.length === 0 ? null : rows.reduce((sum, r) => sum + r.pages, 0) / rows.length,
    shifts: query.shiftPage
      ? rows.slice(query.shiftPage.offset, query.shiftPage.offset + query.shiftPage.limit)
      : rows,
    shiftCount: rows.length,
  };
}

/** Working hours: 09:00 ≤ local time < 18:00, Monday to Friday. */
const WORK_START_HOUR = 9;
const WORK_END_HOUR = 18;

/**
 * Whether an instant falls outside working hours in `zone` (local wall time,
 * so DST shifts the UTC hours that count). An unknown zone falls back to
 * `fallbackZone`, then UTC.
 */
export function isOffHours(at: number, zone: string, fallbackZone = 'UTC'): boolean {
  let local = DateTime.fromMillis(at, { zone });
  if (!local.isValid) local = DateTime.fromMillis(at, { zone: fallbackZone });
  if (!local.isValid) local = DateTime.fromMillis(at, { zone: 'UTC' });
  const weekday = local.weekday <= 5;
  return !(weekday && local.hour >= WORK_START_HOUR && local.hour < WORK_END_HOUR);
}
