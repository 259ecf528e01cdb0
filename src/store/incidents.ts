/**
 * Incidents in the database: incidents with their timeline, intake
 * integrations, and the transaction-scoped view the incident service works
 * through (see `incident-alerts.ts` for the intake log and alert records).
 */
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import type {
  Incident,
  IncidentRepo,
  IncidentState,
  PublicUpdate,
  Severity,
  TimelineEntry,
  TimelineKind,
  Urgency,
} from '../incidents/index.ts';
import type { Db } from './db.ts';
import {
  claimAlertEvent,
  getAlert,
  groupingAlerts,
  hasUnresolvedAlerts,
  linkAlert,
  listAlerts,
  relinkAlerts,
} from './incident-alerts.ts';
import { acknowledgePages, listMaintenance } from './paging.ts';
import { isSerial, limitOf, present } from './rows.ts';
import { incidents, incidentTimeline, integrations } from './schema.ts';
import type { IntegrationRecord } from './types.ts';

/** Integration keys: 24 random bytes are 32 URL-safe characters, beyond guessing. */
const INTEGRATION_KEY_BYTES = 24;

/**
 * An arbitrary constant no other Ballast lock uses: every incident
 * transaction takes it (`pg_advisory_xact_lock`), so replicas sharing one
 * PostgreSQL apply alerts one at a time, as one process does, and two
 * triggers of one service cannot both open an incident.
 */
const INCIDENT_LOCK_KEY = 7_420_002;

/** The incident reads and writes of `IncidentService`, bound to one database or transaction. */
export function incidentRepo(db: Db): IncidentRepo {
  return {
    getIncident: (id) => getIncident(db, id),
    listIncidents: (filter) => listIncidents(db, filter),
    createIncident: (input) => createIncident(db, input),
    updateIncident: (incident, expected) => updateIncident(db, incident, expected),
    addTimelineEntry: (entry) => addTimelineEntry(db, entry),
    getAlert: (dedupKey) => getAlert(db, dedupKey),
    listAlerts: (filter) => listAlerts(db, filter),
    hasUnresolvedAlerts: (incidentId) => hasUnresolvedAlerts(db, incidentId),
    groupingAlerts: (ids, perIncident) => groupingAlerts(db, ids, perIncident),
    linkAlert: (alertId, incidentId) => linkAlert(db, alertId, incidentId),
    relinkAlerts: (from, to) => relinkAlerts(db, from, to),
    acknowledgePages: (incidentId, at, user) => acknowledgePages(db, incidentId, at, user),
    listMaintenance: (filter) => listMaintenance(db, filter),
    claimAlertEvent: (id, at) => claimAlertEvent(db, id, at),
  };
}

/**
 * Runs `work` in one transaction holding the incident lock; rolled back when
 * it throws. PGlite is one connection in one process (its data directory is
 * locked), where transactions already run one at a time: it skips the lock,
 * a statement on every alert.
 */
export function incidentTransaction<T>(
  db: Db,
  work: (tx: IncidentRepo) => Promise<T>,
  shared = true,
): Promise<T> {
  return db.transaction(async (tx) => {
    if (shared) await tx.execute(sql`select pg_advisory_xact_lock(${INCIDENT_LOCK_KEY})`);
    return work(incidentRepo(tx));
  });
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

/**
 * Incidents with an id above `afterId`, in id order, at most `limit`: a scan
 * in pages that never misses or repeats one (ids never change), for readers
 * that need every incident (metrics over any period).
 */
export async function scanIncidents(db: Db, afterId: number, limit: number): Promise<Incident[]> {
  const rows = await db
    .select()
    .from(incidents)
    .where(gt(incidents.id, Math.max(0, Math.floor(afterId))))
    .orderBy(asc(incidents.id))
    .limit(limitOf(limit));
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
    postmortemEdit: incident.postmortemEdit ?? null,
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
    ...present('postmortemEdit', row.postmortemEdit),
    publicUpdates: row.publicUpdates.map(publicUpdateOf),
  };
}

/** The stand-in title of public updates stored before updates had titles. */
const UNTITLED_UPDATE = 'Service disruption';

function publicUpdateOf(u: { at: number; title?: string; body: string }): PublicUpdate {
  return { at: u.at, title: u.title ?? UNTITLED_UPDATE, body: u.body };
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
