/**
 * Retention of raw check results. Daily counts (`check_daily`) are kept for
 * good: the status page's 90-day bars and the uptime figures read them, not
 * the results. A check's newest result is kept however old, because it is the
 * check's "latest" after a restart and what the gate judges as stale.
 */
import { and, asc, eq, exists, gt, inArray, lt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from './db.ts';
import { checkResults } from './schema.ts';

export interface PruneOutcome {
  /** Results deleted. */
  deleted: number;
  /** Screenshot and trace files the deleted results named (for the caller to remove). */
  artifacts: string[];
}

/**
 * Deletes at most `limit` results that started before `before`, oldest ids
 * first, never a check's newest one. Ids grow with time, so the primary key
 * finds old rows without scanning recent ones; the newest-result test uses the
 * (check, started_at) index.
 */
export async function pruneCheckResults(db: Db, before: number, limit: number): Promise<PruneOutcome> {
  const newer = alias(checkResults, 'newer');
  const hasNewer = db
    .select({ one: sql`1` })
    .from(newer)
    .where(and(eq(newer.check, checkResults.check), gt(newer.startedAt, checkResults.startedAt)));
  const victims = db
    .select({ id: checkResults.id })
    .from(checkResults)
    .where(and(lt(checkResults.startedAt, before), exists(hasNewer)))
    .orderBy(asc(checkResults.id))
    .limit(Math.max(0, Math.floor(limit)));
  const rows = await db
    .delete(checkResults)
    .where(inArray(checkResults.id, victims))
    .returning({
      screenshot: sql<string | null>`${checkResults.detail}->'artifacts'->>'screenshot'`,
      trace: sql<string | null>`${checkResults.detail}->'artifacts'->>'trace'`,
    });
  const artifacts = rows.flatMap((r) => [r.screenshot, r.trace]).filter((f): f is string => !!f);
  return { deleted: rows.length, artifacts };
}

/** Whether a stored result of `check` names `file` as its screenshot or trace. */
export async function checkHasArtifact(db: Db, check: string, file: string): Promise<boolean> {
  const artifacts = sql`${checkResults.detail}->'artifacts'`;
  const rows = await db
    .select({ id: checkResults.id })
    .from(checkResults)
    .where(
      and(
        eq(checkResults.check, check),
        sql`(${artifacts}->>'screenshot' = ${file} or ${artifacts}->>'trace' = ${file})`,
      ),
    )
    .limit(1);
  return rows.length > 0;
}
