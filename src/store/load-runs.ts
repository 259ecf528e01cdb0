/** Load-test runs, their per-second samples, and measured service capacity. */
import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { LoadSummary, SecondSample } from '../load/types.ts';
import { chunk, type Db } from './db.ts';
import { loadRunSeconds, loadRuns, serviceCapacity } from './schema.ts';
import type { CapacityRecord, LoadRunListRecord, LoadRunRecord, LoadRunStatus } from './types.ts';

const DEFAULT_LIMIT = 50;

export interface CreateLoadRunInput {
  id: string;
  name: string;
  service?: string;
  plan: Record<string, unknown>;
  startedAt: number;
}

export async function createLoadRun(db: Db, input: CreateLoadRunInput): Promise<LoadRunRecord> {
  const [row] = await db
    .insert(loadRuns)
    .values({
      id: input.id,
      name: input.name,
      service: input.service ?? null,
      status: 'running',
      plan: input.plan,
      summary: null,
      startedAt: input.startedAt,
      finishedAt: null,
    })
    .returning();
  if (!row) throw new Error('load run insert returned no row');
  return toRun(row);
}

export async function getLoadRun(db: Db, id: string): Promise<LoadRunRecord | undefined> {
  const [row] = await db.select().from(loadRuns).where(eq(loadRuns.id, id));
  return row ? toRun(row) : undefined;
}

/**
 * Runs newest first. The summary is read without `series`, `spectrum` and
 * `perRequest` (jsonb `-` in the database), so a list of long runs stays small.
 */
export async function listLoadRuns(
  db: Db,
  filter: { service?: string; status?: LoadRunStatus; limit?: number },
): Promise<LoadRunListRecord[]> {
  const conditions: SQL[] = [];
  if (filter.service !== undefined) conditions.push(eq(loadRuns.service, filter.service));
  if (filter.status !== undefined) conditions.push(eq(loadRuns.status, filter.status));
  const rows = await db
    .select({
      id: loadRuns.id,
      name: loadRuns.name,
      service: loadRuns.service,
      status: loadRuns.status,
      startedAt: loadRuns.startedAt,
      finishedAt: loadRuns.finishedAt,
      summary: sql<
        LoadRunListRecord['summary']
      >`(${loadRuns.summary} - 'series' - 'spectrum' - 'perRequest')`,
    })
    .from(loadRuns)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(loadRuns.startedAt), desc(loadRuns.id))
    .limit(Math.max(1, Math.floor(filter.limit ?? DEFAULT_LIMIT)));
  return rows.map((r) => ({ ...r, status: r.status as LoadRunStatus, summary: r.summary ?? null }));
}

export async function addLoadRunSeconds(db: Db, id: string, samples: SecondSample[]): Promise<void> {
  // Within one batch the last sample of a second wins, as a later batch would.
  const bySecond = new Map<number, SecondSample>();
  for (const s of samples) bySecond.set(s.t, s);
  const rows = [...bySecond.values()].map((sample) => ({ runId: id, t: sample.t, sample }));
  for (const part of chunk(rows, 3)) {
    await db
      .insert(loadRunSeconds)
      .values(part)
      .onConflictDoUpdate({
        target: [loadRunSeconds.runId, loadRunSeconds.t],
        set: { sample: sql`excluded.sample` },
      });
  }
}

export async function listLoadRunSeconds(db: Db, id: string): Promise<SecondSample[]> {
  const rows = await db
    .select({ sample: loadRunSeconds.sample })
    .from(loadRunSeconds)
    .where(eq(loadRunSeconds.runId, id))
    .orderBy(asc(loadRunSeconds.t));
  return rows.map((r) => r.sample);
}

export async function finishLoadRun(
  db: Db,
  id: string,
  end: { status: Exclude<LoadRunStatus, 'running'>; summary?: LoadSummary; finishedAt: number },
): Promise<LoadRunRecord | undefined> {
  const set: Partial<typeof loadRuns.$inferInsert> = { status: end.status, finishedAt: end.finishedAt };
  if (end.summary) set.summary = end.summary;
  // Only a running run ends: the silent-run reaper and a late finish from the CLI must not overwrite each other.
  const [row] = await db
    .update(loadRuns)
    .set(set)
    .where(and(eq(loadRuns.id, id), eq(loadRuns.status, 'running')))
    .returning();
  return row ? toRun(row) : undefined;
}

export async function addServiceCapacity(db: Db, record: CapacityRecord): Promise<void> {
  await db.insert(serviceCapacity).values({
    service: record.service,
    measuredAt: record.measuredAt,
    ratePerSecond: record.ratePerSecond,
    slo: record.slo,
    steps: record.steps,
  });
}

export async function listServiceCapacity(
  db: Db,
  service: string,
  limit = DEFAULT_LIMIT,
): Promise<CapacityRecord[]> {
  const rows = await db
    .select()
    .from(serviceCapacity)
    .where(eq(serviceCapacity.service, service))
    .orderBy(desc(serviceCapacity.measuredAt), desc(serviceCapacity.id))
    .limit(Math.max(1, Math.floor(limit)));
  return rows.map(toCapacity);
}

/** The newest measurement per service (ties on `measuredAt` go to the later insert). */
export async function latestCapacities(db: Db): Promise<CapacityRecord[]> {
  const rows = await db
    .selectDistinctOn([serviceCapacity.service])
    .from(serviceCapacity)
    .orderBy(asc(serviceCapacity.service), desc(serviceCapacity.measuredAt), desc(serviceCapacity.id));
  return rows.map(toCapacity);
}

function toRun(row: typeof loadRuns.$inferSelect): LoadRunRecord {
  return { ...row, status: row.status as LoadRunStatus };
}

function toCapacity(row: typeof serviceCapacity.$inferSelect): CapacityRecord {
  return {
    service: row.service,
    measuredAt: row.measuredAt,
    ratePerSecond: row.ratePerSecond,
    slo: row.slo,
    steps: row.steps,
  };
}
