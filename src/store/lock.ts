/**
 * The PGlite data directory lock: one process at a time may open a data
 * directory, because two PGlite instances writing the same files corrupt them.
 *
 * The lock is `<dataDir>/ballast.lock`, created exclusively (`O_EXCL`) and
 * holding `{pid, hostname, startedAt}`. A lock whose process is gone (same
 * host, `ESRCH`) is stale and replaced; any other lock refuses the open.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';

/** The lock file's name inside the data directory. */
export const LOCK_FILE_NAME = 'ballast.lock';

/** What the lock file holds. */
export interface LockInfo {
  pid: number;
  hostname: string;
  /** ISO 8601 instant the lock was taken. */
  startedAt: string;
}

/** A held lock; `release()` is idempotent and removes the file only if it is still ours. */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** Raised when the data directory is locked by a live (or uncheckable) process. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

/** Locks still held by this process, released by the exit handler. */
const held = new Set<() => void>();
let exitHandlerInstalled = false;

/** A few rounds are enough: each round either takes the lock or removes one stale file. */
const MAX_ATTEMPTS = 5;

/**
 * Takes the lock on `dataDir` (which must exist), or throws
 * {@link DataDirLockedError} naming the process that holds it.
 *
 * @example
 * const lock = acquireDataDirLock('.ballast');
 * try { ... } finally { lock.release(); }
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const path = join(dataDir, LOCK_FILE_NAME);
  const info: LockInfo = { pid: process.pid, hostname: osHostname(), startedAt: new Date().toISOString() };
  const content = `${JSON.stringify(info)}\n`;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (tryCreate(path, content)) return hold(path, content);
    const existing = readLock(path);
    if (existing === undefined) continue; // removed between our create and read: try again
    refuseUnlessStale(dataDir, path, existing.info);
    removeIfUnchanged(path, existing.raw);
  }
  throw new DataDirLockedError(
    `cannot take the lock ${path}: other processes keep replacing it; stop them or use another --data directory`,
  );
}

/** Creates the lock file exclusively; false when it already exists. */
function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if (codeOf(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, content);
  } catch (err) {
    // An empty lock would refuse every later open; leave nothing behind.
    closeSync(fd);
    unlinkSync(path);
    throw err;
  }
  closeSync(fd);
  return true;
}

/** The lock file's text and parsed content; undefined when it no longer exists. */
function readLock(path: string): { raw: string; info: LockInfo | undefined } | undefined {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return undefined;
    throw err;
  }
  return { raw, info: parseLock(raw) };
}

function parseLock(raw: string): LockInfo | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return undefined;
    const { pid, hostname, startedAt } = value as Record<string, unknown>;
    if (!Number.isInteger(pid) || (pid as number) <= 0 || typeof hostname !== 'string') return undefined;
    return {
      pid: pid as number,
      hostname,
      startedAt: typeof startedAt === 'string' ? startedAt : 'at an unknown time',
    };
  } catch {
    return undefined;
  }
}

/** Throws unless the lock belongs to a process of this host that no longer runs. */
function refuseUnlessStale(dataDir: string, path: string, info: LockInfo | undefined): void {
  if (info === undefined) {
    // Also what a concurrent opener sees between its create and its write: refusing is the safe side.
    throw new DataDirLockedError(
      `the data directory ${dataDir} has an unreadable lock file ${path}; if no Ballast process uses it, delete that file, or use another --data directory`,
    );
  }
  const started = `started ${info.startedAt}`;
  if (info.hostname !== osHostname()) {
    throw new DataDirLockedError(
      `the data directory ${dataDir} is in use by process ${info.pid} on host ${info.hostname} (${started}); this host cannot check whether it still runs: stop it, or delete ${path} if it is gone, or use another --data directory`,
    );
  }
  if (isAlive(info.pid)) {
    throw new DataDirLockedError(
      `the data directory ${dataDir} is in use by process ${info.pid} (${started}); stop it or use another --data directory`,
    );
  }
}

/** Signal 0 checks existence only; EPERM means it exists but belongs to another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return codeOf(err) !== 'ESRCH';
  }
}

/**
 * Removes a stale lock only if it still holds what we judged stale, so that a
 * fresh lock another opener just wrote in its place survives (but for a window
 * between the read and the unlink that no file API closes).
 */
function removeIfUnchanged(path: string, raw: string): void {
  const now = readLock(path);
  if (now === undefined || now.raw !== raw) return;
  try {
    unlinkSync(path);
  } catch (err) {
    if (codeOf(err) !== 'ENOENT') throw err;
  }
}

function hold(path: string, content: string): DataDirLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    held.delete(release);
    // Only our own lock: another process may have judged it stale and replaced it.
    if (readLock(path)?.raw !== content) return;
    try {
      unlinkSync(path);
    } catch (err) {
      if (codeOf(err) !== 'ENOENT') throw err;
    }
  };
  held.add(release);
  installExitHandler();
  return { path, release };
}

/** One handler for all locks: 'exit' handlers must be synchronous, which unlinkSync is. */
function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const release of [...held]) {
      try {
        release();
      } catch {
        // Exiting anyway; a lock left behind is stale and the next open replaces it.
      }
    }
  });
}

function codeOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}
