/**
 * Process faults: `kill` signals its targets once (nothing to undo), `pause`
 * stops them with SIGSTOP and its undo continues them with SIGCONT. Each target
 * is remembered with its start time, so a PID the kernel has since handed to
 * another process is never signalled.
 */
import { HostFaultError } from './errors.ts';
import { listProcesses, type ProcessInfo, protectedPids, readProcess, selectTargets } from './proc.ts';
import type { KillSpec, PauseSpec } from './spec.ts';
import type { AppliedState, FaultContext, ProcessTarget } from './types.ts';
import { transact, UndoStack } from './undo.ts';

/** Chooses the targets (see {@link selectTargets}) from the processes running now. */
async function chooseTargets(spec: KillSpec | PauseSpec): Promise<ProcessTarget[]> {
  const chosen = selectTargets(await listProcesses(), spec, await protectedPids());
  return chosen.map((p: ProcessInfo) => ({ pid: p.pid, cmdline: p.cmdline, startTime: p.startTime }));
}

/**
 * Sends the signal to every target. All targets are checked first (signal 0), so a
 * permission problem stops the fault before any process was hurt.
 */
export async function applyKill(spec: KillSpec, _ctx: FaultContext): Promise<AppliedState> {
  const targets = await chooseTargets(spec);
  for (const t of targets) signal(t, 0);
  const gone: number[] = [];
  for (const t of targets) {
    if (!(await stillSame(t)) || !signal(t, spec.signal)) gone.push(t.pid);
  }
  const note = [
    'a kill cannot be undone: revert only forgets the fault',
    gone.length > 0 ? `already gone before the signal: ${gone.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return { details: { signal: spec.signal, targets, note }, undo: new UndoStack() };
}

/** Stops every target; each SIGCONT is on the undo stack from the moment its SIGSTOP was sent. */
export async function applyPause(spec: PauseSpec, ctx: FaultContext): Promise<AppliedState> {
  const targets = await chooseTargets(spec);
  const { undo } = await transact(async (undo) => {
    for (const t of targets) {
      // Two pauses of one process would let the first revert continue what the second still holds.
      const release = ctx.claim(`pid:${t.pid}`, `process ${t.pid}`);
      undo.push(`release the claim on process ${t.pid}`, async () => release());
      signal(t, 'SIGSTOP');
      undo.push(`continue process ${t.pid} (SIGCONT)`, async () => {
        if (await stillSame(t)) signal(t, 'SIGCONT');
      });
    }
  });
  return { details: { signal: 'SIGSTOP', targets }, undo };
}

/** True while the PID still belongs to the process that was chosen. */
async function stillSame(t: ProcessTarget): Promise<boolean> {
  return (await readProcess(t.pid))?.startTime === t.startTime;
}

/** Sends a signal; false when the process is already gone, a {@link HostFaultError} when not allowed. */
function signal(t: ProcessTarget, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(t.pid, sig);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code === 'EPERM') {
      throw new HostFaultError(
        'permission',
        `not allowed to signal pid ${t.pid} (${t.cmdline.slice(0, 60)}): it needs the same user or CAP_KILL`,
        { cause: err },
      );
    }
    throw err;
  }
}
