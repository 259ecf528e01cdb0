/**
 * Reading processes from /proc, and choosing the targets of a process fault.
 * Parsing and choosing are pure; reading /proc sits in the three async functions.
 */
import { readdir, readFile } from 'node:fs/promises';
import { HostFaultError } from './errors.ts';

/** Linux reports /proc times in clock ticks; USER_HZ is 100 on every architecture Node runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** The fields of /proc/PID/stat that host faults use. */
export interface ProcStat {
  pid: number;
  comm: string;
  /** R running, S sleeping, T stopped, Z zombie, … */
  state: string;
  ppid: number;
  /** CPU time in user and kernel mode, in clock ticks. */
  utime: number;
  stime: number;
  /** Start time after boot, in clock ticks. */
  startTime: number;
}

/** A process as host faults see it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  state: string;
  startTime: number;
  /** The arguments joined by spaces; empty for kernel threads and zombies. */
  cmdline: string;
}

/**
 * Parses /proc/PID/stat. The command name sits in parentheses and may itself contain
 * spaces and parentheses, so the fields are counted from the last `)`.
 */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/PID/stat line: ${text.slice(0, 80)}`);
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const field = (n: number) => Number(rest[n - 3]);
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    startTime: field(22),
  };
}

/** /proc/PID/cmdline (NUL-separated arguments) as one line, arguments joined by spaces. */
export function cmdlineText(raw: string): string {
  return raw.replace(/\0+$/, '').split('\0').join(' ');
}

/** How a process fault picks its targets. */
export interface TargetQuery {
  pid?: number | undefined;
  cmdline?: string | undefined;
  cmdlineRegex?: string | undefined;
  maxTargets: number;
}

/**
 * The processes a fault may signal. `protectedPids` (pid 1, Ballast itself, its ancestors)
 * are never chosen: naming one by pid is refused, and a command-line match skips them.
 * More matches than `maxTargets` is refused, listing them, so a loose match hurts nobody.
 */
export function selectTargets(
  processes: readonly ProcessInfo[],
  q: TargetQuery,
  protectedPids: ReadonlySet<number>,
): ProcessInfo[] {
  if (q.pid !== undefined) {
    if (protectedPids.has(q.pid)) {
      throw new HostFaultError(
        'refused',
        `pid ${q.pid} is ${protectedName(q.pid)}: Ballast never signals it`,
        {
          field: 'pid',
        },
      );
    }
    const p = processes.find((x) => x.pid === q.pid);
    if (p === undefined)
      throw new HostFaultError('not_found', `no process has pid ${q.pid}`, { field: 'pid' });
    return [p];
  }
  const field = q.cmdline !== undefined ? 'cmdline' : 'cmdlineRegex';
  const test =
    q.cmdline !== undefined
      ? (c: string) => c.includes(q.cmdline as string)
      : (
          (re: RegExp) => (c: string) =>
            re.test(c)
        )(new RegExp(q.cmdlineRegex ?? ''));
  const matched = processes.filter((p) => p.cmdline !== '' && test(p.cmdline));
  const chosen = matched.filter((p) => !protectedPids.has(p.pid)).sort((a, b) => a.pid - b.pid);
  const what = `${field} ${JSON.stringify(q.cmdline ?? q.cmdlineRegex)}`;
  if (chosen.length === 0) {
    const skipped =
      matched.length > 0 ? ` (only protected processes match: ${matched.map((p) => p.pid).join(', ')})` : '';
    throw new HostFaultError('not_found', `no process matches ${what}${skipped}`, { field });
  }
  if (chosen.length > q.maxTargets) {
    const list = chosen
      .slice(0, 10)
      .map((p) => `${p.pid} (${p.cmdline.slice(0, 60)})`)
      .join(', ');
    throw new HostFaultError(
      'refused',
      `${chosen.length} processes match ${what}, more than maxTargets ${q.maxTargets}: ${list}; narrow the match or raise maxTargets`,
      { field: 'maxTargets' },
    );
  }
  return chosen;
}

function protectedName(pid: number): string {
  if (pid === 1) return 'init (pid 1)';
  return pid === process.pid ? "Ballast's own process" : "an ancestor of Ballast's process";
}

/** Reads one process; undefined when it is gone (or exits while being read). */
export async function readProcess(pid: number): Promise<ProcessInfo | undefined> {
  try {
    const [stat, cmdline] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
    ]);
    const s = parseStat(stat);
    return { pid, ppid: s.ppid, state: s.state, startTime: s.startTime, cmdline: cmdlineText(cmdline) };
  } catch {
    return undefined;
  }
}

/** Every process visible in /proc (this PID namespace). */
export async function listProcesses(): Promise<ProcessInfo[]> {
  const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
  const all = await Promise.all(pids.map(readProcess));
  return all.filter((p): p is ProcessInfo => p !== undefined);
}

/** pid 1, this process and its ancestors: killing or stopping any of them takes Ballast down. */
export async function protectedPids(): Promise<Set<number>> {
  const out = new Set<number>([1, process.pid]);
  let pid = process.ppid;
  while (pid > 1 && !out.has(pid)) {
    out.add(pid);
    const p = await readProcess(pid);
    if (p === undefined) break;
    pid = p.ppid;
  }
  return out;
}
