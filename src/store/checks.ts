/**
 * Synthetic checks: their definitions, results (with per-day counts),
 * threshold state, and heartbeat ping keys.
 */
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, type SQL, sql } from 'drizzle-orm';
import type { CheckDefinition, CheckResult, CheckStatus, CheckType } from '../checks/types.ts';
import { DAY_MS } from '../slo/model.ts';
import { chunk, type Db } from './db.ts';
import { changedDefinitions, lastByKey, type Status } from './documents.ts';
import {
  type CheckResultDetail,
  checkDaily,
  checkHealth,
  checkResults,
  checks,
  heartbeats,
} from './schema.ts';
import type { ApplyResult, CheckDailyRecord, CheckHealthRecord, StoredCheckResult } from './types.ts';

const DEFAULT_RESULT_LIMIT = 100;

/** The largest `serial` id; a larger number cannot name a result (and PostgreSQL would reject it). */
const MAX_SERIAL = 2_147_483_647;

/** Ping keys: 18 random bytes are 24 URL-safe characters, beyond guessing. */
const HEARTBEAT_KEY_BYTES = 18;

/** Attempts at creating a key; only a collision of two random keys makes a second one necessary. */
const HEARTBEAT_KEY_ATTEMPTS = 3;

/**
 * Upserts check definitions in one transaction; reports each as `Check/name`:
 * created, updated (its definition hash changed) or unchanged. Additive:
 * checks not given are kept. The last of several definitions with one name wins.
 */
export async function applyChecks(db: Db, input: CheckDefinition[], now: number): Promise<ApplyResult> {
  const byName = lastByKey(input, (c) => c.name);
  const result: ApplyResult = { created: [], updated: [], unchanged: [] };
  if (byName.size === 0) return result;
  return db.transaction(async (tx) => {
    const existing = await tx
      .select({ name: checks.name, hash: checks.hash })
      .from(checks)
      .where(inArray(checks.name, [...byName.keys()]));
    const stored = new Map(existing.map((r) => [r.name, r.hash]));
    const mark = (key: string, status: Status) => result[status].push(key);
    const rows: (typeof checks.$inferInsert)[] = changedDefinitions(byName, stored, 'Check', mark).map(
      (c) => ({
        ...c,
        service: c.definition.service,
        updatedAt: now,
      }),
    );
    for (const part of chunk(rows, 5)) {
      await tx
        .insert(checks)
        .values(part)
        .onConflictDoUpdate({
          target: checks.name,
          set: {
            service: sql`excluded.service`,
            definition: sql`excluded.definition`,
            hash: sql`excluded.hash`,
            updatedAt: sql`excluded.updated_at`,
          },
        });
    }
    for (const list of Object.values(result)) list.sort();
    return result;
  });
}

/** Every check, by name. */
export async function listChecks(db: Db): Promise<CheckDefinition[]> {
  const rows = await db.select({ definition: checks.definition }).from(checks).orderBy(asc(checks.name));
  return rows.map((r) => r.definition);
}

export async function getCheck(db: Db, name: string): Promise<CheckDefinition | undefined> {
  const rows = await db.select({ definition: checks.definition }).from(checks).where(eq(checks.name, name));
  return rows[0]?.definition;
}

/** The UTC midnight (epoch ms) of the day an instant falls in. */
export function utcDay(at: number): number {
  return Math.floor(at / DAY_MS) * DAY_MS;
}

/**
 * Appends a result and adds one to its status's count of the check's UTC day,
 * in one transaction (so the counts never disagree with the results). The
 * count is added in SQL, which keeps concurrent writers exact without locks here.
 * Throws RangeError for a status other than pass, degraded or fail, which no
 * daily column could count.
 */
export async function addCheckResult(db: Db, result: CheckResult): Promise<StoredCheckResult> {
  const counts = statusCounts(result.status);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(checkResults)
      .values({
        check: result.check,
        service: result.service,
        location: result.location,
        type: result.type,
        startedAt: result.startedAt,
        durationMs: result.durationMs,
        status: result.status,
        reason: result.reason ?? null,
        detail: detailOf(result),
      })
      .returning();
    if (!row) throw new Error('check result insert returned no row');
    await tx
      .insert(checkDaily)
      .values({ check: result.check, day: utcDay(result.startedAt), ...counts })
      .onConflictDoUpdate({
        target: [checkDaily.check, checkDaily.day],
        set: {
          pass: sql`${checkDaily.pass} + excluded.pass`,
          degraded: sql`${checkDaily.degraded} + excluded.degraded`,
          fail: sql`${checkDaily.fail} + excluded.fail`,
        },
      });
    return toResult(row);
  });
}

