/**
 * HTTP fault proxies and host faults on the fault daemon's API, bound to
 * leases like toxics: a rule or a host fault whose lease is not renewed is
 * reverted by the daemon; bad bodies are refused whole with the field named;
 * host faults stay off unless the daemon is started with them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultDaemon, type FaultDaemon } from '../src/chaos/daemon/index.ts';
import { createNetns, deleteNetns, rootQdiscOf, sh } from '../src/chaos/host/testing.ts';
import { hostFaultsPlugin } from '../src/chaos/plugins/host-faults.ts';
import { httpFaultsPlugin } from '../src/chaos/plugins/http-faults.ts';

async function json(url: string, method = 'GET', body?: unknown) {
  const res = await fetch(url, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function until(what: string, f: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const t0 = Date.now();
  while (!(await f())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('fault daemon plugins', () => {
  let upstream: Server;
  let daemon: FaultDaemon;
  let off: FaultDaemon;

  beforeAll(async () => {
    upstream = createServer((_req, res) => res.end('fine'));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const log = () => {};
    daemon = await createFaultDaemon({
      port: 0,
      log,
      sweepIntervalMs: 100,
      plugins: [httpFaultsPlugin(), hostFaultsPlugin({ enabled: true })],
    });
    off = await createFaultDaemon({ port: 0, log, plugins: [hostFaultsPlugin({ enabled: false })] });
  });

  afterAll(async () => {
    await daemon?.close();
    await off?.close();
    await new Promise((r) => upstream?.close(r));
  });

  it('an HTTP fault rule under a lease aborts requests until the lease lapses', async () => {
    const created = await json(`${daemon.url}/ballast/v1/http-proxies`, 'POST', {
      name: 'web',
      listen: '127.0.0.1:0',
      upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    });
    expect(created.status).toBe(201);
    const url = created.body.url as string;
    const lease = await json(`${daemon.url}/ballast/v1/leases`, 'POST', { holder: 'test', ttl_ms: 1000 });
    const rule = await json(`${daemon.url}/ballast/v1/http-proxies/web/rules`, 'POST', {
      match: { path: '/api/*' },
      abort: { status: 503 },
      lease: lease.body.id,
    });
    expect(rule.status).toBe(201);
    expect(rule.body.lease).toBe(lease.body.id);
    expect((await fetch(`${url}/api/pay`)).status).toBe(503);
    expect((await fetch(`${url}/home`)).status).toBe(200);
    const leases = await json(`${daemon.url}/ballast/v1/leases`);
    expect(leases.body[0].faults).toEqual([{ kind: 'http', id: `web\u0000${rule.body.id}` }]);
    await until('the rule to go with its lease', async () => (await fetch(`${url}/api/pay`)).status === 200);
    expect((await json(`${daemon.url}/ballast/v1/http-proxies/web/rules`)).body).toEqual([]);
  });

  it('refuses a bad rule with the field named, and a rule for a lease that is gone, creating nothing', async () => {
    const bad = await json(`${daemon.url}/ballast/v1/http-proxies/web/rules`, 'POST', {
      percentage: 150,
      abort: { status: 42 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('percentage');
    expect(bad.body.error).toContain('abort.status');
    const gone = await json(`${daemon.url}/ballast/v1/http-proxies/web/rules`, 'POST', {
      abort: { status: 503 },
      lease: 'no-such-lease',
    });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      error: expect.stringContaining('lease not found: no-such-lease'),
      status: 404,
    });
    expect((await json(`${daemon.url}/ballast/v1/http-proxies/web/rules`)).body).toEqual([]);
    expect((await json(`${daemon.url}/ballast/v1/http-proxies/nope/rules`)).status).toBe(404);
  });

  it('a CPU stress fault under a lease ends when the lease lapses', async () => {
    const lease = await json(`${daemon.url}/ballast/v1/leases`, 'POST', { holder: 'test', ttl_ms: 1000 });
    const fault = await json(`${daemon.url}/ballast/v1/host-faults`, 'POST', {
      kind: 'cpu',
      workers: 1,
      loadPct: 20,
      lease: lease.body.id,
    });
    expect(fault.status).toBe(201);
    const pids = fault.body.details.pids as number[];
    expect(pids.length).toBe(1);
    expect(pids.every(alive)).toBe(true);
    await until('the workers to end with the lease', async () => !pids.some(alive));
    expect((await json(`${daemon.url}/ballast/v1/host-faults`)).body).toEqual([]);
  });

  it('a host fault released with its lease is reverted at once, and its DELETE is idempotent', async () => {
    const lease = await json(`${daemon.url}/ballast/v1/leases`, 'POST', { holder: 'test', ttl_ms: 60_000 });
    const fault = await json(`${daemon.url}/ballast/v1/host-faults`, 'POST', {
      kind: 'memory',
      mb: 16,
      lease: lease.body.id,
    });
    expect(fault.status).toBe(201);
    const released = await json(`${daemon.url}/ballast/v1/leases/${lease.body.id}`, 'DELETE');
    expect(released.status).toBe(200);
    expect(released.body.reverted).toEqual([{ kind: 'host', id: fault.body.id }]);
    expect((await json(`${daemon.url}/ballast/v1/host-faults/${fault.body.id}`, 'DELETE')).status).toBe(404);
  });

  it('refuses a bad host fault with the field named', async () => {
    const bad = await json(`${daemon.url}/ballast/v1/host-faults`, 'POST', { kind: 'cpu', loadPct: 300 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('loadPct');
    expect((await json(`${daemon.url}/ballast/v1/host-faults`)).body).toEqual([]);
  });

  it('sweeps the qdisc a daemon killed hard left behind when the next one starts', async () => {
    const ns = await createNetns();
    try {
      // What a crashed daemon leaves: Ballast's root qdisc, no process that remembers it.
      await sh(
        [
          'tc',
          'qdisc',
          'add',
          'dev',
          'lo',
          'root',
          'handle',
          'ba11:',
          'tbf',
          'rate',
          '1mbit',
          'burst',
          '32kb',
          'latency',
          '50ms',
        ],
        ns,
      );
      expect(await rootQdiscOf(ns)).toBe('tbf ba11:');
      const lines: string[] = [];
      const next = await createFaultDaemon({
        port: 0,
        log: (l) => lines.push(l),
        plugins: [hostFaultsPlugin({ enabled: true, sweepNamespaces: [ns] })],
      });
      await next.close();
      expect(await rootQdiscOf(ns)).toBe('noqueue 0:');
      expect(lines).toContain(`host faults: removed a leftover Ballast qdisc on lo (netns ${ns})`);
    } finally {
      await deleteNetns(ns);
    }
  });

  it('keeps host faults off unless the daemon was started with them', async () => {
    const r = await json(`${off.url}/ballast/v1/host-faults`, 'POST', { kind: 'cpu', workers: 1 });
    expect(r.status).toBe(403);
    expect(r.body.error).toContain('--host-faults');
  });
});
