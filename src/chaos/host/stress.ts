/**
 * CPU stress and memory pressure as child processes Ballast owns (no
 * stress-ng): revert kills them by PID, and each one exits by itself when its
 * parent goes (`workers/guard.ts`), so a crashed Ballast leaves no load behind.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { HostFaultError } from './errors.ts';
import type { CpuSpec, MemorySpec } from './spec.ts';
import type { AppliedState, FaultContext } from './types.ts';
import { transact, type UndoStack } from './undo.ts';

const CPU_WORKER = fileURLToPath(new URL('./workers/cpu.ts', import.meta.url));
const MEMORY_WORKER = fileURLToPath(new URL('./workers/memory.ts', import.meta.url));
const MIB = 1024 * 1024;

/** Starts `workers` CPU workers at `loadPct` each; all of them or none. */
export async function applyCpu(spec: CpuSpec, _ctx: FaultContext): Promise<AppliedState> {
  const { value: pids, undo } = await transact(async (undo) => {
    const pids: number[] = [];
    for (let i = 0; i < spec.workers; i++) {
      const { child } = await startWorker(CPU_WORKER, [String(spec.loadPct)], 10_000, undo);
      pids.push(child.pid as number);
    }
    return pids;
  });
  return { details: { pids, loadPct: spec.loadPct }, undo };
}

/** Starts one holder of `mb` MiB; resolves once the memory is written and resident. */
export async function applyMemory(spec: MemorySpec, _ctx: FaultContext): Promise<AppliedState> {
  const available = parseMemAvailable(await readFile('/proc/meminfo', 'utf8'));
  if (available !== undefined && spec.mb * MIB > available) {
    throw new HostFaultError(
      'refused',
      `mb ${spec.mb} is more than the ${Math.floor(available / MIB)} MiB this host has available: the OOM killer would end the fault (or something else); ask for less`,
      { field: 'mb' },
    );
  }
  const { value, undo } = await transact(async (undo) => {
    // Writing memory runs at a few GiB/s; a big holder on a busy host gets time to finish.
    const { child, message } = await startWorker(
      MEMORY_WORKER,
      [String(spec.mb)],
      10_000 + spec.mb * 5,
      undo,
    );
    return { pid: child.pid as number, rssBytes: Number(message.rssBytes) };
  });
  return { details: { pids: [value.pid], rssBytes: value.rssBytes }, undo };
}

/** `MemAvailable` of /proc/meminfo in bytes (undefined if the kernel does not report it). */
export function parseMemAvailable(meminfo: string): number | undefined {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : undefined;
}

/**
 * Forks a worker and waits for its `ready` message. Its kill is pushed onto `undo` as soon
 * as it exists, so a worker that never gets ready is killed by the unwinding too.
 */
function startWorker(
  script: string,
  args: string[],
  timeoutMs: number,
  undo: UndoStack,
): Promise<{ child: ChildProcess; message: Record<string, unknown> }> {
  // execArgv: [] keeps a test runner's or debugger's flags out of the worker.
  const child = fork(script, args, { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  undo.push(`stop worker ${child.pid ?? '(not started)'}`, () => stopChild(child));
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 2000) stderr += d;
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(
        new HostFaultError(
          'failed',
          `stress worker ${child.pid ?? ''} ${why}${stderr ? `: ${stderr.trim()}` : ''}`,
        ),
      );
    };
    const timer = setTimeout(() => fail(`was not ready after ${timeoutMs} ms`), timeoutMs);
    child.once('error', (err) => fail(`could not start (${err.message})`));
    child.once('exit', (code, sig) => fail(`exited before it was ready (${sig ?? `code ${code}`})`));
    child.once('message', (m: Record<string, unknown>) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      // The fault must not keep Ballast's event loop alive; the worker dies with Ballast anyway.
      child.unref();
      child.channel?.unref();
      (child.stderr as { unref?: () => void } | null)?.unref?.();
      resolve({ child, message: m });
    });
  });
}

/** SIGKILLs a worker and waits until it is gone; nothing to do when it already is. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${child.pid} did not exit after SIGKILL`)), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      child.kill('SIGKILL');
    } catch {
      // Already reaped between the check and the kill: the exit event still comes.
    }
  });
}
