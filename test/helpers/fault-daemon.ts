/**
 * `ballast chaos proxy` as a real process (its own entry, bin/ballast.js), for
 * tests that kill it, stop it or read what it printed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

export interface DaemonProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
  /** The pid of its host-fault watchdog, from the line it logs at start (undefined without host faults). */
  watchdogPid: () => number | undefined;
}

/** Starts `ballast chaos proxy ARGS`; resolves once its API listens (rejects after 20 s or an early exit). */
export async function startDaemonProcess(args: string[]): Promise<DaemonProcess> {
  const child = spawn(process.execPath, ['bin/ballast.js', 'chaos', 'proxy', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const start = Date.now();
  while (!/listening on http/.test(out)) {
    if (child.exitCode !== null || Date.now() - start > 20_000) {
      child.kill('SIGKILL');
      throw new Error(`daemon did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    output: () => out,
    watchdogPid: () => {
      const m = /watchdog pid (\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    },
  };
}
