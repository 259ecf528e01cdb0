/**
 * SLI data: per-minute (good, total) buckets and raw threshold samples.
 * Ingestion is one multi-row upsert that adds to existing counts, so
 * concurrent writers to the same minute never lose an increment.
 */
import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { MINUTE_MS, type SliBucket } from '../slo/model.ts';
import { chunk, type Db } from './db.ts';
import { sliBuckets, sliSamples } from './schema.ts';

/**
 * Sums buckets of the same minute and sorts them ascending. Summing first is
 * required (`ON CONFLICT DO UPDATE` may not touch one row twice in one
 * statement); sorting makes every writer lock rows in the same order, so
 * concurrent multi-row upserts on PostgreSQL cannot deadlock.
 *
 * @throws RangeError on a minute that is not a whole, aligned epoch-ms minute or a count that is not finite.
 */
export function mergeBuckets(buckets: readonly SliBucket[]): SliBucket[] {
  const byMinute = new Map<number, SliBucket>();
  for (const b of buckets) {
    if (!Number.isSafeInteger(b.minute) || b.minute % MINUTE_MS !== 0) {
      throw new RangeError(`bucket minute ${b.minute} is not epoch ms aligned to a minute`);
    }
    if (!Number.isFinite(b.good) || !Number.isFinite(b.total)) {
      throw new RangeError(`bucket at ${b.minute} has a count that is not a finite number`);
    }
    const seen = byMinute.get(b.minute);
    if (seen) {
      seen.good += b.good;
      seen.total += b.total;
    } else {
      byMinute.set(b.minute, { minute: b.minute, good: b.good, total: b.total });
    }
  }
  return [...byMinute.values()].sort((a, b) => a.minute - b.minute);
}

/**
 * Rows per statement. Ingestion sends whole columns as three array
 * parameters (`unnest`), so a statement's size is not bounded by the
 * 65,535-parameter limit; this only keeps one statement's text reasonable.
 */
const ROWS_PER_STATEMENT = 50_000;

/**
 * Adds counts to the buckets of one SLO: one `INSERT ... SELECT FROM unnest(...)
 * ON CONFLICT (slo, minute) DO UPDATE SET good = good + excluded.good, ...`
 * per 50,000 minutes (in one transaction when there are several). Passing
 * columns as arrays instead of one parameter per value is about four times
 * faster on both drivers for large batches and costs nothing for small ones.
 */
export async function addBuckets(db: Db, slo: string, buckets: readonly SliBucket[]): Promise<void> {
  const parts = chunk(mergeBuckets(buckets), 1, ROWS_PER_STATEMENT);
  if (parts.length === 0) return;
  const write = async (tx: Db) => {
    for (const part of parts) {
      await tx.execute(sql`
        insert into ${sliBuckets} (slo, minute, good, total)
        select ${slo}, u.minute, u.good, u.total
        from unnest(
          ${arrayLiteral(part.map((b) => b.minute))}::bigint[],
          ${arrayLiteral(part.map((b) => b.good))}::float8[],
          ${arrayLiteral(part.map((b) => b.total))}::float8[]
        ) as u(minute, good, total)
        on conflict (slo, minute) do update
        set good = ${sliBuckets.good} + excluded.good, total = ${sliBuckets.total} + excluded.total`);
    }
  };
  if (parts.length === 1) await write(db);
  else await db.transaction(write);
}

/**
 * A PostgreSQL array literal of finite numbers, sent as one text parameter:
 * both drivers pass text through unchanged, and a JS number's shortest
 * round-trip form parses back to the identical double in PostgreSQL.
 */
