/**
 * Pure shaping of synthetic-check API data for the checks pages: states and
 * their tones, uptime bars, phase-timing chart columns, and merging live
 * results into cached lists. No React, no uPlot, no fetch, so it is tested on
 * its own.
 */
import type { z } from 'zod';
import type {
  CheckDailySchema,
  CheckHealthSchema,
  CheckResultItem,
  CheckSummary,
} from '../../src/server/schemas.ts';

/** `check-result` SSE payload's health part and the `/uptime` rows, inferred from the server's schemas. */
export type CheckHealth = z.infer<typeof CheckHealthSchema>;
export type CheckDaily = z.infer<typeof CheckDailySchema>;
export type CheckStatus = CheckResultItem['status'];

const DAY_MS = 86_400_000;
const DASH = '—';

// ── states ────────────────────────────────────────────────────────────────

/** Visual tone of a check, used as a CSS modifier (`dot-fail`, ...). */
export type CheckTone = 'ok' | 'degraded' | 'fail' | 'paused' | 'nodata';

/** What the status dot of a check shows. */
export interface CheckState {
  tone: CheckTone;
  label: string;
  /** The check is failing (past its failAfter threshold, so it alerts): the list shows it loudly. */
  alarm: boolean;
}

/**
 * The state of a check for its status dot. A paused check is paused whatever
 * its last result; a failing check (health past failAfter) is failing even
 * while a first passing result is not yet enough to recover; otherwise the
 * latest result decides.
 */
export function checkState(c: Pick<CheckSummary, 'enabled' | 'health' | 'latest'>): CheckState {
  if (!c.enabled) return { tone: 'paused', label: 'paused', alarm: false };
  if (c.health?.state === 'failing') return { tone: 'fail', label: 'failing', alarm: true };
  switch (c.latest?.status) {
    case undefined:
      return { tone: 'nodata', label: 'no data', alarm: false };
    case 'pass':
      return { tone: 'ok', label: 'passing', alarm: false };
    case 'degraded':
      return { tone: 'degraded', label: 'degraded', alarm: false };
    case 'fail':
      // Failed, but fewer times in a row than failAfter: not alerting yet.
      return { tone: 'fail', label: 'failed', alarm: false };
  }
}

/** Tone of one result, as the badge classes shared with alert states name them. */
export function resultTone(status: CheckStatus): 'ok' | 'ticket' | 'page' {
  if (status === 'pass') return 'ok';
  if (status === 'degraded') return 'ticket';
  return 'page';
}

/**
 * One line on why a result did not pass: the server's reason, else the error,
 * else the first failing condition as evaluated. Undefined for a pass.
 */
export function resultReason(
  r: Pick<CheckResultItem, 'status' | 'reason' | 'error' | 'conditions'>,
): string | undefined {
  if (r.status === 'pass') return undefined;
  if (r.reason) return r.reason;
  if (r.error) return `${r.error.kind}: ${r.error.message}`;
  return r.conditions.find((c) => !c.ok)?.shown;
}

// ── uptime ────────────────────────────────────────────────────────────────

/** Colour bucket of a day's uptime: `none` for a day without runs. */
export type UptimeLevel = 'none' | 'full' | 'high' | 'mid' | 'low';

/** Buckets a day's uptime: all runs up, ≥ 99 %, ≥ 95 %, or worse. */
export function uptimeLevel(ratio: number | null): UptimeLevel {
  if (ratio === null || !Number.isFinite(ratio)) return 'none';
  if (ratio >= 1) return 'full';
  if (ratio >= 0.99) return 'high';
  if (ratio >= 0.95) return 'mid';
  return 'low';
}

/**
 * An uptime ratio as a percentage, rounded down so that a day with one
 * failure in 10,000 runs never reads as 100 %.
 * @example formatUptime(0.99996) // '99.99%'; formatUptime(1) // '100%'
 */
export function formatUptime(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return DASH;
  if (ratio >= 1) return '100%';
  // The epsilon keeps float noise (0.9995 * 1e4 = 9994.999…) from dropping a digit.
  return `${(Math.floor(ratio * 10_000 + 1e-6) / 100).toFixed(2)}%`;
}

/** A UTC day as `YYYY-MM-DD` (the server counts days in UTC). */
export function utcDate(dayMs: number): string {
  return new Date(dayMs).toISOString().slice(0, 10);
}

/** One bar of an uptime strip. */
export interface UptimeBar {
  /** UTC midnight, epoch ms. */
  day: number;
  ratio: number | null;
  level: UptimeLevel;
  /** Tooltip: the date and the uptime (and the counts when known). */
  title: string;
}

function barTitle(day: number, ratio: number | null, counts?: Omit<CheckDaily, 'day'>): string {
  if (ratio === null) return `${utcDate(day)}: no runs`;
  const tail = counts ? ` (${counts.pass} pass, ${counts.degraded} degraded, ${counts.fail} fail)` : '';
  return `${utcDate(day)}: ${formatUptime(ratio)}${tail}`;
}

/**
 * Bars of a summary's `daily` list (oldest first, the last entry today in UTC).
 * The list carries no dates, so they are counted back from `now`.
 */
export function dailyBars(daily: (number | null)[], now: number): UptimeBar[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return daily.map((ratio, i) => {
    const day = today - (daily.length - 1 - i) * DAY_MS;
    return { day, ratio, level: uptimeLevel(ratio), title: barTitle(day, ratio) };
  });
}

/** Uptime of daily counts: share of runs that did not fail (degraded counts as up), null without runs. */
export function uptimeOf(rows: Omit<CheckDaily, 'day'>[]): number | null {
  let total = 0;
  let fail = 0;
  for (const r of rows) {
    total += r.pass + r.degraded + r.fail;
    fail += r.fail;
  }
  return total > 0 ? (total - fail) / total : null;
}

