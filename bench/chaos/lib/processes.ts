/**
 * Pinned child processes for the chaos benchmark: started as
 * `taskset -c CPU cmd args` (taskset execs, so the PID is the command's own),
 * read for one JSON line on stdout when they announce their ports, and stopped
 * by that PID (SIGTERM, then SIGKILL after a grace). CPU time comes from
 * /proc/PID/stat, so the proxy's own cost can be read per case.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Pinned<T> {
  pid: number;
  /** The JSON line it printed (undefined when not asked for). */
  info: T;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Everything it wrote to stdout so far (e.g. `--trace-gc` lines). */
  stdout(): string;
  stop(): Promise<void>;
}

export interface PinnedOptions {
  /** A core, or a taskset CPU list ("0-1": let the scheduler place it). */
  cpu: number | string;
  /** Wait for one JSON line on stdout (default true). */
  json?: boolean;
  /** Give up starting after this long. */
  startTimeoutMs?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

export async function startPinned<T>(cmd: string, args: string[], o: PinnedOptions): Promise<Pinned<T>> {
  const child: ChildProcess = spawn('taskset', ['-c', String(o.cpu), cmd, ...args], {
    // stdin stays open while this process lives: the Node children exit when it closes (see exitWithParent).
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...o.env },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${cmd} did not start`);
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGTERM');
    const t = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    }, 5_000);
    await exited;
    clearTimeout(t);
  };
  const out = { stderr: () => stderr, stdout: () => stdout };
  if (o.json === false) return { pid, info: undefined as T, ...out, stop };
  const info = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`no JSON line after ${o.startTimeoutMs ?? 15_000} ms`),
      o.startTimeoutMs ?? 15_000,
    );
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(' ')}: ${why}; stderr: ${stderr}`));
    };
    // The first line that starts with `{` (node flags such as --trace-gc print lines of their own).
    const look = (): void => {
      const line = stdout.split('\n').find((l, i, all) => l.startsWith('{') && i < all.length - 1);
      if (line === undefined) return;
      child.stdout?.off('data', look);
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as T);
      } catch (err) {
        fail(`bad JSON line (${(err as Error).message})`);
      }
    };
    child.stdout?.on('data', look);
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before announcing itself`));
  }).catch(async (err) => {
    await stop();
    throw err;
  });
  return { pid, info, ...out, stop };
}

/** User + system CPU seconds of a process (all its threads) so far, from /proc/PID/stat. */
export function procCpuS(pid: number): number {
  const t = procTimes(pid);
  return t.userS + t.sysS;
}

/** User and system CPU seconds of a process (all its threads) so far. */
export function procTimes(pid: number): { userS: number; sysS: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime: fields 14 and 15.
  return { userS: Number(rest[11]) / CLOCK_TICKS, sysS: Number(rest[12]) / CLOCK_TICKS };
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** Pins every thread of `pid` to `cpu` (taskset -a -p). */
export async function pinProcess(pid: number, cpu: number | string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const c = spawn('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`taskset -p exited ${code}`))));
  });
}

/** For a child started by {@link startPinned}: exit when the bench's end of stdin closes (the bench died). */
export function exitWithParent(onExit: () => void = () => process.exit(0)): void {
  process.stdin.on('end', onExit);
  process.stdin.on('error', onExit);
  process.stdin.resume();
}
