/**
 * Incidents in the database: the alert intake's durable log and the current
 * state per dedup key, incidents with their timeline, and intake integrations.
 */
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gte, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import type {
  AlertOrigin,
  AlertRecord,
  AlertSeverity,
  Incident,
  IncidentState,
  IncomingAlert,
  Severity,
  TimelineEntry,
  TimelineKind,
  Urgency,
} from '../incidents/types.ts';
import type { Db } from './db.ts';
import { alertEventsIn, alerts, incidents, incidentTimeline, integrations } from './schema.ts';
import type { IntegrationRecord } from './types.ts';

const DEFAULT_LIST_LIMIT = 100;

/** The largest `serial` id; a larger number cannot name a row (and PostgreSQL would reject it). */
const MAX_SERIAL = 2_147_483_647;

/** Integration keys: 24 random bytes are 32 URL-safe characters, beyond guessing. */
const INTEGRATION_KEY_BYTES = 24;

// ── alerts ────────────────────────────────────────────────────────────────

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
 * commits). The record is then created (`ON CONFLICT (dedup_key) DO NOTHING`)
 * or, when it exists, locked `FOR UPDATE`, moved by `applyAlertEvent` and
 * written back, so concurrent events of one key apply one after the other.
 * Every transaction takes the log row before the record row, so they cannot deadlock.
 */
