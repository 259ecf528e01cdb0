/**
 * Paging in the database: the pages sent (or tried) about incidents, with
 * their acknowledgements, and maintenance windows of services.
 */
import { and, asc, desc, eq, gt, gte, isNull, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from './db.ts';
import { isSerial, present } from './rows.ts';
import { maintenanceWindows, pages } from './schema.ts';
import type { MaintenanceRow, PageRow } from './types.ts';

// ── pages ─────────────────────────────────────────────────────────────────

/** Records one page; the database refuses one for an incident that does not exist. */
export async function addPage(db: Db, page: Omit<PageRow, 'id'>): Promise<PageRow> {
  requireInstant('page time', page.at);
  if (page.acknowledgedAt !== undefined) requireInstant('acknowledge time', page.acknowledgedAt);
  const [row] = await db
    .insert(pages)
    .values({
      incidentId: page.incidentId,
      user: page.user ?? null,
      channel: page.channel,
      target: page.target,
      at: page.at,
      ok: page.ok,
      attempts: page.attempts,
      error: page.error ?? null,
      step: page.step,
      round: page.round,
      acknowledgedAt: page.acknowledgedAt ?? null,
    })
    .returning();
  if (!row) throw new Error('page insert returned no row');
  return toPageRow(row);
}

/**
 * Marks an incident's pages acknowledged at `at`: those to `user` when given
 * (channel pages have no user and are never matched by one), else all of
 * them. A page already acknowledged keeps its first time, so a repeat counts
 * nothing. Returns how many pages were marked; 0 for an incident that does not exist.
 */
export async function acknowledgePages(
  db: Db,
  incidentId: number,
  at: number,
  user?: string,
): Promise<number> {
  requireInstant('acknowledge time', at);
  if (!isSerial(incidentId)) return 0;
  const conditions: SQL[] = [eq(pages.incidentId, incidentId), isNull(pages.acknowledgedAt)];
  if (user !== undefined) conditions.push(eq(pages.user, user));
  const marked = await db
    .update(pages)
    .set({ acknowledgedAt: at })
    .where(and(...conditions))
    .returning({ id: pages.id });
  return marked.length;
}

/**
 * Pages oldest first (by `at`, ties in the order recorded), of one incident
 * and/or to one user, with `since <= at < until`. With `limit`, the most
 * recent `limit` pages (still oldest first), as a history view wants; without
 * it, every match (callers narrow by incident, user or time).
 */
export async function listPages(
  db: Db,
  filter: { incidentId?: number; user?: string; since?: number; until?: number; limit?: number },
): Promise<PageRow[]> {
  const conditions: SQL[] = [];
  if (filter.incidentId !== undefined) {
    if (!isSerial(filter.incidentId)) return [];
    conditions.push(eq(pages.incidentId, filter.incidentId));
  }
  if (filter.user !== undefined) conditions.push(eq(pages.user, filter.user));
  if (filter.since !== undefined) conditions.push(gte(pages.at, filter.since));
  if (filter.until !== undefined) conditions.push(lt(pages.at, filter.until));
  const where = and(...conditions);
  if (filter.limit === undefined || !Number.isFinite(filter.limit)) {
    const rows = await db.select().from(pages).where(where).orderBy(asc(pages.at), asc(pages.id));
    return rows.map(toPageRow);
  }
  const rows = await db
    .select()
    .from(pages)
    .where(where)
    .orderBy(desc(pages.at), desc(pages.id))
    .limit(Math.max(0, Math.floor(filter.limit)));
  return rows.reverse().map(toPageRow);
}

function toPageRow(row: typeof pages.$inferSelect): PageRow {
  return {
    id: row.id,
    incidentId: row.incidentId,
    ...present('user', row.user),
    channel: row.channel,
    target: row.target,
    at: row.at,
    ok: row.ok,
    attempts: row.attempts,
    ...present('error', row.error),
    step: row.step,
    round: row.round,
    ...present('acknowledgedAt', row.acknowledgedAt),
  };
}

// ── maintenance windows ───────────────────────────────────────────────────

/**
 * Whether a window `[start, end)` overlaps the range `[from, to)`, a bound
 * left out being unbounded: `start < to && end > from`. Windows that only
 * touch (one ends where the other starts) do not overlap, and an empty window
 * (`end == start`, say one cancelled before it began) overlaps nothing once a
 * bound is given. `listMaintenance` filters by this very rule in SQL.
 */
export function windowOverlaps(
  window: Pick<MaintenanceRow, 'start' | 'end'>,
  range: { from?: number; to?: number },
): boolean {
  if (range.from === undefined && range.to === undefined) return true;
  return (
    window.start < window.end &&
    (range.to === undefined || window.start < range.to) &&
    (range.from === undefined || window.end > range.from)
  );
}

/**
 * Stores a maintenance window. Throws RangeError unless `start` and `end`
 * are integer epoch ms with `start <= end`.
 */
export async function addMaintenance(db: Db, window: Omit<MaintenanceRow, 'id'>): Promise<MaintenanceRow> {
  requireInstant('maintenance start', window.start);
  requireInstant('maintenance end', window.end);
  if (window.end < window.start) {
    throw new RangeError(`maintenance ends (${window.end}) before it starts (${window.start})`);
  }
  const [row] = await db
    .insert(maintenanceWindows)
    .values({
      service: window.service,
      start: window.start,
      end: window.end,
      reason: window.reason ?? null,
      createdBy: window.createdBy,
    })
    .returning();
  if (!row) throw new Error('maintenance insert returned no row');
  return toMaintenanceRow(row);
}

/**
 * Windows of one service (every service when undefined) that overlap
 * `[from, to)` (see `windowOverlaps`; every window when neither bound is
 * given), by start (ties in the order added).
 */
export async function listMaintenance(
  db: Db,
  filter: { service?: string; from?: number; to?: number },
): Promise<MaintenanceRow[]> {
  const w = maintenanceWindows;
  const conditions: SQL[] = [];
  if (filter.service !== undefined) conditions.push(eq(w.service, filter.service));
  if (filter.from !== undefined || filter.to !== undefined) conditions.push(lt(w.start, w.end));
  if (filter.to !== undefined) conditions.push(lt(w.start, filter.to));
  if (filter.from !== undefined) conditions.push(gt(w.end, filter.from));
  const rows = await db
    .select()
    .from(w)
    .where(and(...conditions))
    .orderBy(asc(w.start), asc(w.id));
  return rows.map(toMaintenanceRow);
}

/**
 * Ends a window at `at` if that is earlier than its end: `end = min(end,
 * at)`, in one statement (a later `at` changes nothing; ending twice keeps
 * the earlier end). `at` before the start leaves the window empty at its
 * start (`end = start`, cancelled) rather than ending before it began.
 * Undefined when no such window; RangeError when `at` is not an integer.
 */
export async function endMaintenance(db: Db, id: number, at: number): Promise<MaintenanceRow | undefined> {
  requireInstant('maintenance end', at);
  if (!isSerial(id)) return undefined;
  const w = maintenanceWindows;
  const [row] = await db
    .update(w)
    .set({ end: sql`greatest(${w.start}, least(${w.end}, ${at}::bigint))` })
    .where(eq(w.id, id))
    .returning();
  return row ? toMaintenanceRow(row) : undefined;
}

function toMaintenanceRow(row: typeof maintenanceWindows.$inferSelect): MaintenanceRow {
  return {
    id: row.id,
    service: row.service,
    start: row.start,
    end: row.end,
    ...present('reason', row.reason),
    createdBy: row.createdBy,
  };
}

// ── helpers ───────────────────────────────────────────────────────────────

/** Epoch ms go into `bigint` columns: anything but a safe integer would fail or round there. */
function requireInstant(what: string, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be integer epoch ms, got ${value}`);
}
