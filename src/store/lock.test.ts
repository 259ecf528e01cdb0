import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DrizzleStore } from './drizzle-store.ts';
import { DataDirLockedError, LOCK_FILE_NAME, type LockInfo } from './lock.ts';
import { openStore } from './open.ts';

let dir: string;
let lockPath: string;
const opened: DrizzleStore[] = [];

async function open(): Promise<DrizzleStore> {
  const store = await openStore({ dataDir: dir });
  opened.push(store);
  return store;
}

function readLockFile(): LockInfo {
  return JSON.parse(readFileSync(lockPath, 'utf8')) as LockInfo;
}

function writeLockFile(info: LockInfo): void {
  writeFileSync(lockPath, `${JSON.stringify(info)}\n`);
}

/** The pid of a process that has run and exited (reaped by spawnSync), so nothing answers to it now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.status).toBe(0);
  expect(child.pid).toBeGreaterThan(0);
  return child.pid as number;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ballast-lock-'));
  lockPath = join(dir, LOCK_FILE_NAME);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('the PGlite data directory lock', () => {
  it('an open store holds a lock file naming this process and host', async () => {
    await open();
    const info = readLockFile();
    expect(info.pid).toBe(process.pid);
    expect(info.hostname).toBe(hostname());
    expect(Number.isNaN(Date.parse(info.startedAt))).toBe(false);
  });

  it('a second store on the same directory is refused while the first is open, naming the holder', async () => {
    await open();
    const { startedAt } = readLockFile();
    const refused = openStore({ dataDir: dir });
    await expect(refused).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(refused).rejects.toThrow(
      `the data directory ${dir} is in use by process ${process.pid} (started ${startedAt}); stop it or use another --data directory`,
    );
  });

  it('the refused open leaves the holder its lock', async () => {
    await open();
    const before = readFileSync(lockPath, 'utf8');
    await expect(openStore({ dataDir: dir })).rejects.toThrow(DataDirLockedError);
    expect(readFileSync(lockPath, 'utf8')).toBe(before);
  });

  it('close() releases the lock, so the directory opens again', async () => {
    const first = await open();
    await first.close();
    expect(existsSync(lockPath)).toBe(false);
    const second = await open();
    expect(await second.listSlos()).toEqual([]);
    expect(readLockFile().pid).toBe(process.pid);
  });

  it('close() leaves a lock that is no longer ours, such as one another process put in its place', async () => {
    const store = await open();
    const other: LockInfo = {
      pid: deadPid(),
      hostname: 'elsewhere.invalid',
      startedAt: '2020-01-01T00:00:00.000Z',
    };
    writeLockFile(other);
    await store.close();
    expect(readLockFile()).toEqual(other);
  });

  it('a stale lock of a process that no longer runs is replaced', async () => {
    const pid = deadPid();
    writeLockFile({ pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z' });
    await open();
    expect(readLockFile().pid).toBe(process.pid);
  });

  it('a lock of this very process held by another store object is refused', async () => {
    writeLockFile({ pid: process.pid, hostname: hostname(), startedAt: '2020-01-01T00:00:00.000Z' });
    await expect(openStore({ dataDir: dir })).rejects.toThrow(
      `the data directory ${dir} is in use by process ${process.pid} (started 2020-01-01T00:00:00.000Z); stop it or use another --data directory`,
    );
  });

  it('a lock from another host is refused, naming the host, because its process cannot be checked', async () => {
    const pid = deadPid();
    writeLockFile({ pid, hostname: 'elsewhere.invalid', startedAt: '2020-01-01T00:00:00.000Z' });
    await expect(openStore({ dataDir: dir })).rejects.toThrow(
      `the data directory ${dir} is in use by process ${pid} on host elsewhere.invalid (started 2020-01-01T00:00:00.000Z)`,
    );
    expect(readLockFile().hostname).toBe('elsewhere.invalid');
  });

  it('an unreadable lock file is refused rather than guessed stale', async () => {
    writeFileSync(lockPath, '');
    await expect(openStore({ dataDir: dir })).rejects.toThrow(`has an unreadable lock file ${lockPath}`);
    expect(readFileSync(lockPath, 'utf8')).toBe('');
  });

  it('a store in memory takes no lock', async () => {
    const store = await openStore({ inMemory: true, dataDir: dir });
    opened.push(store);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('a process that exits without closing its store removes its lock on exit', () => {
    const script = `
      import { openStore } from ${JSON.stringify(new URL('./open.ts', import.meta.url).href)};
      await openStore({ dataDir: ${JSON.stringify(dir)} });
      process.exit(0);
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).not.toContain('Error');
    expect(child.status).toBe(0);
    expect(existsSync(lockPath)).toBe(false);
  });
});
