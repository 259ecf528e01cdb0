/**
 * Alert history (append-only events) and the current state per source, SLO
 * (or check) and severity. Records of source `slo` carry no `source` field,
 * so SLO alerts read exactly as they did before checks could raise alerts.
 */
import { and, asc, desc, eq, gte, type SQL, sql } from 'drizzle-orm';
import type { AlertSource, AlertState, AlertStatus, AlertTransition } from '../slo/model.ts';
import type { Db } from './db.ts';
import { alertEvents, alertState } from './schema.ts';
import type { StoredAlertEvent } from './types.ts';

/**
 * Appends a transition and moves the current state, in one transaction. The
 * current state only moves forward in time: a late, older transition is kept
 * in the history but does not overwrite a newer state.
 */
export async function recordAlertTransition(db: Db, t: AlertTransition): Promise<StoredAlertEvent> {
  const source: AlertSource = t.source ?? 'slo';
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(alertEvents)
      .values({
        source,
        slo: t.slo,
        service: t.service,
        severity: t.severity,
        fromState: t.from,
        toState: t.to,
        at: t.at,
        reason: t.reason ?? null,
        burnRates: t.burnRates,
      })
      .returning();
    await tx
      .insert(alertState)
      .values({
        source,
        slo: t.slo,
        severity: t.severity,
        state: t.to,
        since: t.at,
        reason: t.reason ?? null,
      })
      .onConflictDoUpdate({
        target: [alertState.source, alertState.slo, alertState.severity],
        set: { state: sql`excluded.state`, since: sql`excluded.since`, reason: sql`excluded.reason` },
        setWhere: sql`${alertState.since} <= excluded.since`,
      });
    if (!row) throw new Error('alert event insert returned no row');
    return toEvent(row);
  });
}

/**
 * Alert events, oldest first, of every source unless `source` narrows them.
 * With `limit`, the most recent `limit` events (still oldest first), which is
 * what a history view wants.
 */
export async function listAlertEvents(
  db: Db,
  filter: { slo?: string; source?: AlertSource; since?: number; limit?: number },
): Promise<StoredAlertEvent[]> {
  const conditions: SQL[] = [];
  if (filter.slo !== undefined) conditions.push(eq(alertEvents.slo, filter.slo));
  if (filter.source !== undefined) conditions.push(eq(alertEvents.source, filter.source));
  if (filter.since !== undefined) conditions.push(gte(alertEvents.at, filter.since));
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  if (filter.limit === undefined) {
    const rows = await db
      .select()
      .from(alertEvents)
      .where(where)
      .orderBy(asc(alertEvents.at), asc(alertEvents.id));
    return rows.map(toEvent);
  }
  const rows = await db
    .select()
    .from(alertEvents)
    .where(where)
    .orderBy(desc(alertEvents.at), desc(alertEvents.id))
    .limit(Math.max(0, Math.floor(filter.limit)));
  return rows.reverse().map(toEvent);
}

/**
 * The current alert state of every SLO (and check) and severity that ever
 * changed state, optionally of one name (both sources when an SLO and a check
 * share it).
 */
export async function listAlertStates(db: Db, slo?: string): Promise<AlertStatus[]> {
  const rows = await db
    .select()
    .from(alertState)
    .where(slo === undefined ? undefined : eq(alertState.slo, slo))
    .orderBy(asc(alertState.slo), asc(alertState.severity), asc(alertState.source));
  return rows.map((r) => ({
    ...sourceField(r.source),
    slo: r.slo,
    severity: r.severity,
    state: r.state as AlertState,
    since: r.since,
    ...(r.reason === null ? {} : { reason: r.reason }),
  }));
}

function toEvent(row: typeof alertEvents.$inferSelect): StoredAlertEvent {
  return {
    id: row.id,
    ...sourceField(row.source),
    slo: row.slo,
    service: row.service,
    severity: row.severity,
    from: row.fromState as AlertState,
    to: row.toState as AlertState,
    at: row.at,
    burnRates: row.burnRates,
    ...(row.reason === null ? {} : { reason: row.reason }),
  };
}

/** `source` appears only for checks: absent means `slo`, as the model defines it. */
function sourceField(source: string): { source?: AlertSource } {
  return source === 'check' ? { source: 'check' } : {};
}
