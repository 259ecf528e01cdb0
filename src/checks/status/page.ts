/**
 * Status pages: what the public sees of a service (or of a team's services),
 * in Atlassian Statuspage's vocabulary so existing consumers understand it.
 * Pure: the server gathers the facts, this derives the page.
 *
 * Component status:
 * - anything of a service in an active maintenance window → under_maintenance
 *   (its checks are expected to fail then: that is not an outage to report);
 * - a check: paused → under_maintenance; failing (past its failure threshold)
 *   → major_outage; a failed latest run not yet past the threshold →
 *   partial_outage; degraded → degraded_performance; else operational;
 * - an SLO: a firing page-severity burn-rate alert → partial_outage, any other
 *   firing alert → degraded_performance; else operational (no data included);
 * - a service (on a team page): the worst of its checks and SLOs.
 */
import type { CheckStatus } from '../types.ts';

export type ComponentStatus =
  | 'operational'
  | 'degraded_performance'
  | 'partial_outage'
  | 'major_outage'
  | 'under_maintenance';

const SEVERITY: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

/** The worse of component statuses (maintenance ranks just above operational). */
export function worst(statuses: ComponentStatus[]): ComponentStatus {
  return statuses.reduce<ComponentStatus>((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), 'operational');
}

export interface CheckFacts {
  name: string;
  displayName?: string;
  service: string;
  enabled: boolean;
  state?: 'passing' | 'failing';
  latest?: { status: CheckStatus; startedAt: number };
}

export interface SloFacts {
  name: string;
  displayName?: string;
  service: string;
  /** Severities of alerts firing now. */
  firing: string[];
}

export interface DailyCounts {
  check: string;
  /** UTC midnight, epoch ms. */
  day: number;
  pass: number;
  degraded: number;
  fail: number;
}

export interface ServiceFacts {
  name: string;
  displayName?: string;
  description?: string;
}

export interface PageFacts {
  kind: 'service' | 'team';
  name: string;
  services: ServiceFacts[];
  checks: CheckFacts[];
  slos: SloFacts[];
  daily: DailyCounts[];
  now: number;
  days: number;
  incidents?: StatusIncident[];
  /** Maintenance windows active now (the incidents side keeps them). */
  maintenance?: MaintenanceFacts[];
}

export interface MaintenanceFacts {
  service: string;
  /** Epoch ms. */
  end: number;
}

/** An open incident's public note (filled by the incidents module). */
export interface StatusIncident {
  name: string;
  status: string;
  impact: string;
  updatedAt: number;
  notes: { at: number; body: string }[];
}

export interface UptimeDay {
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** Share of runs that did not fail; null without runs. */
  uptime: number | null;
  fail: number;
  total: number;
}

export interface StatusComponent {
  name: string;
  displayName: string;
  kind: 'check' | 'slo' | 'service';
  status: ComponentStatus;
  description?: string;
  /** While its service is in a maintenance window: when the window ends (epoch ms). */
  maintenanceUntil?: number;
  uptime: { days: UptimeDay[]; ratio: number | null };
}

export interface StatusPage {
  page: { kind: 'service' | 'team'; name: string; updatedAt: number };
  status: { indicator: 'none' | 'minor' | 'major' | 'critical' | 'maintenance'; description: string };
  components: StatusComponent[];
  incidents: StatusIncident[];
}

const DAY_MS = 86_400_000;

export function checkStatus(c: CheckFacts): ComponentStatus {
  if (!c.enabled) return 'under_maintenance';
  if (c.state === 'failing') return 'major_outage';
  if (c.latest?.status === 'fail') return 'partial_outage';
  if (c.latest?.status === 'degraded') return 'degraded_performance';
  return 'operational';
}

export function sloStatus(s: SloFacts): ComponentStatus {
  if (s.firing.includes('page')) return 'partial_outage';
  return s.firing.length > 0 ? 'degraded_performance' : 'operational';
}