export async function ingestAlert(
  db: Db,
  alert: IncomingAlert,
  eventKey: string,
): Promise<{ record: AlertRecord; duplicate: boolean }> {
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
      .returning({ id: alertEventsIn.id });
    if (logged.length === 0) {
      const [row] = await tx.select().from(alerts).where(eq(alerts.dedupKey, alert.dedupKey));
      if (!row)
        throw new Error(`alert event ${eventKey} is logged but its alert ${alert.dedupKey} is missing`);
      return { record: toAlertRecord(row), duplicate: true };
    }

    const [created] = await tx
      .insert(alerts)
      .values(alertColumns(newAlertState(alert, eventTime(alert))))
      .onConflictDoNothing({ target: alerts.dedupKey })
      .returning();
    if (created) return { record: toAlertRecord(created), duplicate: false };

    const [locked] = await tx.select().from(alerts).where(eq(alerts.dedupKey, alert.dedupKey)).for('update');
    if (!locked) throw new Error(`alert ${alert.dedupKey} vanished while an event was applied`);
    const current = toAlertRecord(locked);
    const next = applyAlertEvent(current, alert);
    if (next === undefined) return { record: current, duplicate: false };
    const [updated] = await tx
      .update(alerts)
      .set(alertColumns(next))
      .where(eq(alerts.id, current.id))
      .returning();
    if (!updated) throw new Error(`alert ${alert.dedupKey} vanished while an event was applied`);
    return { record: toAlertRecord(updated), duplicate: false };
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

// ── incidents ─────────────────────────────────────────────────────────────

export async function createIncident(db: Db, input: Omit<Incident, 'id'>): Promise<Incident> {
  const [row] = await db.insert(incidents).values(incidentColumns(input)).returning();
  if (!row) throw new Error('incident insert returned no row');
  return toIncident(row);
}

/** One incident; undefined for an id no incident can have (not a positive 32-bit integer). */
export async function getIncident(db: Db, id: number): Promise<Incident | undefined> {
  if (!isSerial(id)) return undefined;
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
  return row ? toIncident(row) : undefined;
}

/**
 * Replaces every field of an incident but its id. With `expectedUpdatedAt`,
 * `UPDATE … WHERE id = $id AND updated_at = $expected`: a writer that read an
 * older version matches no row and gets undefined (re-read and retry). Also
 * undefined when no such incident.
 */
export async function updateIncident(
  db: Db,
  incident: Incident,
  expectedUpdatedAt?: number,
): Promise<Incident | undefined> {
  if (!isSerial(incident.id)) return undefined;
  const conditions: SQL[] = [eq(incidents.id, incident.id)];
  if (expectedUpdatedAt !== undefined) conditions.push(eq(incidents.updatedAt, expectedUpdatedAt));
  const [row] = await db
    .update(incidents)
    .set(incidentColumns(incident))
    .where(and(...conditions))
    .returning();
  return row ? toIncident(row) : undefined;
}

/**
 * Incidents, newest first (by `createdAt`, ties: the higher number first), at
 * most `limit` (default 100), filtered by:
 * - `states`: any of them (an empty list matches none);
 * - `severity`;
 * - `service`: the service it is routed by or any affected service;
 * - `since <= createdAt < until`.
 */
export async function listIncidents(
  db: Db,
  filter: {
    states?: IncidentState[];
    severity?: Severity;
    service?: string;
    since?: number;
    until?: number;
    limit?: number;
  },
): Promise<Incident[]> {
  const conditions: (SQL | undefined)[] = [];
  if (filter.states !== undefined) {
    if (filter.states.length === 0) return [];
    conditions.push(inArray(incidents.state, filter.states));
  }
  if (filter.severity !== undefined) conditions.push(eq(incidents.severity, filter.severity));
  if (filter.service !== undefined) {
    conditions.push(
      or(
        eq(incidents.service, filter.service),
        sql`${incidents.services} @> ${JSON.stringify([filter.service])}::jsonb`,
      ),
    );
  }
  if (filter.since !== undefined) conditions.push(gte(incidents.createdAt, filter.since));
  if (filter.until !== undefined) conditions.push(lt(incidents.createdAt, filter.until));
  const rows = await db
    .select()
    .from(incidents)
    .where(and(...conditions))
    .orderBy(desc(incidents.createdAt), desc(incidents.id))
    .limit(limitOf(filter.limit));
  return rows.map(toIncident);
}

/** Every column but the id; absent optional fields are written as null (an update clears them). */
function incidentColumns(incident: Omit<Incident, 'id'>): Omit<typeof incidents.$inferInsert, 'id'> {
  return {
    title: incident.title,
    state: incident.state,
    severity: incident.severity,
    urgency: incident.urgency,
    service: incident.service ?? null,
    services: incident.services,
    escalationPolicy: incident.escalationPolicy ?? null,
    createdAt: incident.createdAt,
    updatedAt: incident.updatedAt,
    milestones: incident.milestones,
    roles: incident.roles,
    impact: incident.impact,
    tasks: incident.tasks,
    mergedInto: incident.mergedInto ?? null,
    declaredBy: incident.declaredBy ?? null,
    postmortem: incident.postmortem ?? null,
    publicUpdates: incident.publicUpdates,
  };
}

function toIncident(row: typeof incidents.$inferSelect): Incident {
  return {
    id: row.id,
    title: row.title,
    state: row.state as IncidentState,
    severity: row.severity as Severity,
    urgency: row.urgency as Urgency,
    ...present('service', row.service),
    services: row.services,
    ...present('escalationPolicy', row.escalationPolicy),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    milestones: row.milestones,
    roles: row.roles,
    impact: row.impact,
    tasks: row.tasks,
    ...present('mergedInto', row.mergedInto),
    ...present('declaredBy', row.declaredBy),
    ...present('postmortem', row.postmortem),
    publicUpdates: row.publicUpdates,
  };
}

// ── timeline ──────────────────────────────────────────────────────────────

/** Appends a timeline entry; the database refuses one for an incident that does not exist. */
export async function addTimelineEntry(db: Db, entry: Omit<TimelineEntry, 'id'>): Promise<TimelineEntry> {
  const [row] = await db
    .insert(incidentTimeline)
    .values({
      incidentId: entry.incidentId,
      at: entry.at,
      kind: entry.kind,
      actor: entry.actor,
      text: entry.text,
      data: entry.data ?? null,
    })
    .returning();
  if (!row) throw new Error('timeline insert returned no row');
  return toTimelineEntry(row);
}

/** An incident's timeline, oldest first (ties in insertion order). */
export async function listTimeline(db: Db, incidentId: number): Promise<TimelineEntry[]> {
  if (!isSerial(incidentId)) return [];
  const rows = await db
    .select()
    .from(incidentTimeline)
    .where(eq(incidentTimeline.incidentId, incidentId))
    .orderBy(asc(incidentTimeline.at), asc(incidentTimeline.id));
  return rows.map(toTimelineEntry);
}

function toTimelineEntry(row: typeof incidentTimeline.$inferSelect): TimelineEntry {
  return {
    id: row.id,
    incidentId: row.incidentId,
    at: row.at,
    kind: row.kind as TimelineKind,
    actor: row.actor,
    text: row.text,
    ...present('data', row.data),
  };
}

// ── integrations ──────────────────────────────────────────────────────────

/** A new random integration key (URL-safe). */
export function newIntegrationKey(): string {
  return randomBytes(INTEGRATION_KEY_BYTES).toString('base64url');
}

/** Stores an integration under a new random key. */
export async function createIntegration(
  db: Db,
  input: Omit<IntegrationRecord, 'key' | 'createdAt'>,
  now: number,
): Promise<IntegrationRecord> {
  const [row] = await db
    .insert(integrations)
    .values({
      key: newIntegrationKey(),
      name: input.name,
      kind: input.kind,
      service: input.service ?? null,
      escalationPolicy: input.escalationPolicy ?? null,
      createdAt: now,
    })
    .returning();
  if (!row) throw new Error('integration insert returned no row');
  return toIntegration(row);
}

export async function findIntegration(db: Db, key: string): Promise<IntegrationRecord | undefined> {
  const [row] = await db.select().from(integrations).where(eq(integrations.key, key));
  return row ? toIntegration(row) : undefined;
}

/** Every integration, oldest first (ties by name). */
export async function listIntegrations(db: Db): Promise<IntegrationRecord[]> {
  const rows = await db
    .select()
    .from(integrations)
    .orderBy(asc(integrations.createdAt), asc(integrations.name), asc(integrations.key));
  return rows.map(toIntegration);
}

function toIntegration(row: typeof integrations.$inferSelect): IntegrationRecord {
  return {
    key: row.key,
    name: row.name,
    kind: row.kind as IntegrationRecord['kind'],
    ...present('service', row.service),
    ...present('escalationPolicy', row.escalationPolicy),
    createdAt: row.createdAt,
  };
}

// ── helpers ───────────────────────────────────────────────────────────────

/** Whether a number can be a `serial` id (a positive 32-bit integer). */
function isSerial(id: number): boolean {
  return Number.isInteger(id) && id >= 1 && id <= MAX_SERIAL;
}

/** A list limit: the default when absent or not finite, else a non-negative integer. */
function limitOf(limit: number | undefined): number {
  return limit !== undefined && Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : DEFAULT_LIST_LIMIT;
}

/** `{ [key]: value }` when the value is there, `{}` for undefined or null. */
function present<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return value === undefined || value === null ? {} : ({ [key]: value } as { [P in K]?: V });
}
