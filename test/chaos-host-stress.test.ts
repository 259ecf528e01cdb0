/**
 * CPU stress and memory pressure: the workers are real child processes, their
 * CPU time and resident memory are read from /proc, and they must die both on
 * revert and when the process that started them dies.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { HostFaultError, HostFaultManager, type StressDetails } from '../src/chaos/host/index.ts';
import { alive, cpuSeconds, eventually } from '../src/chaos/host/testing.ts';

const faults = new HostFaultManager();
const MIB = 1024 * 1024;

afterAll(async () => {
  await faults.revertAll();
});

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('CPU stress', () => {
  it('two workers at 50 % each use about half a core over 2 s, and revert kills them', async () => {
    const f = await faults.add({ kind: 'cpu', workers: 2, loadPct: 50 });
    const { pids } = f.details as StressDetails;
    expect(pids).toHaveLength(2);
    const start = await Promise.all(pids.map(cpuSeconds));
    const t0 = performance.now();
    await sleep(2000);
    const end = await Promise.all(pids.map(cpuSeconds));
    const wall = (performance.now() - t0) / 1000;
    for (const [i] of pids.entries()) {
      const share = ((end[i] as number) - (start[i] as number)) / wall;
      // Two shared cores: generous bounds around the asked 0.5.
      expect(share).toBeGreaterThan(0.25);
      expect(share).toBeLessThan(0.75);
    }
    await faults.revert(f.id);
    expect(await Promise.all(pids.map(alive))).toEqual([false, false]);
  });

  it('a lighter load uses less CPU than a heavier one', async () => {
    const light = await faults.add({ kind: 'cpu', loadPct: 15 });
    const heavy = await faults.add({ kind: 'cpu', loadPct: 60 });
    const [l, h] = [
      (light.details as StressDetails).pids[0] as number,
      (heavy.details as StressDetails).pids[0] as number,
    ];
    const [l0, h0] = [await cpuSeconds(l), await cpuSeconds(h)];
    await sleep(1500);
    const [l1, h1] = [await cpuSeconds(l), await cpuSeconds(h)];
    const lightUsed = (l1 as number) - (l0 as number);
    const heavyUsed = (h1 as number) - (h0 as number);
    expect(heavyUsed).toBeGreaterThan(lightUsed * 2);
    await faults.revertAll();
  });
});

describe('memory pressure', () => {
  it('holds 128 MiB resident, and revert frees it', async () => {
    const f = await faults.add({ kind: 'memory', mb: 128 });
    const details = f.details as StressDetails;
    const pid = details.pids[0] as number;
    expect(details.rssBytes).toBeGreaterThan(0.9 * 128 * MIB);
    expect(await rssBytes(pid)).toBeGreaterThan(0.9 * 128 * MIB);
    expect((await readFile(`/proc/${pid}/oom_score_adj`, 'utf8')).trim()).toBe('1000');
    await faults.revert(f.id);
    expect(await alive(pid)).toBe(false);
  });

  it('more memory than the host has available is refused, naming mb', async () => {
    const err = await faults
      .add({ kind: 'memory', mb: 4_000_000 })
      .catch((e: unknown) => e as HostFaultError);
    expect(err).toBeInstanceOf(HostFaultError);
    expect(err).toMatchObject({ code: 'refused', field: 'mb' });
    expect(faults.list()).toEqual([]);
  });
});

describe('stress workers and their parent', () => {
  it('CPU and memory workers exit when the process that started them is killed', async () => {
    // A separate Node process runs a manager, starts both faults, prints the worker PIDs and waits.
    const index = new URL('../src/chaos/host/index.ts', import.meta.url).href;
    const script = `
      import { HostFaultManager } from ${JSON.stringify(index)};
      const m = new HostFaultManager();
      const cpu = await m.add({ kind: 'cpu', workers: 2, loadPct: 10 });
      const mem = await m.add({ kind: 'memory', mb: 16 });
      console.log(JSON.stringify([...cpu.details.pids, ...mem.details.pids]));
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pids = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      parent.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out) as number[]);
      });
      parent.once('exit', (code) => reject(new Error(`manager process exited ${code} before printing`)));
    });
    try {
      expect(pids).toHaveLength(3);
      expect(await Promise.all(pids.map(alive))).toEqual([true, true, true]);
      process.kill(parent.pid as number, 'SIGKILL');
      const allGone = await eventually(
        async () => (await Promise.all(pids.map(alive))).every((a) => !a),
        5000,
      );
      expect(allGone).toBe(true);
    } finally {
      for (const pid of [parent.pid as number, ...pids]) {
        if (await alive(pid)) process.kill(pid, 'SIGKILL');
      }
    }
  });
});
