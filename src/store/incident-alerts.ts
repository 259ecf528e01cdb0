/**
 * The alert intake in the database: the durable log of events (with the
 * marker of those applied to the incidents) and the current state per dedup
 * key, moved by each event in the transaction that logs it.
 */
import { and, asc, desc, eq, inArray, isNull, lte, ne, type SQL, sql } from 'drizzle-orm';
import type {
  AlertOrigin,
  AlertRecord,
  AlertSeverity,
  GroupingCandidate,
  IncomingAlert,
  IngestedAlert,
  PendingAlertEvent,
} from '../incidents/index.ts';
import type { Db } from './db.ts';
import { isSerial, limitOf, present } from './rows.ts';
import { alertEventsIn, alerts } from './schema.ts';

/** An alert record's content, without its id. */
export type AlertState = Omit<AlertRecord, 'id'>;

/**
 * The instant an event is ordered by: when its condition started, but never
 * after Ballast received it. A sender whose clock runs ahead would otherwise
 * stamp a trigger later than the acknowledge or resolve that Ballast stamps
 * with its own clock, and those would look older and be ignored.
 */
export function eventTime(alert: IncomingAlert): number {
  return Math.min(alert.startsAt, alert.receivedAt);
}

/**
 * What one event makes of a dedup key's alert: the next state, or undefined
 * when the event changes nothing. Pure; the store applies it under a row lock.
 *
 * - No record yet: the event creates one in the status it names (a resolve
 *   for a key never seen, say after Ballast was set up, is stored resolved).
 * - An event older than the record (its time before `lastSeenAt`) changes
 *   nothing: late deliveries never move an alert backwards.
 * - trigger: a firing or acknowledged alert takes the event's summary,
 *   severity, service and labels and stays in its status (a repeated
 *   notification does not undo an acknowledgement). A resolved alert fires
 *   again only for a strictly newer event, and that starts a new episode:
 *   `firstSeenAt` is the new start, `resolvedAt` and `incidentId` are cleared,
 *   so the episode can open an incident of its own. A trigger at the resolved
 *   episode's own time is a repeat of that episode (Alertmanager repeats and
 *   resolves carry the same `startsAt`) and changes nothing.
 * - acknowledge: only a firing alert becomes acknowledged.
 * - resolve: a firing or acknowledged alert becomes resolved; `resolvedAt` is
 *   when Ballast received the resolve, since `startsAt` of an Alertmanager
 *   resolve is still the start of the condition.
 */
export function applyAlertEvent(
  current: AlertState | undefined,
  alert: IncomingAlert,
): AlertState | undefined {
  // Refused even when the event is too old to matter: a bad action is a bug upstream.
  statusOf(alert.action);
  const at = eventTime(alert);
  if (current === undefined) return newAlertState(alert, at);
  if (at < current.lastSeenAt) return undefined;
  switch (alert.action) {
    case 'trigger':
      if (current.status === 'resolved') {
        return at > current.lastSeenAt ? newAlertState(alert, at) : undefined;
      }
      return { ...withoutService(current), ...describedBy(alert), lastSeenAt: at };
    case 'acknowledge':
      return current.status === 'firing' ? { ...current, status: 'acknowledged', lastSeenAt: at } : undefined;
    case 'resolve':
      return current.status === 'resolved'
        ? undefined
        : { ...current, status: 'resolved', lastSeenAt: at, resolvedAt: alert.receivedAt };
    default:
      throw new RangeError(`unknown alert action ${JSON.stringify(alert.action)}`);
  }
}

/** A record that starts with this event (a first sighting, or a new episode). */
function newAlertState(alert: IncomingAlert, at: number): AlertState {
  const status = statusOf(alert.action);
  return {
    ...describedBy(alert),
    status,
    firstSeenAt: at,
    lastSeenAt: at,
    ...(status === 'resolved' ? { resolvedAt: alert.receivedAt } : {}),
  };
}

/** A state without its service: a trigger that names none leaves the alert without one. */
function withoutService(state: AlertState): AlertState {
  const { service: _replaced, ...rest } = state;
  return rest;
}

/** The fields a trigger describes the alert with (all of them replaced by each trigger). */
function describedBy(
  alert: IncomingAlert,
): Pick<AlertRecord, 'dedupKey' | 'origin' | 'summary' | 'severity' | 'service' | 'labels'> {
  return {
    dedupKey: alert.dedupKey,
    origin: alert.origin,
    summary: alert.summary,
    severity: alert.severity,
    labels: alert.labels,
    ...(alert.service === undefined ? {} : { service: alert.service }),
  };
}

function statusOf(action: IncomingAlert['action']): AlertRecord['status'] {
  switch (action) {
    case 'trigger':
      return 'firing';
    case 'acknowledge':
      return 'acknowledged';
    case 'resolve':
      return 'resolved';
    default:
      throw new RangeError(`unknown alert action ${JSON.stringify(action)}`);
  }
}