function statusCounts(status: CheckStatus): { pass: number; degraded: number; fail: number } {
  switch (status) {
    case 'pass':
      return { pass: 1, degraded: 0, fail: 0 };
    case 'degraded':
      return { pass: 0, degraded: 1, fail: 0 };
    case 'fail':
      return { pass: 0, degraded: 0, fail: 1 };
    default:
      throw new RangeError(`unknown check status ${JSON.stringify(status)}`);
  }
}

/**
 * A check's results, newest first (ties by insertion, newest first), with
 * `since <= startedAt < until` and at most `limit` (default 100) rows.
 */
export async function listCheckResults(
  db: Db,
  check: string,
  filter: { since?: number; until?: number; limit?: number; status?: CheckStatus } = {},
): Promise<StoredCheckResult[]> {
  const conditions: SQL[] = [eq(checkResults.check, check)];
  if (filter.since !== undefined) conditions.push(gte(checkResults.startedAt, filter.since));
  if (filter.until !== undefined) conditions.push(lt(checkResults.startedAt, filter.until));
  if (filter.status !== undefined) conditions.push(eq(checkResults.status, filter.status));
  const limit =
    filter.limit !== undefined && Number.isFinite(filter.limit)
      ? Math.max(0, Math.floor(filter.limit))
      : DEFAULT_RESULT_LIMIT;
  const rows = await db
    .select()
    .from(checkResults)
    .where(and(...conditions))
    .orderBy(desc(checkResults.startedAt), desc(checkResults.id))
    .limit(limit);
  return rows.map(toResult);
}

/** One result by id; undefined for an id no result can have (not a positive 32-bit integer). */
export async function getCheckResult(db: Db, id: number): Promise<StoredCheckResult | undefined> {
  if (!Number.isInteger(id) || id < 1 || id > MAX_SERIAL) return undefined;
  const [row] = await db.select().from(checkResults).where(eq(checkResults.id, id));
  return row ? toResult(row) : undefined;
}

/** The newest result of every check that has one, by check name (ties on `startedAt` go to the later insert). */
export async function latestCheckResults(db: Db): Promise<StoredCheckResult[]> {
  const rows = await db
    .selectDistinctOn([checkResults.check])
    .from(checkResults)
    .orderBy(asc(checkResults.check), desc(checkResults.startedAt), desc(checkResults.id));
  return rows.map(toResult);
}

/** Daily counts with `fromDay <= day < toDay`, by day then check; all checks unless `check` is given. */
export async function listCheckDaily(
  db: Db,
  filter: { check?: string; fromDay: number; toDay: number },
): Promise<CheckDailyRecord[]> {
  const conditions: SQL[] = [gte(checkDaily.day, filter.fromDay), lt(checkDaily.day, filter.toDay)];
  if (filter.check !== undefined) conditions.push(eq(checkDaily.check, filter.check));
  return db
    .select({
      check: checkDaily.check,
      day: checkDaily.day,
      pass: checkDaily.pass,
      degraded: checkDaily.degraded,
      fail: checkDaily.fail,
    })
    .from(checkDaily)
    .where(and(...conditions))
    .orderBy(asc(checkDaily.day), asc(checkDaily.check));
}

/** Inserts or replaces a check's threshold state. */
export async function saveCheckHealth(db: Db, record: CheckHealthRecord): Promise<void> {
  const row = {
    check: record.check,
    state: record.state,
    consecutiveFailures: record.consecutiveFailures,
    consecutivePasses: record.consecutivePasses,
    since: record.since,
    lastResultAt: record.lastResultAt,
  };
  await db
    .insert(checkHealth)
    .values(row)
    .onConflictDoUpdate({
      target: checkHealth.check,
      set: {
        state: sql`excluded.state`,
        consecutiveFailures: sql`excluded.consecutive_failures`,
        consecutivePasses: sql`excluded.consecutive_passes`,
        since: sql`excluded.since`,
        lastResultAt: sql`excluded.last_result_at`,
      },
    });
}