export function arrayLiteral(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

/** Buckets of one SLO with `from <= minute < to`, ascending. */
export async function readBuckets(db: Db, slo: string, from: number, to: number): Promise<SliBucket[]> {
  return db
    .select({ minute: sliBuckets.minute, good: sliBuckets.good, total: sliBuckets.total })
    .from(sliBuckets)
    .where(and(eq(sliBuckets.slo, slo), gte(sliBuckets.minute, from), lt(sliBuckets.minute, to)))
    .orderBy(asc(sliBuckets.minute));
}

/** Buckets of every SLO in `[from, to)`, grouped by SLO, each list ascending. */
export async function readAllBuckets(db: Db, from: number, to: number): Promise<Map<string, SliBucket[]>> {
  const rows = await db
    .select()
    .from(sliBuckets)
    .where(and(gte(sliBuckets.minute, from), lt(sliBuckets.minute, to)))
    .orderBy(asc(sliBuckets.slo), asc(sliBuckets.minute));
  const out = new Map<string, SliBucket[]>();
  for (const { slo, minute, good, total } of rows) {
    let list = out.get(slo);
    if (!list) {
      list = [];
      out.set(slo, list);
    }
    list.push({ minute, good, total });
  }
  return out;
}

/** A raw threshold sample. */
export interface Sample {
  timestamp: number;
  value: number;
}

/**
 * Appends raw samples of one SLO, columns as arrays like `addBuckets`.
 *
 * @throws RangeError on a timestamp that is not a whole number or a value that is not finite.
 */
export async function addSamples(db: Db, slo: string, samples: readonly Sample[]): Promise<void> {
  for (const s of samples) {
    if (!Number.isSafeInteger(s.timestamp) || !Number.isFinite(s.value)) {
      throw new RangeError(
        `sample (${s.timestamp}, ${s.value}) needs an epoch-ms timestamp and a finite value`,
      );
    }
  }
  const parts = chunk(samples, 1, ROWS_PER_STATEMENT);
  if (parts.length === 0) return;
  const write = async (tx: Db) => {
    for (const part of parts) {
      await tx.execute(sql`
        insert into ${sliSamples} (slo, at, value)
        select ${slo}, u.at, u.value
        from unnest(
          ${arrayLiteral(part.map((s) => s.timestamp))}::bigint[],
          ${arrayLiteral(part.map((s) => s.value))}::float8[]
        ) as u(at, value)`);
    }
  };
  if (parts.length === 1) await write(db);
  else await db.transaction(write);
}

/** Samples of one SLO with `from <= timestamp < to`, ascending by time. */
export async function readSamples(db: Db, slo: string, from: number, to: number): Promise<Sample[]> {
  return db
    .select({ timestamp: sliSamples.at, value: sliSamples.value })
    .from(sliSamples)
    .where(and(eq(sliSamples.slo, slo), gte(sliSamples.at, from), lt(sliSamples.at, to)))
    .orderBy(asc(sliSamples.at));
}

/**
 * Deletes at most `limit` of an SLO's buckets older than `before`, oldest
 * first, and as many of its threshold samples; resolves with the rows deleted.
 * Bounded so a first prune of a big history does not hold one long delete;
 * the primary key (slo, minute) finds the rows without a scan.
 */
export async function pruneSliData(db: Db, slo: string, before: number, limit: number): Promise<number> {
  const n = Math.max(0, Math.floor(limit));
  const oldBuckets = db
    .select({ minute: sliBuckets.minute })
    .from(sliBuckets)
    .where(and(eq(sliBuckets.slo, slo), lt(sliBuckets.minute, before)))
    .orderBy(asc(sliBuckets.minute))
    .limit(n);
  const buckets = await db
    .delete(sliBuckets)
    .where(and(eq(sliBuckets.slo, slo), inArray(sliBuckets.minute, oldBuckets)))
    .returning({ minute: sliBuckets.minute });
  // Samples have no key: the physical row id picks the batch.
  const samples = await db.execute(sql`
    delete from ${sliSamples} where ctid in (
      select ctid from ${sliSamples} where slo = ${slo} and at < ${before} order by at limit ${n}
    ) returning 1`);
  const sampleRows = Array.isArray(samples)
    ? samples.length
    : ((samples as { rows?: unknown[] }).rows?.length ?? 0);
  return buckets.length + sampleRows;
}