/**
 * Logs an event and applies it to its dedup key's record, in one transaction.
 *
 * The log insert comes first, `ON CONFLICT (event_key) DO NOTHING`: a conflict
 * is a replay, answered with the current record and nothing changed (a
 * concurrent copy of the same event waits on the unique index until the first
 * commits). The record is then locked `FOR UPDATE` when it exists, else
 * created (`ON CONFLICT (dedup_key) DO NOTHING`, locking it after all when a
 * concurrent event created it first), moved by `applyAlertEvent` and written
 * back, so concurrent events of one key apply one after the other.
 * Every transaction takes the log row before the record row, so they cannot deadlock.
 */
export async function ingestAlert(db: Db, alert: IncomingAlert, eventKey: string): Promise<IngestedAlert> {
  // Fail before writing anything on an action no status exists for.
  statusOf(alert.action);
  return db.transaction(async (tx) => {
    const logged = await tx
      .insert(alertEventsIn)
      .values({
        eventKey,
        receivedAt: alert.receivedAt,
        origin: alert.origin,
        integration: alert.integration ?? null,
        dedupKey: alert.dedupKey,
        action: alert.action,
        body: alert,
      })
      .onConflictDoNothing({ target: alertEventsIn.eventKey })
      .returning({
        id: alertEventsIn.id,
        // The statement's snapshot does not see the new row: this asks about older events only.
        earlierPending: sql<boolean>`exists (select 1 from ${alertEventsIn} as p where p.dedup_key = ${alert.dedupKey} and p.applied_at is null)`,
      });
    const loggedId = logged[0]?.id;
    const earlierPending = logged[0]?.earlierPending === true;
    if (loggedId === undefined) {
      const [first] = await tx
        .select({ id: alertEventsIn.id, appliedAt: alertEventsIn.appliedAt })
        .from(alertEventsIn)
        .where(eq(alertEventsIn.eventKey, eventKey));
      const [row] = await tx.select().from(alerts).where(eq(alerts.dedupKey, alert.dedupKey));
      if (!row || !first)
        throw new Error(`alert event ${eventKey} is logged but its alert ${alert.dedupKey} is missing`);
      return {
        record: toAlertRecord(row),
        duplicate: true,
        event: { id: first.id, applied: first.appliedAt !== null },
      };
    }
    const event = { id: loggedId, applied: false, earlierPending };

    // Most events are for a key already seen: lock its record first, and insert only when there is none.
    const lockRecord = async () =>
      (await tx.select().from(alerts).where(eq(alerts.dedupKey, alert.dedupKey)).for('update'))[0];
    let locked = await lockRecord();
    if (!locked) {
      const [created] = await tx
        .insert(alerts)
        .values(alertColumns(newAlertState(alert, eventTime(alert))))
        .onConflictDoNothing({ target: alerts.dedupKey })
        .returning();
      if (created) return { record: toAlertRecord(created), duplicate: false, event };
      // Another transaction created it meanwhile: take its row as for any known key.
      locked = await lockRecord();
    }
    if (!locked) throw new Error(`alert ${alert.dedupKey} vanished while an event was applied`);
    const current = toAlertRecord(locked);
    const next = applyAlertEvent(current, alert);
    if (next === undefined) return { record: current, duplicate: false, event };
    const [updated] = await tx
      .update(alerts)
      .set(alertColumns(next))
      .where(eq(alerts.id, current.id))
      .returning();
    if (!updated) throw new Error(`alert ${alert.dedupKey} vanished while an event was applied`);
    return { record: toAlertRecord(updated), duplicate: false, event };
  });
}

/** Every column of a record; absent optional fields are written as null (a new episode clears them). */
function alertColumns(state: AlertState): typeof alerts.$inferInsert {
  return {
    dedupKey: state.dedupKey,
    origin: state.origin,
    status: state.status,
    summary: state.summary,
    severity: state.severity,
    service: state.service ?? null,
    labels: state.labels,
    firstSeenAt: state.firstSeenAt,
    lastSeenAt: state.lastSeenAt,
    resolvedAt: state.resolvedAt ?? null,
    incidentId: state.incidentId ?? null,
  };
}

export async function getAlert(db: Db, dedupKey: string): Promise<AlertRecord | undefined> {
  const [row] = await db.select().from(alerts).where(eq(alerts.dedupKey, dedupKey));
  return row ? toAlertRecord(row) : undefined;
}

/**
 * Alerts, most recently seen first (ties: the later created first), at most
 * `limit` (default 100); of one incident and/or one status when given.
 */
export async function listAlerts(
  db: Db,
  filter: { incidentId?: number; status?: AlertRecord['status']; limit?: number },
): Promise<AlertRecord[]> {
  const conditions: SQL[] = [];
  if (filter.incidentId !== undefined) {
    if (!isSerial(filter.incidentId)) return [];
    conditions.push(eq(alerts.incidentId, filter.incidentId));
  }
  if (filter.status !== undefined) conditions.push(eq(alerts.status, filter.status));
  const rows = await db
    .select()
    .from(alerts)
    .where(and(...conditions))
    .orderBy(desc(alerts.lastSeenAt), desc(alerts.id))
    .limit(limitOf(filter.limit));
  return rows.map(toAlertRecord);
}

