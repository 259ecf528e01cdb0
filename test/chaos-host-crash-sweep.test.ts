/**
 * A fault daemon killed hard, together with its watchdog, leaves kernel state
 * behind in the network namespaces it faulted. `ballast chaos proxy --host-faults` records those
 * namespaces in its state file before each apply; the next daemon with that
 * file sweeps exactly them at start. Real processes, real kill -9, real tc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNetns, deleteNetns, rootQdiscOf, sh } from '../src/chaos/host/testing.ts';
import { NamespaceRecord } from '../src/chaos/plugins/netns-record.ts';
import { defaultNamespacesFile } from '../src/cli/commands/chaos-daemon.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'ballast-crash-sweep-'));
const children: ChildProcess[] = [];
const namespaces: string[] = [];

afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) process.kill(c.pid, 'SIGKILL');
  }
  for (const ns of namespaces) await deleteNetns(ns);
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts `ballast chaos proxy` (its real entry); resolves once the API listens, with its output so far. */
async function daemon(args: string[]): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['bin/ballast.js', 'chaos', 'proxy', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const start = Date.now();
  while (!/listening on http/.test(out)) {
    if (child.exitCode !== null || Date.now() - start > 20_000)
      throw new Error(`daemon did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => out };
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  });
}

describe('host faults after a daemon crash', () => {
  it('the next daemon sweeps the namespaces the killed one recorded, and only those', async () => {
    const faulted = await createNetns();
    const untouched = await createNetns();
    namespaces.push(faulted, untouched);
    const state = path.join(dir, 'state.json');
    const port = await freePort();
    const api = `127.0.0.1:${port}`;

    const first = await daemon(['--api', api, '--host-faults', '--host-faults-state', state]);
    const res = await fetch(`http://${api}/ballast/v1/host-faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'bandwidth', interface: 'lo', netns: faulted, rate: '1mbit' }),
    });
    expect(res.status).toBe(201);
    expect(JSON.parse(readFileSync(state, 'utf8'))).toEqual({ namespaces: [faulted] });
    // Daemon and watchdog both gone at once (the watchdog alone would undo it: chaos-host-watchdog.test.ts).
    const watchdogPid = Number(/watchdog pid (\d+)/.exec(first.output())?.[1]);
    expect(watchdogPid).toBeGreaterThan(0);
    process.kill(watchdogPid, 'SIGKILL');
    await killHard(first.child);
    // What that leaves: the qdisc, and no process that remembers it.
    expect(await rootQdiscOf(faulted)).toBe('tbf ba11:');

    // A Ballast-looking root in a namespace the daemon never recorded is not its to remove.
    await sh(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', 'ba11:', 'tbf'].concat(TBF), untouched);

    const second = await daemon(['--api', api, '--host-faults', '--host-faults-state', state]);
    expect(await rootQdiscOf(faulted)).toBe('noqueue 0:');
    expect(second.output()).toContain(
      `host faults: removed a leftover Ballast qdisc on lo (netns ${faulted})`,
    );
    expect(await rootQdiscOf(untouched)).toBe('tbf ba11:');
    expect(JSON.parse(readFileSync(state, 'utf8'))).toEqual({ namespaces: [] });

    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });

  it('a recorded namespace deleted meanwhile is skipped, and a damaged file is named, not fatal', async () => {
    const state = path.join(dir, 'damaged.json');
    writeFileSync(state, '{"namespaces": ["gone-ns-ballast-test", "../../etc", 7]}');
    const port = await freePort();
    const d = await daemon(['--api', `127.0.0.1:${port}`, '--host-faults', '--host-faults-state', state]);
    expect(d.output()).toContain(`host faults: ${state}: ignored 2 namespace names`);
    expect(d.output()).not.toContain('could not sweep');
    d.child.kill('SIGTERM');
    await new Promise((r) => d.child.once('exit', r));

    writeFileSync(state, 'not json');
    expect((await new NamespaceRecord(state).read()).problem).toMatch(/damaged\.json: not JSON/);
  });

  it('the default state file is per API port, and none for port 0', () => {
    expect(defaultNamespacesFile('127.0.0.1:8474')).toBe('/run/ballast/host-faults-8474.json');
    expect(defaultNamespacesFile('[::1]:9000')).toBe('/run/ballast/host-faults-9000.json');
    expect(defaultNamespacesFile('127.0.0.1:0')).toBeUndefined();
  });
});

const TBF = ['rate', '1mbit', 'burst', '32kb', 'latency', '50ms'];
