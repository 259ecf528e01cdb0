/**
 * The store: Ballast's database behind the `Store` interface, on PGlite
 * (embedded, default `.ballast/`) or PostgreSQL (`DATABASE_URL`).
 */
export { DrizzleStore } from './drizzle-store.ts';
export { DataDirLockedError, LOCK_FILE_NAME, type LockInfo } from './lock.ts';
export { DEFAULT_DATA_DIR, type OpenStoreOptions, openStore } from './open.ts';
export { generateTokenSecret, hashTokenSecret, TOKEN_PREFIX } from './tokens.ts';
export type * from './types.ts';