/** Every saved threshold state, by check name. */
export async function listCheckHealth(db: Db): Promise<CheckHealthRecord[]> {
  const rows = await db.select().from(checkHealth).orderBy(asc(checkHealth.check));
  return rows.map((r) => ({
    check: r.check,
    state: r.state as CheckHealthRecord['state'],
    consecutiveFailures: r.consecutiveFailures,
    consecutivePasses: r.consecutivePasses,
    since: r.since,
    lastResultAt: r.lastResultAt,
  }));
}

/** A new random ping key (URL-safe). */
function newHeartbeatKey(): string {
  return randomBytes(HEARTBEAT_KEY_BYTES).toString('base64url');
}

/**
 * The check's ping key, created on first call. Race-safe: concurrent first
 * calls each try to insert, `on conflict do nothing` lets one win, and all
 * read the winner's key back.
 */
export async function heartbeatKey(db: Db, check: string): Promise<string> {
  for (let attempt = 0; attempt < HEARTBEAT_KEY_ATTEMPTS; attempt++) {
    await db.insert(heartbeats).values({ check, key: newHeartbeatKey() }).onConflictDoNothing();
    const [row] = await db
      .select({ key: heartbeats.key })
      .from(heartbeats)
      .where(eq(heartbeats.check, check));
    // No row only when the new key collided with another check's key (and the insert did nothing): try another.
    if (row) return row.key;
  }
  throw new Error(`could not create a heartbeat key for check ${check}`);
}

/** The check a ping key belongs to. */
export async function findHeartbeatByKey(db: Db, key: string): Promise<string | undefined> {
  const [row] = await db.select({ check: heartbeats.check }).from(heartbeats).where(eq(heartbeats.key, key));
  return row?.check;
}

/**
 * Counts a ping and keeps the latest ping time (a late, older ping does not
 * move it back). A check without a key row gets one with a fresh key.
 */
export async function recordHeartbeat(db: Db, check: string, at: number): Promise<void> {
  await db
    .insert(heartbeats)
    .values({ check, key: newHeartbeatKey(), lastPingAt: at, pings: 1 })
    .onConflictDoUpdate({
      target: heartbeats.check,
      set: {
        // GREATEST ignores NULL, so the first ping after the key was created sets the time.
        lastPingAt: sql`greatest(${heartbeats.lastPingAt}, excluded.last_ping_at)`,
        pings: sql`${heartbeats.pings} + 1`,
      },
    });
}

/** Every heartbeat check that was ever pinged, by check name. */
export async function listHeartbeats(
  db: Db,
): Promise<{ check: string; lastPingAt: number; pings: number }[]> {
  const rows = await db
    .select({ check: heartbeats.check, lastPingAt: heartbeats.lastPingAt, pings: heartbeats.pings })
    .from(heartbeats)
    .where(isNotNull(heartbeats.lastPingAt))
    .orderBy(asc(heartbeats.check));
  return rows.flatMap((r) => (r.lastPingAt === null ? [] : [{ ...r, lastPingAt: r.lastPingAt }]));
}

/** The JSON part of a result: what no query filters on, without absent optional fields. */
function detailOf(result: CheckResult): CheckResultDetail {
  return {
    conditions: result.conditions,
    phases: result.phases,
    attempts: result.attempts,
    ...present('error', result.error),
    ...present('httpStatus', result.httpStatus),
    ...present('certificateNotAfter', result.certificateNotAfter),
    ...present('certificateChain', result.certificateChain),
    ...present('steps', result.steps),
    ...present('artifacts', result.artifacts),
  };
}

/** A result as the domain has it: optional fields that are absent (or null in JSON) are left out. */
function toResult(row: typeof checkResults.$inferSelect): StoredCheckResult {
  const d = row.detail;
  return {
    id: row.id,
    check: row.check,
    service: row.service,
    type: row.type as CheckType,
    location: row.location,
    startedAt: row.startedAt,
    durationMs: row.durationMs,
    status: row.status as CheckStatus,
    ...present('reason', row.reason),
    ...present('error', d.error),
    conditions: d.conditions ?? [],
    phases: d.phases ?? {},
    ...present('httpStatus', d.httpStatus),
    ...present('certificateNotAfter', d.certificateNotAfter),
    ...present('certificateChain', d.certificateChain),
    attempts: d.attempts ?? 1,
    ...present('steps', d.steps),
    ...present('artifacts', d.artifacts),
  };
}

/** `{ [key]: value }` when the value is there, `{}` for undefined or null. */
function present<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return value === undefined || value === null ? {} : ({ [key]: value } as { [P in K]?: V });
}
