/**
 * A fault daemon killed hard, together with its watchdog, leaves kernel state
 * behind in the network namespaces it faulted. `ballast chaos proxy --host-faults` records those
 * namespaces in its state file before each apply; the next daemon with that
 * file sweeps exactly them at start. Real processes, real kill -9, real tc.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNetns, deleteNetns, rootQdiscOf, sh } from '../src/chaos/host/testing.ts';
import { NamespaceRecord } from '../src/chaos/plugins/netns-record.ts';
import { defaultNamespacesFile } from '../src/cli/commands/chaos-daemon.ts';
import { type DaemonProcess, freePort, startDaemonProcess } from './helpers/fault-daemon.ts';

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

/** Starts the daemon; it is killed in afterAll if a test leaves it running. */
async function daemon(args: string[]): Promise<DaemonProcess> {
  const d = await startDaemonProcess(args);
  children.push(d.child);
  return d;
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
    const watchdogPid = first.watchdogPid();
    expect(watchdogPid).toBeGreaterThan(0);
    process.kill(watchdogPid as number, 'SIGKILL');
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
