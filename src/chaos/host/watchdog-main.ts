/**
 * The watchdog process (see watchdog.ts): `node watchdog-main.ts TTL_MS [LOG]`.
 * Reads the daemon's messages on stdin; when stdin ends without an `exit`, or
 * no message came for TTL_MS, it undoes every armed target and exits. Each
 * undo is the manager's own revert, checked first: a root qdisc is deleted
 * only while it is still Ballast's, a process continued only while its PID is
 * the same process.
 */
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { isAlreadyGone } from './errors.ts';
import { CommandError, systemRunner } from './exec.ts';
import {
  deleteRootCommand,
  deleteTableCommand,
  parseQdiscs,
  ROOT_HANDLE,
  rootQdisc,
  showQdiscsCommand,
} from './kernel-state.ts';
import { readProcess } from './proc.ts';
import { WatchdogState, type WatchdogTarget } from './watchdog.ts';

const ttlMs = Number(process.argv[2]);
const logFile = process.argv[3];
const log = (line: string) => {
  if (logFile) appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
};

// The daemon's terminal going away must not take the watchdog with it.
for (const sig of ['SIGHUP', 'SIGINT'] as const) process.on(sig, () => {});

const state = new WatchdogState(Date.now());
let done = false;

async function undo(t: WatchdogTarget): Promise<string> {
  if (t.kind === 'resume') {
    const p = await readProcess(t.pid);
    if (p?.startTime !== t.startTime) return `process ${t.pid} is gone`;
    process.kill(t.pid, 'SIGCONT');
    return `continued process ${t.pid}`;
  }
  const where = t.netns === undefined ? 'the host' : `netns ${t.netns}`;
  try {
    if (t.kind === 'nft') {
      await systemRunner({ argv: deleteTableCommand(t.table), netns: t.netns });
      return `deleted nftables table ${t.table} (${where})`;
    }
    const root = rootQdisc(
      parseQdiscs((await systemRunner({ argv: showQdiscsCommand(t.dev), netns: t.netns })).stdout),
    );
    if (root?.handle !== ROOT_HANDLE) return `no Ballast qdisc on ${t.dev} (${where})`;
    await systemRunner({ argv: deleteRootCommand(t.dev), netns: t.netns });
    return `deleted the Ballast qdisc on ${t.dev} (${where})`;
  } catch (err) {
    if (err instanceof CommandError && isAlreadyGone(err.stderr)) return `already gone: ${t.kind} (${where})`;
    return `could not undo ${t.kind} (${where}): ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function fire(why: string): Promise<void> {
  if (done) return;
  done = true;
  log(`${why}: undoing ${state.armed} fault(s)`);
  for (const t of state.undoOrder()) log(await undo(t));
  process.exit(0);
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  state.take(line, Date.now());
  if (state.exitRequested) {
    done = true;
    log('the daemon stopped cleanly');
    process.exit(0);
  }
});
lines.on('close', () => void fire('the daemon is gone (its pipe closed)'));
setInterval(
  () => {
    if (state.silent(Date.now(), ttlMs)) void fire(`the daemon was silent for more than ${ttlMs} ms`);
  },
  Math.min(250, ttlMs),
).unref();
// The interval is unref'd; stdin keeps the process alive until the daemon's end closes.
log(`watching (ttl ${ttlMs} ms)`);