export async function hasUnresolvedAlerts(db: Db, incidentId: number): Promise<boolean> {
  if (!isSerial(incidentId)) return false;
  const [row] = await db
    .select({ id: alerts.id })
    .from(alerts)
    .where(and(eq(alerts.incidentId, incidentId), ne(alerts.status, 'resolved')))
    .limit(1);
  return row !== undefined;
}

/**
 * The newest `perIncident` alerts of each incident, with only what grouping
 * reads: one query (a window over the incident index) instead of a full load
 * of every alert of every candidate per event.
 */
export async function groupingAlerts(
  db: Db,
  incidentIds: readonly number[],
  perIncident: number,
): Promise<Map<number, GroupingCandidate['alerts']>> {
  const ids = incidentIds.filter(isSerial);
  const out = new Map<number, GroupingCandidate['alerts']>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const ranked = db
    .select({
      incidentId: alerts.incidentId,
      dedupKey: alerts.dedupKey,
      labels: alerts.labels,
      service: alerts.service,
      firstSeenAt: alerts.firstSeenAt,
      rank: sql<number>`row_number() over (partition by ${alerts.incidentId} order by ${alerts.lastSeenAt} desc, ${alerts.id} desc)`.as(
        'rank',
      ),
    })
    .from(alerts)
    .where(inArray(alerts.incidentId, ids))
    .as('ranked');
  const rows = await db
    .select()
    .from(ranked)
    .where(lte(ranked.rank, Math.max(1, Math.floor(perIncident))));
  for (const r of rows) {
    out.get(r.incidentId as number)?.push({
      dedupKey: r.dedupKey,
      labels: r.labels,
      firstSeenAt: r.firstSeenAt,
      ...present('service', r.service),
    });
  }
  return out;
}

/**
 * Links an alert (its current episode) to an incident. Throws RangeError when
 * no such alert exists; the database refuses an incident that does not.
 */
export async function linkAlert(db: Db, alertId: number, incidentId: number): Promise<void> {
  if (!isSerial(alertId)) throw new RangeError(`no alert ${alertId}`);
  if (!isSerial(incidentId)) throw new RangeError(`no incident ${incidentId}`);
  const updated = await db
    .update(alerts)
    .set({ incidentId })
    .where(eq(alerts.id, alertId))
    .returning({ id: alerts.id });
  if (updated.length === 0) throw new RangeError(`no alert ${alertId}`);
}

/** Moves every alert of incident `from` to incident `to` (a merge); returns how many moved. */
export async function relinkAlerts(db: Db, from: number, to: number): Promise<number> {
  if (!isSerial(from) || !isSerial(to)) return 0;
  const moved = await db
    .update(alerts)
    .set({ incidentId: to })
    .where(eq(alerts.incidentId, from))
    .returning({ id: alerts.id });
  return moved.length;
}

/** Events logged but not applied to the incidents, oldest first; of one dedup key when given. */
export async function pendingAlertEvents(
  db: Db,
  filter: { dedupKey?: string; limit?: number },
): Promise<PendingAlertEvent[]> {
  const conditions: SQL[] = [isNull(alertEventsIn.appliedAt)];
  if (filter.dedupKey !== undefined) conditions.push(eq(alertEventsIn.dedupKey, filter.dedupKey));
  const rows = await db
    .select({ id: alertEventsIn.id, eventKey: alertEventsIn.eventKey, body: alertEventsIn.body })
    .from(alertEventsIn)
    .where(and(...conditions))
    .orderBy(asc(alertEventsIn.id))
    .limit(limitOf(filter.limit));
  return rows.map((r) => ({ id: r.id, eventKey: r.eventKey, alert: r.body }));
}

/**
 * Marks an event applied at `at`, unless it already is: `UPDATE … WHERE
 * applied_at IS NULL`, so of two transactions claiming one event the second
 * waits on the row and then matches nothing. Returns whether this call claimed it.
 */
export async function claimAlertEvent(db: Db, id: number, at: number): Promise<boolean> {
  if (!isSerial(id)) return false;
  const claimed = await db
    .update(alertEventsIn)
    .set({ appliedAt: at })
    .where(and(eq(alertEventsIn.id, id), isNull(alertEventsIn.appliedAt)))
    .returning({ id: alertEventsIn.id });
  return claimed.length > 0;
}

function toAlertRecord(row: typeof alerts.$inferSelect): AlertRecord {
  return {
    id: row.id,
    dedupKey: row.dedupKey,
    origin: row.origin as AlertOrigin,
    status: row.status as AlertRecord['status'],
    summary: row.summary,
    severity: row.severity as AlertSeverity,
    ...present('service', row.service),
    labels: row.labels,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
    ...present('resolvedAt', row.resolvedAt),
    ...present('incidentId', row.incidentId),
  };
}
