/**
 * The dead man's switch for host faults. Leases protect against a controller
 * that dies; the watchdog protects against the daemon itself dying (kill -9,
 * OOM, a crash) or hanging (SIGSTOP, a wedged event loop), which would
 * otherwise leave a qdisc on an interface or a process stopped until the next
 * daemon starts. It is a separate, detached process holding what to undo for
 * each armed fault; it undoes all of it when the daemon's pipe closes or its
 * heartbeat stops for `ttlMs`, then exits. A clean stop tells it to exit.
 *
 * This file is both sides: {@link startWatchdog} (the daemon's handle) and
 * {@link WatchdogState} (the pure bookkeeping the child runs, tested alone).
 * The child's entry is watchdog-main.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the watchdog undoes for one fault: a Ballast root qdisc, a table, a stopped process. */
export type WatchdogTarget =
  | { kind: 'qdisc'; netns?: string; dev: string }
  | { kind: 'nft'; netns?: string; table: string }
  | { kind: 'resume'; pid: number; startTime: number };

/** One line from the daemon to the watchdog (JSON). */
export type WatchdogMessage =
  | { op: 'arm'; id: string; targets: WatchdogTarget[] }
  | { op: 'disarm'; id: string }
  | { op: 'beat' }
  | { op: 'exit' };

/** The watchdog's memory: the targets of every armed fault, in arming order. */
export class WatchdogState {
  readonly #armed = new Map<string, WatchdogTarget[]>();
  #lastBeat: number;
  #exit = false;

  constructor(now: number) {
    this.#lastBeat = now;
  }

  /** Takes one line; a line that is not a message is ignored (the daemon wrote it, not a user). */
  take(line: string, now: number): void {
    let m: WatchdogMessage;
    try {
      m = JSON.parse(line) as WatchdogMessage;
    } catch {
      return;
    }
    this.#lastBeat = now;
    if (m.op === 'arm' && typeof m.id === 'string' && Array.isArray(m.targets)) {
      this.#armed.set(m.id, [...(this.#armed.get(m.id) ?? []), ...m.targets]);
    } else if (m.op === 'disarm' && typeof m.id === 'string') this.#armed.delete(m.id);
    else if (m.op === 'exit') this.#exit = true;
  }

  /** True once the daemon said it stopped cleanly: exit without undoing anything. */
  get exitRequested(): boolean {
    return this.#exit;
  }

  /** True when the daemon has been silent for longer than `ttlMs`. */
  silent(now: number, ttlMs: number): boolean {
    return now - this.#lastBeat > ttlMs;
  }

  /** What to undo, newest fault first and each fault's targets in reverse (as the manager reverts). */
  undoOrder(): WatchdogTarget[] {
    return [...this.#armed.values()].reverse().flatMap((targets) => [...targets].reverse());
  }

  get armed(): number {
    return this.#armed.size;
  }
}

export interface Watchdog {
  readonly pid: number | undefined;
  arm(id: string, targets: WatchdogTarget[]): void;
  disarm(id: string): void;
  /** The daemon stopped cleanly (it reverted its faults itself): the watchdog exits without undoing. */
  close(): void;
}

const MAIN = fileURLToPath(new URL('./watchdog-main.ts', import.meta.url));

/**
 * Starts the watchdog, detached (its own session: a signal to the daemon's
 * process group does not reach it), beating every `beatMs`. `log`, when given,
 * is a file the watchdog appends what it undid to.
 */
export function startWatchdog(o: { ttlMs: number; beatMs?: number; log?: string }): Watchdog {
  const args = [MAIN, String(o.ttlMs), ...(o.log ? [o.log] : [])];
  const child: ChildProcess = spawn(process.execPath, args, {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // The daemon may exit while the watchdog runs: that is the point.
  child.unref();
  const stdin = child.stdin;
  // A watchdog that died leaves the daemon without a switch, not broken: writes then fail quietly.
  stdin?.on('error', () => {});
  (stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const send = (m: WatchdogMessage) => {
    if (stdin && !stdin.destroyed) stdin.write(`${JSON.stringify(m)}\n`);
  };
  const beat = setInterval(() => send({ op: 'beat' }), o.beatMs ?? Math.max(100, Math.floor(o.ttlMs / 5)));
  beat.unref();
  return {
    pid: child.pid,
    // A fault with nothing to undo (kill, stress) is not armed at all.
    arm: (id, targets) => {
      if (targets.length > 0) send({ op: 'arm', id, targets });
    },
    disarm: (id) => send({ op: 'disarm', id }),
    close: () => {
      clearInterval(beat);
      send({ op: 'exit' });
      stdin?.end();
    },
  };
}
