/** Chaos experiment runs and their journals. */
import { and, asc, desc, eq, lt, type SQL } from 'drizzle-orm';
import { chunk, type Db } from './db.ts';
import { chaosJournal, chaosRuns } from './schema.ts';
import type { ChaosRunRecord } from './types.ts';

const DEFAULT_LIMIT = 50;

export type CreateChaosRunInput = Omit<
  ChaosRunRecord,
  'report' | 'finishedAt' | 'lastSeenAt' | 'haltRequested' | 'incidents' | 'leases'
>;

export async function createChaosRun(db: Db, input: CreateChaosRunInput): Promise<ChaosRunRecord> {
  const [row] = await db
    .insert(chaosRuns)
    .values({
      ...input,
      report: null,
      leases: [],
      incidents: [],
      haltRequested: false,
      lastSeenAt: input.startedAt,
      finishedAt: null,
    })
    .returning();
  if (!row) throw new Error('chaos run insert returned no row');
  return row;
}

export async function getChaosRun(db: Db, id: string): Promise<ChaosRunRecord | undefined> {
  const [row] = await db.select().from(chaosRuns).where(eq(chaosRuns.id, id));
  return row;
}

export async function listChaosRuns(
  db: Db,
  filter: { service?: string; status?: string; limit?: number },
): Promise<ChaosRunRecord[]> {
  const conditions: SQL[] = [];
  if (filter.service !== undefined) conditions.push(eq(chaosRuns.service, filter.service));
  if (filter.status !== undefined) conditions.push(eq(chaosRuns.status, filter.status));
  return db
    .select()
    .from(chaosRuns)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(chaosRuns.startedAt), desc(chaosRuns.id))
    .limit(Math.max(1, Math.floor(filter.limit ?? DEFAULT_LIMIT)));
}

/**
 * Appends journal entries at their sequence numbers (a resent batch changes
 * nothing), records the controller's leases and that it is alive.
 */
export async function appendChaosJournal(
  db: Db,
  id: string,
  batch: {
    from: number;
    entries: Record<string, unknown>[];
    leases?: { daemon: string; id: string }[];
    at: number;
  },
): Promise<void> {
  const rows = batch.entries.map((entry, i) => ({ runId: id, seq: batch.from + i, entry }));
  for (const part of chunk(rows, 3)) await db.insert(chaosJournal).values(part).onConflictDoNothing();
  const set: Partial<typeof chaosRuns.$inferInsert> = { lastSeenAt: batch.at };
  if (batch.leases) set.leases = batch.leases;
  await db.update(chaosRuns).set(set).where(eq(chaosRuns.id, id));
}

export async function listChaosJournal(db: Db, id: string): Promise<Record<string, unknown>[]> {
  const rows = await db
    .select({ entry: chaosJournal.entry })
    .from(chaosJournal)
    .where(eq(chaosJournal.runId, id))
    .orderBy(asc(chaosJournal.seq));
  return rows.map((r) => r.entry);
}

export async function setChaosRunIncidents(db: Db, id: string, incidents: number[]): Promise<void> {
  await db.update(chaosRuns).set({ incidents }).where(eq(chaosRuns.id, id));
}

/** Ends a running run; a run already ended (finished, halted by the reaper) stays as it is. */
export async function finishChaosRun(
  db: Db,
  id: string,
  end: { status: string; report?: Record<string, unknown>; finishedAt: number },
): Promise<ChaosRunRecord | undefined> {
  const set: Partial<typeof chaosRuns.$inferInsert> = { status: end.status, finishedAt: end.finishedAt };
  if (end.report) set.report = end.report;
  const [row] = await db
    .update(chaosRuns)
    .set(set)
    .where(and(eq(chaosRuns.id, id), eq(chaosRuns.status, 'running')))
    .returning();
  return row;
}

/**
 * Flags every running run (or the one `id`) to halt; returns them (their
 * controllers see the flag on their next report).
 */
export async function requestChaosHalt(db: Db, id?: string): Promise<ChaosRunRecord[]> {
  const running = eq(chaosRuns.status, 'running');
  return db
    .update(chaosRuns)
    .set({ haltRequested: true })
    .where(id === undefined ? running : and(running, eq(chaosRuns.id, id)))
    .returning();
}

/** Running runs whose controller has not reported since `before`. */
export async function silentChaosRuns(db: Db, before: number): Promise<ChaosRunRecord[]> {
  return db
    .select()
    .from(chaosRuns)
    .where(and(eq(chaosRuns.status, 'running'), lt(chaosRuns.lastSeenAt, before)));
}
