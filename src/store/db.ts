import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.ts';

/**
 * A Drizzle database (or transaction) over either driver. Store code is
 * written once against this type; only `open.ts` knows which driver it is.
 */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/**
 * Splits rows into chunks small enough for one statement. PostgreSQL's wire
 * protocol caps a statement at 65,535 parameters; `paramsPerRow` keeps each
 * chunk well under that.
 */
export function chunk<T>(rows: readonly T[], paramsPerRow: number, maxParams = 16_000): T[][] {
  const size = Math.max(1, Math.floor(maxParams / paramsPerRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
