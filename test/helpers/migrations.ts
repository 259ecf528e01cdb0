/**
 * Databases as an older Ballast left them: a copy of the migrations folder
 * cut before a given migration, applied to a fresh database, then raw SQL
 * run on it; opening the store afterwards applies the rest.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { OpenStoreOptions } from '../../src/store/index.ts';

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** A migrations folder holding only the migrations before the one `tag` names; `cleanup` removes it. */
export async function migrationsBefore(
  tag: string,
): Promise<{ folder: string; cleanup: () => Promise<void> }> {
  const journal = JSON.parse(await readFile(join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  const index = journal.entries.findIndex((e) => e.tag === tag);
  if (index < 0) throw new Error(`no migration ${tag}`);
  const kept = journal.entries.slice(0, index);
  const folder = await mkdtemp(join(tmpdir(), 'ballast-migrations-'));
  // The migrators read only the journal and the SQL files it names.
  await mkdir(join(folder, 'meta'));
  await writeFile(join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: kept }));
  for (const e of kept) await cp(join(MIGRATIONS, `${e.tag}.sql`), join(folder, `${e.tag}.sql`));
  return { folder, cleanup: () => rm(folder, { recursive: true, force: true }) };
}

/** Migrates a database with `folder` only, then runs `statements` on it, as an older Ballast would have. */
export async function prepareOldDatabase(
  options: OpenStoreOptions,
  folder: string,
  statements: string[],
): Promise<void> {
  if (options.databaseUrl) {
    const client = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await migratePostgres(drizzlePostgres({ client }), { migrationsFolder: folder });
      for (const statement of statements) await client.unsafe(statement);
    } finally {
      await client.end({ timeout: 5 });
    }
    return;
  }
  if (!options.dataDir) throw new Error('an old PGlite database needs a data directory to reopen');
  const client = await PGlite.create(options.dataDir);
  try {
    await migratePglite(drizzlePglite({ client }), { migrationsFolder: folder });
    for (const statement of statements) await client.exec(statement);
  } finally {
    await client.close();
  }
}
