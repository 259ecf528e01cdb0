/**
 * Checks as the API shows them: list rows, detail, and the facts the gate and
 * status pages are computed from. Secrets (client keys, header values that
 * may carry tokens) never leave the server.
 */
import {
  buildStatusPage,
  type CheckDefinition,
  type CheckResult,
  cadenceOf,
  decideGate,
  type GateDecision,
  policyFromBody,
  type StatusPage,
} from '../checks/index.ts';
import { ACTIVE_STATES, publicIncident } from '../incidents/index.ts';
import type { StoredCheckResult } from '../store/types.ts';
import type { ServerContext } from './context.ts';
import type { CheckSummary } from './schemas.ts';

const DAY_MS = 86_400_000;

/** Statuspage's impact words for an incident severity. */
const IMPACT: Record<string, string> = { SEV1: 'critical', SEV2: 'major', SEV3: 'minor', SEV4: 'minor' };

export function scheduleText(c: CheckDefinition): string {
  const s = c.schedule;
  if (c.spec.type === 'heartbeat') return `heartbeat every ${fmt(c.spec.periodMs)} + ${fmt(c.spec.graceMs)}`;
  if (s.kind === 'cron') return `cron ${s.expression} (${s.timeZone})`;
  return `every ${fmt(s.everyMs)}`;
}

/** What the check probes, for display. */
export function targetText(c: CheckDefinition): string {
  const s = c.spec;
  switch (s.type) {
    case 'http':
      return `${s.request.method} ${s.request.url}`;
    case 'multistep':
      return s.steps.map((st) => `${st.name}: ${st.request.method} ${st.request.url}`).join(' → ');
    case 'tcp':
      return `tcp ${s.host}:${s.port}`;
    case 'dns':
      return `${s.recordType} ${s.name}${s.resolver ? ` @${s.resolver}` : ''}`;
    case 'tls':
      return `tls ${s.host}:${s.port}`;
    case 'browser':
      return s.scriptFile ? `browser script ${s.scriptFile}` : 'browser script';
    case 'heartbeat':
      return 'pinged by the monitored job';
  }
}