/**
 * Bars for `days` days ending today (UTC) from the `/uptime` rows, which only
 * list days that had runs; missing days become empty bars.
 */
export function uptimeBars(rows: CheckDaily[], days: number, now: number): UptimeBar[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return Array.from({ length: days }, (_, i) => {
    const day = today - (days - 1 - i) * DAY_MS;
    const row = byDay.get(day);
    const ratio = row ? uptimeOf([row]) : null;
    return { day, ratio, level: uptimeLevel(ratio), title: barTitle(day, ratio, row) };
  });
}

// ── phase timings ─────────────────────────────────────────────────────────

/** The phases of an execution in the order they happen (blackbox_exporter's names). */
export const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;
export type Phase = (typeof PHASES)[number];

/** Columns of the phase-timing chart, oldest result first. */
export interface PhaseColumns {
  /** `startedAt` of each result. */
  times: number[];
  /** Status of each result. */
  statuses: CheckStatus[];
  /** Phases any result measured, in execution order; `values` are each result's own ms (null: not measured). */
  phases: { phase: Phase; values: (number | null)[] }[];
  /** Running sums over `phases` (a missing phase adds 0): the top edge of each stacked band. */
  stacked: number[][];
  /** Whole duration of each result (all attempts and steps), for the total line. */
  total: number[];
}

/**
 * Turns results (newest first, as the API lists them) into stacked chart
 * columns, oldest first. Phases no result measured (TLS on plain HTTP, say)
 * are left out rather than drawn as empty bands.
 */
export function phaseColumns(results: CheckResultItem[]): PhaseColumns {
  const ordered = [...results].sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
  const phases = PHASES.filter((p) => ordered.some((r) => r.phases[p] !== undefined)).map((phase) => ({
    phase,
    values: ordered.map((r) => r.phases[phase] ?? null),
  }));
  const stacked: number[][] = [];
  let below = ordered.map(() => 0);
  for (const p of phases) {
    below = below.map((sum, i) => sum + (p.values[i] ?? 0));
    stacked.push(below);
  }
  return {
    times: ordered.map((r) => r.startedAt),
    statuses: ordered.map((r) => r.status),
    phases,
    stacked,
    total: ordered.map((r) => r.durationMs),
  };
}

/**
 * Axis label of a result's start time: `HH:MM` while the results fit in one
 * day, `MM-DD HH:MM` when they span more (local time, as the tables show it).
 */
export function timeTick(t: number, spanMs: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return spanMs > DAY_MS ? `${p(d.getMonth() + 1)}-${p(d.getDate())} ${hm}` : hm;
}

// ── time ──────────────────────────────────────────────────────────────────

/**
 * How long ago `then` was, in its largest unit.
 * @example formatAgo(now - 90_000, now) // '1m ago'
 */
export function formatAgo(then: number, now: number): string {
  const ms = now - then;
  // A result stamped a moment ahead of this clock (skew) is simply new.
  if (ms < 1_000) return 'just now';
  if (ms < 60_000) return `${Math.floor(ms / 1_000)}s ago`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m ago`;
  if (ms < DAY_MS) return `${Math.floor(ms / 3_600_000)}h ago`;
  return `${Math.floor(ms / DAY_MS)}d ago`;
}

// ── lists ─────────────────────────────────────────────────────────────────

/** Checks grouped by service, services in order of first appearance (the server's spec order). */
export function groupByService<T extends { service: string }>(
  checks: T[],
): { service: string; checks: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const c of checks) {
    const list = groups.get(c.service);
    if (list) list.push(c);
    else groups.set(c.service, [c]);
  }
  return [...groups].map(([service, list]) => ({ service, checks: list }));
}

/** Counts of checks by tone, for the tiles above the list. */
export function countByTone(checks: Pick<CheckSummary, 'enabled' | 'health' | 'latest'>[]) {
  const counts: Record<CheckTone, number> = { ok: 0, degraded: 0, fail: 0, paused: 0, nodata: 0 };
  for (const c of checks) counts[checkState(c).tone]++;
  return counts;
}

/**
 * Applies a live `check-result` to a check's summary (a list row or the
 * detail, which extends it): the newer result becomes `latest` and the health
 * is replaced. An older result (an event overtaken by a refetch) changes nothing.
 */
export function withResult<T extends Pick<CheckSummary, 'name' | 'latest' | 'health'>>(
  check: T,
  result: CheckResultItem,
  health: CheckHealth,
): T {
  if (check.name !== result.check) return check;
  // Ids grow in the order results are stored, which is the order the server calls one "latest".
  if (check.latest && check.latest.id >= result.id) return check;
  return { ...check, latest: result, health };
}

/** {@link withResult} over a list; the same array back when no row changed (no re-render). */
export function mergeResultIntoList<T extends Pick<CheckSummary, 'name' | 'latest' | 'health'>>(
  list: T[],
  result: CheckResultItem,
  health: CheckHealth,
): T[] {
  let changed = false;
  const next = list.map((c) => {
    const updated = withResult(c, result, health);
    if (updated !== c) changed = true;
    return updated;
  });
  return changed ? next : list;
}

/**
 * Adds a result to a newest-first result list: once (by id), in order of
 * start time, keeping at most `limit` rows.
 */
export function addResult(
  results: CheckResultItem[],
  result: CheckResultItem,
  limit: number,
): CheckResultItem[] {
  if (results.some((r) => r.id === result.id)) return results;
  return [...results, result].sort((a, b) => b.startedAt - a.startedAt || b.id - a.id).slice(0, limit);
}
