/**
 * Process faults against child processes this test starts: each child carries a
 * unique marker in its argv, so a command-line match can only find it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HostFaultManager, type ProcessDetails } from '../src/chaos/host/index.ts';
import { alive, eventually, hostFaultRejection } from '../src/chaos/host/testing.ts';

const children: ChildProcess[] = [];
const faults = new HostFaultManager();
let n = 0;

afterEach(async () => {
  await faults.revertAll();
});

afterAll(() => {
  for (const c of children) {
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) process.kill(c.pid, 'SIGKILL');
  }
});

/** A marker no other process on the host has in its command line. */
function marker(): string {
  return `ballast-t-${process.pid}-${++n}-marker`;
}

/** A Node child that idles until killed, with `mark` as its argument. */
function startChild(mark: string): ChildProcess & { pid: number } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', mark], { stdio: 'ignore' });
  children.push(child);
  return child as ChildProcess & { pid: number };
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((resolve) => child.once('exit', (code, sig) => resolve(sig ?? code)));
}

async function state(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

describe('process faults', () => {
  it('pause by pid stops the process, and revert continues it', async () => {
    const child = startChild(marker());
    await eventually(async () => (await state(child.pid)) === 'S');
    const f = await faults.add({ kind: 'pause', pid: child.pid });
    expect((f.details as ProcessDetails).targets).toEqual([
      { pid: child.pid, cmdline: expect.stringContaining('setInterval'), startTime: expect.any(Number) },
    ]);
    expect(await eventually(async () => (await state(child.pid)) === 'T')).toBe(true);
    await faults.revert(f.id);
    expect(await eventually(async () => (await state(child.pid)) !== 'T')).toBe(true);
  });

  it('pause by a marker in the argv finds exactly that process, and a second pause of it conflicts', async () => {
    const mark = marker();
    const child = startChild(mark);
    await eventually(async () => (await readFile(`/proc/${child.pid}/cmdline`, 'utf8')).includes(mark));
    const f = await faults.add({ kind: 'pause', cmdline: mark });
    expect((f.details as ProcessDetails).targets.map((t) => t.pid)).toEqual([child.pid]);
    const err = await hostFaultRejection(faults.add({ kind: 'pause', pid: child.pid }));
    expect(err.code).toBe('conflict');
    expect(err.message).toContain(`process ${child.pid} is already held by fault ${f.id}`);
    expect(await state(child.pid)).toBe('T');
  });

  it('kill by a command-line regex sends SIGKILL by default', async () => {
    const mark = marker();
    const child = startChild(mark);
    await eventually(async () => (await readFile(`/proc/${child.pid}/cmdline`, 'utf8')).includes(mark));
    const f = await faults.add({ kind: 'kill', cmdlineRegex: `-e .* ${mark}$` });
    expect(f.details).toMatchObject({ signal: 'SIGKILL', targets: [{ pid: child.pid }] });
    expect(await exited(child)).toBe('SIGKILL');
    // A kill cannot be undone; revert just forgets it.
    expect(await faults.revert(f.id)).toBe(true);
  });

  it('kill by pid sends the signal asked for', async () => {
    const child = startChild(marker());
    await faults.add({ kind: 'kill', pid: child.pid, signal: 'SIGTERM' });
    expect(await exited(child)).toBe('SIGTERM');
  });

  it('more matches than maxTargets are refused and no process is signalled', async () => {
    const mark = marker();
    const [a, b] = [startChild(mark), startChild(mark)];
    await eventually(async () => (await readFile(`/proc/${b.pid}/cmdline`, 'utf8')).includes(mark));
    const err = await hostFaultRejection(faults.add({ kind: 'kill', cmdline: mark }));
    expect(err).toMatchObject({ code: 'refused', field: 'maxTargets' });
    expect(err.message).toContain('2 processes match');
    expect([await alive(a.pid), await alive(b.pid)]).toEqual([true, true]);

    await faults.add({ kind: 'kill', cmdline: mark, maxTargets: 2 });
    expect(await Promise.all([exited(a), exited(b)])).toEqual(['SIGKILL', 'SIGKILL']);
  });

  it.each([
    ['pid 1', 1, 'init (pid 1)'],
    ["Ballast's own process", process.pid, "Ballast's own process"],
    ["Ballast's parent", process.ppid, 'an ancestor'],
  ])('%s is refused', async (_name, pid, what) => {
    const err = await hostFaultRejection(faults.add({ kind: 'kill', pid }));
    expect(err).toMatchObject({ code: 'refused', field: 'pid' });
    expect(err.message).toContain(what);
  });

  it('a pattern nothing matches is not found', async () => {
    const err = await hostFaultRejection(faults.add({ kind: 'pause', cmdline: marker() }));
    expect(err).toMatchObject({ code: 'not_found', field: 'cmdline' });
  });

  it('reverting a pause whose process has died since is a no-op', async () => {
    const child = startChild(marker());
    const f = await faults.add({ kind: 'pause', pid: child.pid });
    process.kill(child.pid, 'SIGKILL');
    await exited(child);
    expect(await faults.revert(f.id)).toBe(true);
    expect(faults.list()).toEqual([]);
  });

  it('pausing several processes is all-or-nothing when one of them cannot be paused', async () => {
    const mark = marker();
    const a = startChild(mark);
    await eventually(async () => (await readFile(`/proc/${a.pid}/cmdline`, 'utf8')).includes(mark));
    // Holding the second process's claim makes the pause fail after the first SIGSTOP was sent.
    const b = startChild(mark);
    await eventually(async () => (await readFile(`/proc/${b.pid}/cmdline`, 'utf8')).includes(mark));
    const holder = await faults.add({ kind: 'pause', pid: Math.max(a.pid, b.pid) });
    const err = await hostFaultRejection(faults.add({ kind: 'pause', cmdline: mark, maxTargets: 2 }));
    expect(err.code).toBe('conflict');
    const first = Math.min(a.pid, b.pid);
    expect(await eventually(async () => (await state(first)) !== 'T')).toBe(true);
    await faults.revert(holder.id);
  });
});