function fmt(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export function todayStart(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS;
}

/** A check's recent uptime: daily shares (oldest first, null without runs) and the period's counts. */
export interface RecentUptime {
  daily: (number | null)[];
  fail: number;
  total: number;
}

/**
 * Uptime per check over the last `days` UTC days, from one read of the daily
 * counts (of one check, or all when `check` is undefined).
 */
export async function recentUptime(
  ctx: ServerContext,
  days: number,
  check?: string,
): Promise<Map<string, RecentUptime>> {
  const today = todayStart(ctx.now());
  const from = today - (days - 1) * DAY_MS;
  const rows = await ctx.store.listCheckDaily({
    ...(check !== undefined ? { check } : {}),
    fromDay: from,
    toDay: today + DAY_MS,
  });
  const out = new Map<string, RecentUptime>();
  for (const r of rows) {
    let u = out.get(r.check);
    if (!u) {
      u = { daily: new Array<number | null>(days).fill(null), fail: 0, total: 0 };
      out.set(r.check, u);
    }
    const total = r.pass + r.degraded + r.fail;
    u.daily[Math.round((r.day - from) / DAY_MS)] = total > 0 ? (total - r.fail) / total : null;
    u.fail += r.fail;
    u.total += total;
  }
  return out;
}

export function toSummary(
  ctx: ServerContext,
  c: CheckDefinition,
  uptime: RecentUptime | undefined,
): CheckSummary {
  const health = ctx.checks.health(c.name);
  const latest = ctx.checks.latest(c.name);
  const row: CheckSummary = {
    name: c.name,
    service: c.service,
    type: c.spec.type,
    tags: c.tags,
    enabled: c.enabled,
    schedule: scheduleText(c),
    health: health
      ? {
          state: health.state,
          consecutiveFailures: health.consecutiveFailures,
          consecutivePasses: health.consecutivePasses,
          since: health.since,
          lastResultAt: health.lastResultAt,
        }
      : null,
    latest: latest ?? null,
    uptime30d: uptime && uptime.total > 0 ? (uptime.total - uptime.fail) / uptime.total : null,
    daily: uptime?.daily ?? new Array<number | null>(30).fill(null),
  };
  if (c.displayName !== undefined) row.displayName = c.displayName;
  return row;
}

/** The deploy gate for one service, from the live checks, SLO statuses and stored policies. */
export async function gateFor(ctx: ServerContext, service: string): Promise<GateDecision> {
  const policies = (await ctx.store.listDocuments('ErrorBudgetPolicy'))
    .map((d) => policyFromBody(d.body))
    .filter((p) => p !== undefined && p.service === service) as NonNullable<
    ReturnType<typeof policyFromBody>
  >[];
  const checks = ctx.checks.checks
    .filter((c) => c.service === service)
    .map((c) => {
      const latest = ctx.checks.latest(c.name);
      const state = ctx.checks.health(c.name)?.state;
      return {
        name: c.name,
        enabled: c.enabled,
        cadence: cadenceOf(c),
        ...(state ? { state } : {}),
        ...(latest ? { latest: latestFacts(latest) } : {}),
      };
    });
  const slos = ctx.runtime.definitions
    .filter((d) => d.service === service)
    .map((d) => ({
      name: d.name,
      budgetRemaining: ctx.runtime.status(d.name)?.budget.remainingRatio ?? null,
    }));
  return decideGate({ service, now: ctx.now(), checks, slos, policies });
}

function latestFacts(r: CheckResult): { status: CheckResult['status']; reason?: string; startedAt: number } {
  return r.reason === undefined
    ? { status: r.status, startedAt: r.startedAt }
    : { status: r.status, reason: r.reason, startedAt: r.startedAt };
}

/** The status page of a service, or of a team (services labelled `team: NAME`); undefined when neither exists. */
export async function statusPageFor(
  ctx: ServerContext,
  name: string,
  days = 90,
): Promise<StatusPage | undefined> {
  const services = await ctx.store.listServices();
  const service = services.find((s) => s.name === name);
  const team = services.filter((s) => s.labels.team === name);
  const members = service ? [service] : team;
  if (members.length === 0) return undefined;
  const names = new Set(members.map((s) => s.name));
  const now = ctx.now();
  const today = todayStart(now);
  const checks = ctx.checks.checks.filter((c) => names.has(c.service));
  const daily = await ctx.store.listCheckDaily({
    fromDay: today - (days - 1) * DAY_MS,
    toDay: today + DAY_MS,
  });
  // An incident is public only once someone posted a public update, under that update's own title:
  // the incident's title and timeline are internal.
  const open = await ctx.store.listIncidents({ states: [...ACTIVE_STATES], limit: 500 });
  // Read-only use of the incidents side's windows: active now, of these services.
  const windows = await ctx.store.listMaintenance({ from: now, to: now + 1 });
  const maintenance = windows
    .filter((w) => names.has(w.service))
    .map((w) => ({ service: w.service, end: w.end }));
  const incidents = open
    .filter((i) => i.services.some((s) => names.has(s)))
    .flatMap((i) => {
      const p = publicIncident(i);
      if (!p) return [];
      return [
        {
          name: p.title,
          status: p.state,
          impact: IMPACT[p.severity] ?? 'minor',
          updatedAt: p.updatedAt,
          notes: p.updates,
        },
      ];
    });
  return buildStatusPage({
    incidents,
    maintenance,
    kind: service ? 'service' : 'team',
    name,
    now,
    days,
    services: members.map((s) => ({
      name: s.name,
      ...(s.displayName !== undefined ? { displayName: s.displayName } : {}),
      ...(s.description !== undefined ? { description: s.description } : {}),
    })),
    checks: checks.map((c) => {
      const latest: StoredCheckResult | undefined = ctx.checks.latest(c.name);
      const state = ctx.checks.health(c.name)?.state;
      return {
        name: c.name,
        service: c.service,
        enabled: c.enabled,
        ...(c.displayName !== undefined ? { displayName: c.displayName } : {}),
        ...(state ? { state } : {}),
        ...(latest ? { latest: { status: latest.status, startedAt: latest.startedAt } } : {}),
      };
    }),
    slos: ctx.runtime.definitions
      .filter((d) => names.has(d.service))
      .map((d) => ({
        name: d.name,
        service: d.service,
        ...(d.displayName !== undefined ? { displayName: d.displayName } : {}),
        firing: (ctx.runtime.status(d.name)?.alerts ?? [])
          .filter((a) => a.state === 'firing')
          .map((a) => a.severity),
      })),
    daily: daily.filter((d) => checks.some((c) => c.name === d.check)),
  });
}
