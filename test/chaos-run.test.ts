/**
 * `ballast chaos run` end to end: the real CLI (bin/ballast.js, spawned) as
 * the controller, a real fault daemon with a TCP proxy in front of a local
 * HTTP service, and a real Ballast server for guards and halts. Exit codes
 * 0/1/2/3, the journal and report, the guards, halt from the server, and the
 * lease guarantee: `kill -9` of the controller mid-fault, and the fault is
 * gone within its TTL with traffic back to normal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultDaemon, type FaultDaemon } from '../src/chaos/daemon/index.ts';
import { httpFaultsPlugin } from '../src/chaos/plugins/http-faults.ts';
import { type RunningServer, startServer } from '../src/server/index.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'ballast.js');
const ADMIN = 'chaos-run-admin';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Ran> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, BALLAST_TOKEN: ADMIN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const done = new Promise<Ran>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

const run = (args: string[]) => start(args).done;

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One GET through the proxy; its wall time in ms. */
async function timedGet(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  await res.text();
  return performance.now() - t0;
}

describe('ballast chaos run', () => {
  let dir: string;
  let service: Server;
  let daemon: FaultDaemon;
  let server: RunningServer;
  let proxied: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ballast-chaos-run-'));
    service = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(req.url === '/health' ? 'ok' : 'hello');
    });
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    const upstream = `127.0.0.1:${(service.address() as AddressInfo).port}`;
    daemon = await createFaultDaemon({ port: 0, log: () => {}, plugins: [httpFaultsPlugin()] });
    const created = await fetch(`${daemon.url}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name: 'web', listen: '127.0.0.1:0', upstream }),
    });
    expect(created.status).toBe(201);
    const listen = ((await created.json()) as { listen: string }).listen;
    proxied = `http://${listen}`;
    server = await startServer({
      port: 0,
      dataDir: join(dir, 'data'),
      adminToken: ADMIN,
      evaluateEveryMs: 3_600_000,
    });
    const applied = await fetch(`${server.url}/api/v1/apply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        documents: [
          {
            file: 'svc.yaml',
            content: 'apiVersion: openslo/v1\nkind: Service\nmetadata: { name: web }\nspec: {}\n',
          },
          {
            file: 'busy.yaml',
            content: 'apiVersion: openslo/v1\nkind: Service\nmetadata: { name: busy }\nspec: {}\n',
          },
        ],
      }),
    });
    expect(applied.status).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    await daemon?.close();
    await new Promise((r) => service?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  /** An experiment file: steady state = the health check through the proxy answers fast enough. */
  async function experiment(
    name: string,
    o: { maxMs: number; latency: number; duration: string; ttl?: string; abort?: boolean; svc?: string },
  ): Promise<string> {
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      `apiVersion: openslo/v1
kind: Service
metadata: { name: ${o.svc ?? 'web'} }
---
apiVersion: ballast.dev/v1
kind: Experiment
metadata: { name: ${name} }
spec:
  service: ${o.svc ?? 'web'}
  daemon: ${daemon.url}
  leaseTtl: ${o.ttl ?? '15s'}
  probeInterval: 200ms
  recoveryTimeout: 10s
  steadyState:
    probes:
      - name: health
        http:
          url: ${proxied}/health
          timeout: 5s
          conditions: ['[STATUS] == 200', '[RESPONSE_TIME] < ${o.maxMs}']
  method:
    - name: slow-web
      toxic: { proxy: web, type: latency, stream: downstream, attributes: { latency: ${o.latency} } }
      duration: ${o.duration}
${o.abort ? '  abort:\n    - probe: health\n' : ''}`,
    );
    return file;
  }

  const toxicList = async () =>
    (await (await fetch(`${daemon.url}/proxies/web/toxics`)).json()) as {
      name: string;
      attributes: { latency?: number };
    }[];
  const toxics = async () => (await toxicList()).map((t) => t.name);

  it('holds when steady state tolerates the fault: exit 0, a journal, the fault reverted', async () => {
    const file = await experiment('tolerant', { maxMs: 2000, latency: 100, duration: '1s' });
    const out = join(dir, 'tolerant.json');
    const r = await run(['chaos', 'run', file, '--override-guards', '--summary-json', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('tolerant: the hypothesis held');
    const summary = JSON.parse(await readFile(out, 'utf8'));
    expect(summary.report.outcome).toBe('held');
    expect(summary.report.reverts).toEqual({ ok: 1, failed: 0 });
    // The probe saw the added latency while the fault was held.
    expect(summary.report.probes[0].during.max).toBeGreaterThanOrEqual(90);
    const actions = summary.journal
      .filter((e: { type: string }) => e.type === 'action')
      .map((e: { action: string }) => e.action);
    expect(actions).toEqual(['apply', 'revert']);
    expect(await toxics()).toEqual([]);
  });

  it('deviates when the fault breaks steady state: exit 1, and steady state recovers after the revert', async () => {
    const file = await experiment('strict', { maxMs: 150, latency: 300, duration: '1500ms' });
    const out = join(dir, 'strict.json');
    const r = await run(['chaos', 'run', file, '--override-guards', '--summary-json', out, '--quiet']);
    expect(r.code).toBe(1);
    const summary = JSON.parse(await readFile(out, 'utf8'));
    expect(summary.report.outcome).toBe('deviated');
    expect(summary.report.hypothesis).toEqual({ before: true, during: false, after: true });
    expect(summary.report.recoveryMs).toBeGreaterThanOrEqual(0);
    expect(summary.journal.some((e: { type: string }) => e.type === 'deviation')).toBe(true);
    expect(await toxics()).toEqual([]);
  });

  it('aborts at the first breach of an abort rule: exit 3, reverted long before the planned end', async () => {
    const file = await experiment('abortive', { maxMs: 150, latency: 300, duration: '60s', abort: true });
    const t0 = Date.now();
    const r = await run(['chaos', 'run', file, '--override-guards', '--quiet']);
    expect(r.code).toBe(3);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.stdout).toContain('aborted (abort rule health breached');
    expect(await toxics()).toEqual([]);
  });

  it('refuses bad input with exit 2 and applies nothing', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      (await readFile(await experiment('bad', { maxMs: 100, latency: 1, duration: '1s' }), 'utf8')).replace(
        'type: latency',
        'type: lantency',
      ),
    );
    const r = await run(['chaos', 'run', bad, '--override-guards']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('step slow-web: invalid toxic type: "lantency"');
    const missing = join(dir, 'missing-proxy.yaml');
    await writeFile(
      missing,
      (await readFile(bad, 'utf8'))
        .replace('type: lantency', 'type: latency')
        .replace('proxy: web', 'proxy: nosuch'),
    );
    const noProxy = await run(['chaos', 'run', missing, '--override-guards']);
    expect(noProxy.code).toBe(2);
    expect(noProxy.stderr).toContain('step slow-web:');
    expect(noProxy.stderr).toContain('refuses the toxic: proxy not found');
    const down = join(dir, 'daemon-down.yaml');
    await writeFile(
      down,
      (await readFile(missing, 'utf8')).replace(`daemon: ${daemon.url}`, 'daemon: http://127.0.0.1:9'),
    );
    const noDaemon = await run(['chaos', 'run', down, '--override-guards']);
    expect(noDaemon.code).toBe(2);
    expect(noDaemon.stderr).toContain('cannot reach the fault daemon at http://127.0.0.1:9');
    const noGuards = await run([
      'chaos',
      'run',
      await experiment('unguarded', { maxMs: 100, latency: 1, duration: '1s' }),
    ]);
    expect(noGuards.code).toBe(2);
    expect(noGuards.stderr).toContain('pass --server URL, or --override-guards');
    expect(await toxics()).toEqual([]);
  });

  it('prints the plan on --dry-run and applies nothing', async () => {
    const file = await experiment('planned', { maxMs: 100, latency: 250, duration: '30s' });
    const r = await run(['chaos', 'run', file, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fault slow-web: toxic latency on proxy web downstream {"latency":250}');
    expect(r.stdout).toContain('reverted at 30.0s');
    expect(await toxics()).toEqual([]);
  });

  it('the guards refuse an experiment on a service with an open incident: exit 1, nothing applied', async () => {
    const declared = await fetch(`${server.url}/api/v1/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'busy is down', severity: 'SEV2', service: 'busy' }),
    });
    expect(declared.status).toBe(201);
    const file = await experiment('on-busy', { maxMs: 2000, latency: 100, duration: '1s', svc: 'busy' });
    const r = await run(['chaos', 'run', file, '--server', server.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('incident: incident #');
    expect(r.stderr).toContain('"busy is down" is open for busy');
    expect(await toxics()).toEqual([]);
  });

  it('a halt on the server stops a running experiment at once and stores its journal', async () => {
    const file = await experiment('halted', { maxMs: 5000, latency: 200, duration: '60s' });
    const { child, done } = start(['chaos', 'run', file, '--server', server.url, '--quiet']);
    await until('the fault', async () => ((await toxics()).length > 0 ? true : undefined));
    // The controller reports its leases with its journal, every second.
    await until('the server to know the lease', async () => {
      const runs = (await (
        await fetch(`${server.url}/api/v1/chaos/runs?status=running`, {
          headers: { authorization: `Bearer ${ADMIN}` },
        })
      ).json()) as { leases: unknown[] }[];
      return runs[0] && runs[0].leases.length > 0 ? true : undefined;
    });
    const halt = await fetch(`${server.url}/api/v1/chaos/halt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const answer = (await halt.json()) as { runs: string[]; leasesReleased: number };
    expect(answer.runs).toHaveLength(1);
    // The server released the lease at the daemon itself, so the fault is gone even before the controller reacts.
    expect(answer.leasesReleased).toBe(1);
    expect(await toxics()).toEqual([]);
    const r = await done;
    expect(child.exitCode).toBe(3);
    expect(r.stdout).toContain('halted: halt requested on the server');
    const stored = (await (
      await fetch(`${server.url}/api/v1/chaos/runs/${answer.runs[0]}`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      })
    ).json()) as { status: string; journal: { type: string }[]; maintenanceId: number };
    expect(stored.status).toBe('aborted');
    expect(stored.journal.some((e) => e.type === 'abort')).toBe(true);
  });

  it('runs an HTTP fault through the daemon: the abort breaks steady state, the rule is gone after', async () => {
    const created = await fetch(`${daemon.url}/ballast/v1/http-proxies`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'front',
        listen: '127.0.0.1:0',
        upstream: `http://127.0.0.1:${(service.address() as AddressInfo).port}`,
      }),
    });
    expect(created.status).toBe(201);
    const front = ((await created.json()) as { url: string }).url;
    const file = join(dir, 'http-abort.yaml');
    await writeFile(
      file,
      `apiVersion: openslo/v1
kind: Service
metadata: { name: web }
---
apiVersion: ballast.dev/v1
kind: Experiment
metadata: { name: http-abort }
spec:
  service: web
  daemon: ${daemon.url}
  probeInterval: 200ms
  recoveryTimeout: 10s
  steadyState:
    probes:
      - name: health
        http: { url: "${front}/health", conditions: ['[STATUS] == 200'] }
  method:
    - name: break-health
      http: { proxy: front, rule: { match: { path: /health }, abort: { status: 503 } } }
      duration: 1s
`,
    );
    const out = join(dir, 'http-abort.json');
    const r = await run(['chaos', 'run', file, '--override-guards', '--quiet', '--summary-json', out]);
    expect(r.code).toBe(1);
    const summary = JSON.parse(await readFile(out, 'utf8'));
    expect(summary.report.outcome).toBe('deviated');
    expect(summary.journal.find((e: { type: string }) => e.type === 'deviation').detail).toContain(
      'HTTP 503',
    );
    const rules = await (await fetch(`${daemon.url}/ballast/v1/http-proxies/front/rules`)).json();
    expect(rules).toEqual([]);
    expect((await fetch(`${front}/health`)).status).toBe(200);
  });

  it('Ctrl-C (SIGINT) reverts the faults, still prints the report and exits 3', async () => {
    const file = await experiment('interrupted', { maxMs: 5000, latency: 150, duration: '120s' });
    expect(await toxics()).toEqual([]);
    const { child, done } = start(['chaos', 'run', file, '--override-guards', '--quiet']);
    await until('the fault', async () =>
      (await toxicList()).some((t) => t.attributes.latency === 150) ? true : undefined,
    );
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('halting: reverting the faults');
    expect(r.stdout).toContain('interrupted: aborted (halted: interrupted (Ctrl-C))');
    expect(await toxics()).toEqual([]);
    expect((await (await fetch(`${daemon.url}/ballast/v1/leases`)).json()) as unknown[]).toEqual([]);
  });

  it('kill -9 of the controller mid-fault: the daemon reverts the fault within its lease TTL', async () => {
    const file = await experiment('killed', { maxMs: 5000, latency: 400, duration: '120s', ttl: '3s' });
    expect(await toxics()).toEqual([]);
    const { child, done } = start(['chaos', 'run', file, '--override-guards', '--quiet']);
    await until('the fault', async () =>
      (await toxicList()).some((t) => t.attributes.latency === 400) ? true : undefined,
    );
    expect(await timedGet(`${proxied}/`)).toBeGreaterThanOrEqual(380);
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await done;
    const goneAt = await until('the lease to lapse', async () =>
      (await toxics()).length === 0 ? Date.now() : undefined,
    );
    // Within the TTL after the last renewal (at most TTL after the kill), plus the daemon's 250 ms sweep.
    expect(goneAt - killedAt).toBeLessThanOrEqual(3_000 + 500);
    expect(await timedGet(`${proxied}/`)).toBeLessThan(200);
    const leases = (await (await fetch(`${daemon.url}/ballast/v1/leases`)).json()) as unknown[];
    expect(leases).toEqual([]);
  });
});