/** The last `days` UTC days up to and including today's, oldest first, for the given checks. */
export function uptimeDays(
  daily: DailyCounts[],
  checks: ReadonlySet<string>,
  now: number,
  days: number,
): UptimeDay[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const byDay = new Map<number, { fail: number; total: number }>();
  for (const d of daily) {
    if (!checks.has(d.check)) continue;
    const agg = byDay.get(d.day) ?? { fail: 0, total: 0 };
    agg.fail += d.fail;
    agg.total += d.pass + d.degraded + d.fail;
    byDay.set(d.day, agg);
  }
  const out: UptimeDay[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const day = today - i * DAY_MS;
    const agg = byDay.get(day);
    out.push({
      date: new Date(day).toISOString().slice(0, 10),
      uptime: agg && agg.total > 0 ? (agg.total - agg.fail) / agg.total : null,
      fail: agg?.fail ?? 0,
      total: agg?.total ?? 0,
    });
  }
  return out;
}

function ratioOf(days: UptimeDay[]): number | null {
  const total = days.reduce((n, d) => n + d.total, 0);
  if (total === 0) return null;
  return (total - days.reduce((n, d) => n + d.fail, 0)) / total;
}

const INDICATOR: Record<ComponentStatus, StatusPage['status']> = {
  operational: { indicator: 'none', description: 'All Systems Operational' },
  under_maintenance: { indicator: 'maintenance', description: 'Service Under Maintenance' },
  degraded_performance: { indicator: 'minor', description: 'Degraded Performance' },
  partial_outage: { indicator: 'major', description: 'Partial System Outage' },
  major_outage: { indicator: 'critical', description: 'Major System Outage' },
};

/** The latest end of the windows active at `f.now`, by service (overlapping windows: the service is back after the last). */
function maintenanceEnds(f: PageFacts): Map<string, number> {
  const out = new Map<string, number>();
  for (const w of f.maintenance ?? []) {
    if (w.end <= f.now) continue;
    out.set(w.service, Math.max(out.get(w.service) ?? 0, w.end));
  }
  return out;
}

/** Builds the page: one component per check and SLO (service page) or per service (team page). */
export function buildStatusPage(f: PageFacts): StatusPage {
  const components: StatusComponent[] = [];
  const uptime = (checks: string[]) => {
    const days = uptimeDays(f.daily, new Set(checks), f.now, f.days);
    return { days, ratio: ratioOf(days) };
  };
  const until = maintenanceEnds(f);
  /** The component as `status` says, unless its service is in maintenance. */
  const add = (service: string, c: StatusComponent) => {
    const end = until.get(service);
    components.push(end === undefined ? c : { ...c, status: 'under_maintenance', maintenanceUntil: end });
  };
  if (f.kind === 'service') {
    for (const c of f.checks) {
      add(c.service, {
        name: c.name,
        displayName: c.displayName ?? c.name,
        kind: 'check',
        status: checkStatus(c),
        uptime: uptime([c.name]),
      });
    }
    for (const s of f.slos) {
      add(s.service, {
        name: s.name,
        displayName: s.displayName ?? s.name,
        kind: 'slo',
        status: sloStatus(s),
        uptime: { days: [], ratio: null },
      });
    }
  } else {
    for (const svc of f.services) {
      const checks = f.checks.filter((c) => c.service === svc.name);
      const slos = f.slos.filter((s) => s.service === svc.name);
      const component: StatusComponent = {
        name: svc.name,
        displayName: svc.displayName ?? svc.name,
        kind: 'service',
        status: worst([...checks.map(checkStatus), ...slos.map(sloStatus)]),
        uptime: uptime(checks.map((c) => c.name)),
      };
      if (svc.description !== undefined) component.description = svc.description;
      add(svc.name, component);
    }
  }
  const overall = worst(components.map((c) => c.status));
  return {
    page: { kind: f.kind, name: f.name, updatedAt: f.now },
    status: INDICATOR[overall],
    components,
    incidents: f.incidents ?? [],
  };
}
