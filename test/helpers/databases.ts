/**
 * Databases for integration tests: a throwaway PostgreSQL database on the
 * local server, and a harness that runs one suite against both store drivers.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe } from 'vitest';
import { type DrizzleStore, type OpenStoreOptions, openStore } from '../../src/store/index.ts';

/** The maintenance database of the local PostgreSQL; override with BALLAST_TEST_POSTGRES_URL. */
const ADMIN_URL = process.env.BALLAST_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of its own on the local PostgreSQL. */
export interface TestPostgres {
  /** Connection URL of the new database. */
  url: string;
  /** Drops the database, ending any connection still open to it. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named empty database (`ballast_test_<pid>_<random>`).
 *
 * @example
 * const pg = await createTestPostgres();
 * const store = await openStore({ databaseUrl: pg.url });
 * // ...
 * await store.close();
 * await pg.drop();
 */
export async function createTestPostgres(): Promise<TestPostgres> {
  const name = `ballast_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((sql) => sql`create database ${sql(name)}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop() {
      dropped ??= withAdmin(async (sql) => {
        await sql`drop database if exists ${sql(name)} with (force)`;
      });
      return dropped;
    },
  };
}

async function withAdmin<T>(work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export type Driver = 'pglite' | 'postgres';

/** What a suite run by `forEachDriver` gets: fresh databases of one driver, cleaned up after the suite. */
export interface DriverHarness {
  readonly driver: Driver;
  /**
   * Options that open a new, empty database. PGlite runs in memory unless
   * `reopenable` asks for a temporary data directory (to test close/open).
   */
  freshDatabase(options?: { reopenable?: boolean }): Promise<OpenStoreOptions>;
  /** Opens a store that is closed after the suite if the test did not close it. */
  open(options: OpenStoreOptions): Promise<DrizzleStore>;
}

/**
 * Runs the same suite once per driver, inside `describe('<name> (<driver>)')`.
 *
 * @example
 * forEachDriver('store', (h) => {
 *   it('stores buckets', async () => {
 *     const store = await h.open(await h.freshDatabase());
 *     // ...
 *   });
 * });
 */
export function forEachDriver(name: string, suite: (harness: DriverHarness) => void): void {
  describe.each<Driver>(['pglite', 'postgres'])(`${name} (%s)`, (driver) => {
    const cleanups: (() => Promise<void>)[] = [];
    const stores: DrizzleStore[] = [];
    afterAll(async () => {
      for (const store of stores) await store.close();
      for (const cleanup of cleanups) await cleanup();
    });
    suite({
      driver,
      async freshDatabase(options = {}) {
        if (driver === 'postgres') {
          const pg = await createTestPostgres();
          cleanups.push(() => pg.drop());
          return { databaseUrl: pg.url };
        }
        if (!options.reopenable) return { inMemory: true };
        const dir = await mkdtemp(join(tmpdir(), 'ballast-store-'));
        cleanups.push(() => rm(dir, { recursive: true, force: true }));
        return { dataDir: dir };
      },
      async open(options) {
        const store = await openStore(options);
        stores.push(store);
        return store;
      },
    });
  });
}
