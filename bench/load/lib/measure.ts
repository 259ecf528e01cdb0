/**
 * Runs a generator as `/usr/bin/time -f … taskset -c CPU cmd args` and reads
 * back what the kernel accounted for it. GNU time gets the child's rusage
 * from wait4(): user and system CPU of every thread of the process (wrk's
 * threads, Node's worker_threads and libuv pool) plus any descendants it
 * waited for, and ru_maxrss, the peak resident set. taskset execs the command,
 * so the measured process is the generator itself, not a wrapper.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  /** CPU seconds in user and kernel mode (all threads). */
  userS: number;
  sysS: number;
  cpuS: number;
  /** Peak RSS in MiB. */
  maxRssMiB: number;
  wallS: number;
}

export interface MeasureOptions {
  cpu: number | string;
  /** Called with the generator's PID once it is known (for RSS sampling). */
  onPid?: (pid: number) => void;
  /** Kill the generator after this long (a bench must stop by itself). */
  killAfterMs: number;
  env?: NodeJS.ProcessEnv;
  /** Shell prefix run before exec, e.g. `ulimit -n 20000`. */
  shellPrefix?: string;
}

export async function measure(cmd: string, args: string[], o: MeasureOptions): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'ballast-bench-time-'));
  const out = join(dir, 'time.txt');
  const timeArgs = ['-f', '%U %S %M %e', '-o', out, 'taskset', '-c', String(o.cpu), cmd, ...args];
  const child = o.shellPrefix
    ? spawn('bash', ['-c', `${o.shellPrefix}; exec /usr/bin/time "$@"`, 'bash', ...timeArgs], { env: o.env })
    : spawn('/usr/bin/time', timeArgs, { env: o.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let genPid: number | undefined;
  const findPid = setInterval(() => {
    if (genPid !== undefined || child.pid === undefined) return;
    genPid = childOf(child.pid);
    if (genPid !== undefined) {
      clearInterval(findPid);
      o.onPid?.(genPid);
    }
  }, 20);
  const killer = setTimeout(() => {
    if (genPid !== undefined) process.kill(genPid, 'SIGKILL');
  }, o.killAfterMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearInterval(findPid);
  clearTimeout(killer);
  const text = (await readFile(out, 'utf8')).trim().split('\n').at(-1) ?? '';
  await rm(dir, { recursive: true, force: true });
  const [u, s, m, e] = text.split(' ').map(Number);
  if (u === undefined || s === undefined || m === undefined || e === undefined || Number.isNaN(u)) {
    throw new Error(`could not read /usr/bin/time output ${JSON.stringify(text)}; stderr: ${stderr}`);
  }
  return { code, stdout, stderr, userS: u, sysS: s, cpuS: u + s, maxRssMiB: m / 1024, wallS: e };
}

/** The (single) child of `pid`, following a bash wrapper down to /usr/bin/time's child. */
function childOf(pid: number): number | undefined {
  let cur = pid;
  for (let depth = 0; depth < 3; depth++) {
    const kids = readChildren(cur);
    if (kids.length === 0) return depth === 0 ? undefined : cur;
    cur = kids[0] as number;
    if (comm(cur) !== 'time') return cur;
  }
  return cur;
}

function readChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Current RSS of a process in MiB (VmRSS), or undefined once it is gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
