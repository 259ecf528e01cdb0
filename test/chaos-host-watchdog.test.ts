/**
 * The host-fault watchdog for real: a fault daemon killed with SIGKILL has its
 * qdisc removed and its paused process continued by the watchdog within a
 * second, with no daemon restarted; a watchdog whose daemon goes silent undoes
 * after its TTL; a clean stop leaves no watchdog behind. Real processes,
 * network namespaces the test makes, real tc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readProcess } from '../src/chaos/host/proc.ts';
import { alive, createNetns, deleteNetns, eventually, rootQdiscOf, sh } from '../src/chaos/host/testing.ts';
import { freePort, startDaemonProcess } from './helpers/fault-daemon.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const WATCHDOG_MAIN = path.join(ROOT, 'src/chaos/host/watchdog-main.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'ballast-watchdog-'));
const children: ChildProcess[] = [];
const namespaces: string[] = [];
const TBF = ['tbf', 'rate', '1mbit', 'burst', '32kb', 'latency', '50ms'];

afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
      // A stopped child cannot die of SIGKILL until it runs again.
      process.kill(c.pid, 'SIGCONT');
      process.kill(c.pid, 'SIGKILL');
    }
  }
  for (const ns of namespaces) await deleteNetns(ns);
  rmSync(dir, { recursive: true, force: true });
});

function track(child: ChildProcess): ChildProcess {
  children.push(child);
  return child;
}

/** `ballast chaos proxy --host-faults`, started; resolves with its API and its watchdog's pid. */
async function daemon(extra: string[] = []): Promise<{
  child: ChildProcess;
  api: string;
  watchdogPid: number;
  output: () => string;
}> {
  const api = `127.0.0.1:${await freePort()}`;
  const state = path.join(dir, `${api}.json`);
  const d = await startDaemonProcess(['--api', api, '--host-faults', '--host-faults-state', state, ...extra]);
  track(d.child);
  const pid = d.watchdogPid();
  expect(pid).toBeGreaterThan(0);
  return { child: d.child, api, watchdogPid: pid as number, output: d.output };
}

async function post(api: string, body: unknown): Promise<Response> {
  return fetch(`http://${api}/ballast/v1/host-faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function stateOf(pid: number): Promise<string | undefined> {
  return (await readProcess(pid))?.state;
}

describe('host-fault watchdog', () => {
  it('undoes a killed daemon’s qdisc and continues its paused process, with no daemon restarted', async () => {
    const ns = await createNetns();
    namespaces.push(ns);
    const sleeper = track(spawn('sleep', ['300'], { stdio: 'ignore' }));
    const log = path.join(dir, 'killed.log');
    const d = await daemon(['--watchdog-log', log]);
    expect((await post(d.api, { kind: 'bandwidth', interface: 'lo', netns: ns, rate: '1mbit' })).status).toBe(
      201,
    );
    expect((await post(d.api, { kind: 'pause', pid: sleeper.pid })).status).toBe(201);
    expect(await rootQdiscOf(ns)).toBe('tbf ba11:');
    expect(await stateOf(sleeper.pid as number)).toBe('T');

    const killedAt = Date.now();
    process.kill(d.child.pid as number, 'SIGKILL');
    expect(await eventually(async () => (await rootQdiscOf(ns)) === 'noqueue 0:', 5_000)).toBe(true);
    expect(await eventually(async () => (await stateOf(sleeper.pid as number)) !== 'T', 5_000)).toBe(true);
    // Timing is not asserted (machines differ); it is reported for whoever reads the log.
    console.log(`watchdog undid both faults ${Date.now() - killedAt} ms after the kill`);
    expect(await eventually(async () => !(await alive(d.watchdogPid)), 5_000)).toBe(true);
    // --watchdog-log: what it undid, the newest fault (the pause) first.
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.replace(/^\S+ /, ''));
    expect(lines.slice(-3)).toEqual([
      'the daemon is gone (its pipe closed): undoing 2 fault(s)',
      `continued process ${sleeper.pid}`,
      `deleted the Ballast qdisc on lo (netns ${ns})`,
    ]);
  });

  it('a watchdog whose daemon is silent past its TTL undoes, while the daemon’s pipe is still open', async () => {
    const ns = await createNetns();
    namespaces.push(ns);
    await sh(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', 'ba11:', ...TBF], ns);
    const log = path.join(dir, 'silent.log');
    const wd = track(
      spawn(process.execPath, [WATCHDOG_MAIN, '600', log], { stdio: ['pipe', 'ignore', 'inherit'] }),
    );
    wd.stdin?.write(
      `${JSON.stringify({ op: 'arm', id: 'f1', targets: [{ kind: 'qdisc', netns: ns, dev: 'lo' }] })}\n`,
    );
    // Beats keep it waiting...
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 250));
      wd.stdin?.write(`${JSON.stringify({ op: 'beat' })}\n`);
    }
    expect(await rootQdiscOf(ns)).toBe('tbf ba11:');
    // ...and their absence (a daemon stopped with SIGSTOP, a wedged loop) does not.
    const exited = new Promise<number | null>((r) => wd.once('exit', (code) => r(code)));
    expect(await exited).toBe(0);
    expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
    const text = readFileSync(log, 'utf8');
    expect(text).toContain('the daemon was silent for more than 600 ms: undoing 1 fault(s)');
    expect(text).toContain(`deleted the Ballast qdisc on lo (netns ${ns})`);
    wd.stdin?.destroy();
  });

  it('leaves a root qdisc that is no longer Ballast’s, and a PID that is another process now', async () => {
    const ns = await createNetns();
    namespaces.push(ns);
    await sh(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', ...TBF], ns);
    const sleeper = track(spawn('sleep', ['300'], { stdio: 'ignore' }));
    const log = path.join(dir, 'foreign.log');
    const wd = track(
      spawn(process.execPath, [WATCHDOG_MAIN, '60000', log], { stdio: ['pipe', 'ignore', 'inherit'] }),
    );
    const targets = [
      { kind: 'qdisc', netns: ns, dev: 'lo' },
      { kind: 'resume', pid: sleeper.pid, startTime: 1 },
    ];
    process.kill(sleeper.pid as number, 'SIGSTOP');
    wd.stdin?.write(`${JSON.stringify({ op: 'arm', id: 'f2', targets })}\n`);
    const exited = new Promise<number | null>((r) => wd.once('exit', (code) => r(code)));
    wd.stdin?.end();
    expect(await exited).toBe(0);
    expect(await rootQdiscOf(ns)).toBe('tbf 1:');
    expect(await stateOf(sleeper.pid as number)).toBe('T');
    const text = readFileSync(log, 'utf8');
    expect(text).toContain('the daemon is gone (its pipe closed)');
    expect(text).toContain(`no Ballast qdisc on lo (netns ${ns})`);
    expect(text).toContain(`process ${sleeper.pid} is gone`);
    process.kill(sleeper.pid as number, 'SIGCONT');
  });

  it('a daemon that stops cleanly reverts its faults itself and its watchdog exits without undoing', async () => {
    const ns = await createNetns();
    namespaces.push(ns);
    const d = await daemon();
    expect((await post(d.api, { kind: 'bandwidth', interface: 'lo', netns: ns, rate: '1mbit' })).status).toBe(
      201,
    );
    const stopped = new Promise((r) => d.child.once('exit', r));
    d.child.kill('SIGTERM');
    await stopped;
    expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
    expect(await eventually(async () => !(await alive(d.watchdogPid)), 5_000)).toBe(true);
  });
});
