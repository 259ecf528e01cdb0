/**
 * `ballast chaos run` with every kind of steady-state probe against the real
 * thing: a Check run by the controller, an HTTP probe, an SLO burn rate read
 * from a real Ballast server, a PromQL bound answered by a real Prometheus;
 * a LoadTest in the background as traffic, a rollback, and `ballast chaos
 * halt --daemon` reverting a leased fault at the daemon directly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultDaemon, type FaultDaemon } from '../src/chaos/daemon/index.ts';
import { hostFaultsPlugin } from '../src/chaos/plugins/host-faults.ts';
import { type RunningServer, startServer } from '../src/server/index.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'ballast.js');
const ADMIN = 'chaos-probes-admin';

/** The state letter of a process (R, S, T for stopped, ...) from /proc. */
async function procState(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, BALLAST_TOKEN: ADMIN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('chaos run probes, load and rollbacks', () => {
  let dir: string;
  let service: Server;
  let serviceUrl: string;
  let daemon: FaultDaemon;
  let server: RunningServer;
  let prom: ChildProcess;
  let promUrl: string;
  let proxied: string;
  let rollbacks = 0;
  let requests = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ballast-chaos-probes-'));
    service = createServer((req, res) => {
      requests++;
      if (req.url === '/rollback' && req.method === 'POST') rollbacks++;
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    const port = (service.address() as AddressInfo).port;
    serviceUrl = `http://127.0.0.1:${port}`;
    daemon = await createFaultDaemon({
      port: 0,
      log: () => {},
      plugins: [hostFaultsPlugin({ enabled: true })],
    });
    const created = await fetch(`${daemon.url}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name: 'web', listen: '127.0.0.1:0', upstream: `127.0.0.1:${port}` }),
    });
    proxied = `http://${((await created.json()) as { listen: string }).listen}`;

    await writeFile(join(dir, 'prometheus.yml'), 'global:\n  evaluation_interval: 1m\n');
    const promPort = await freePort();
    prom = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'prom')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: 'ignore' },
    );
    promUrl = `http://127.0.0.1:${promPort}`;
    for (let i = 0; ; i++) {
      if (prom.exitCode !== null) throw new Error(`prometheus exited with ${prom.exitCode}`);
      if (i > 300) throw new Error('prometheus did not become ready');
      if (
        await fetch(`${promUrl}/-/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }

    server = await startServer({
      port: 0,
      dataDir: join(dir, 'data'),
      adminToken: ADMIN,
      evaluateEveryMs: 3_600_000,
    });
    const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const applied = await fetch(`${server.url}/api/v1/apply`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ documents: [{ file: 'specs.yaml', content: await specs() }] }),
    });
    expect(applied.status).toBe(200);
    const events = await fetch(`${server.url}/api/v1/slos/web-availability/events`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ events: [{ timestamp: Date.now() - 60_000, good: 1000, total: 1000 }] }),
    });
    expect(events.status).toBe(200);
    await server.runtime.evaluate();
  });

  afterAll(async () => {
    await server?.close();
    await daemon?.close();
    if (prom?.pid !== undefined && prom.exitCode === null) {
      const exited = new Promise((r) => prom.once('exit', r));
      process.kill(prom.pid, 'SIGTERM');
      await exited;
    }
    await new Promise((r) => service?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  /** Service, SLO, Check and LoadTest the experiments name. */
  async function specs(): Promise<string> {
    return `apiVersion: openslo/v1
kind: Service
metadata: { name: web }
spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: web-availability }
spec:
  service: web
  indicator:
    metadata: { name: web-requests }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Ballast } }
        total: { metricSource: { type: Ballast } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.99 }]
`;
  }

  async function experiment(name: string, promql: string, method: string): Promise<string> {
    const file = join(dir, `${name}.yaml`);
    await writeFile(
      file,
      `${await specs()}---
apiVersion: ballast.dev/v1
kind: Check
metadata: { name: web-api }
spec:
  service: web
  type: http
  http: { url: "${serviceUrl}/api" }
  conditions: ['[STATUS] == 200', '[BODY].ok == true']
---
apiVersion: ballast.dev/v1
kind: LoadTest
metadata: { name: web-traffic }
spec:
  service: web
  executor: { type: constant-arrival-rate, rate: 20, timeUnit: 1s, duration: 30s }
  requests:
    - { name: home, method: GET, url: "${proxied}/" }
---
apiVersion: ballast.dev/v1
kind: Experiment
metadata: { name: ${name} }
spec:
  service: web
  daemon: ${daemon.url}
  probeInterval: 300ms
  recoveryTimeout: 10s
  steadyState:
    probes:
      - { name: api, check: web-api }
      - name: home
        http: { url: "${proxied}/", conditions: ['[STATUS] == 200'] }
      - { name: burn, slo: web-availability, window: 5m, maxBurnRate: 10 }
      - { name: prom, promql: '${promql}', prometheus: "${promUrl}", max: 1 }
  method:
${method}
  rollbacks:
    - name: restart
      http: { url: "${serviceUrl}/rollback", method: POST }
`,
    );
    return file;
  }

  it('judges steady state by a check, an HTTP probe, an SLO burn rate and a PromQL bound, with load and a rollback', async () => {
    const file = await experiment(
      'all-probes',
      'vector(0.5)',
      `    - { name: traffic, load: web-traffic }
    - name: slow
      toxic: { proxy: web, type: latency, attributes: { latency: 50 } }
      duration: 1500ms`,
    );
    const before = { rollbacks, requests };
    const out = join(dir, 'all.json');
    const r = await run(['chaos', 'run', file, '--server', server.url, '--summary-json', out, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { report, journal } = JSON.parse(await readFile(out, 'utf8'));
    expect(report.outcome).toBe('held');
    const probes = journal.filter(
      (e: { type: string; phase: string }) => e.type === 'probe' && e.phase === 'before',
    );
    const detail = Object.fromEntries(
      probes.map((p: { probe: string; detail: string }) => [p.probe, p.detail]),
    );
    expect(detail.api).toMatch(/^pass: HTTP 200/);
    expect(detail.burn).toBe('web-availability 5m burn rate 0.00 < 10');
    expect(detail.prom).toBe('query = 0.5 (max 1)');
    const actions = journal.filter((e: { type: string }) => e.type === 'action');
    expect(actions.map((a: { action: string }) => a.action)).toEqual([
      'load-start',
      'apply',
      'revert',
      'load-stop',
      'rollback',
    ]);
    expect(actions[3].detail).toMatch(/^\d+ requests, 0 failed/);
    expect(rollbacks).toBe(before.rollbacks + 1);
    // The load test's traffic reached the service through the proxy.
    expect(requests - before.requests).toBeGreaterThan(20);
    // The budget use is read from the server before and after.
    expect(report.budget).toEqual([{ slo: 'web-availability', before: 1, after: 1, consumed: 0 }]);
    const stored = await fetch(`${server.url}/api/v1/chaos/runs?status=held`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(((await stored.json()) as unknown[]).length).toBe(1);
  });

  it('does not start the method when a PromQL bound fails before it', async () => {
    const file = await experiment(
      'prom-breach',
      'vector(5)',
      `    - name: slow
      toxic: { proxy: web, type: latency, attributes: { latency: 50 } }
      duration: 1s`,
    );
    const out = join(dir, 'breach.json');
    const r = await run(['chaos', 'run', file, '--override-guards', '--summary-json', out, '--quiet']);
    expect(r.code).toBe(1);
    const { report, journal } = JSON.parse(await readFile(out, 'utf8'));
    expect(report.outcome).toBe('precondition_failed');
    expect(journal.find((e: { probe?: string }) => e.probe === 'prom').detail).toBe('query = 5 (max 1)');
    // Without --server the SLO probe cannot be judged, and says why.
    expect(journal.find((e: { probe?: string }) => e.probe === 'burn').detail).toContain(
      'SLO probes need a server',
    );
    expect(journal.some((e: { type: string }) => e.type === 'action')).toBe(false);
  });

  it('pauses a process by its command line as a host fault of the method, and resumes it after', async () => {
    const marker = `ballast-chaos-victim-${process.pid}`;
    const victim = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], {
      stdio: 'ignore',
    });
    try {
      const file = await experiment(
        'pause-victim',
        'vector(0.5)',
        `    - name: freeze-worker
      host: { kind: pause, cmdline: ${marker} }
      duration: 2s`,
      );
      const pid = victim.pid as number;
      expect(await procState(pid)).not.toBe('T');
      const running = run(['chaos', 'run', file, '--server', server.url, '--quiet']);
      let stopped = false;
      for (let i = 0; i < 200 && !stopped; i++) {
        stopped = (await procState(pid)) === 'T';
        if (!stopped) await new Promise((r) => setTimeout(r, 50));
      }
      expect(stopped).toBe(true);
      const r = await running;
      expect(r.stdout).toContain('pause-victim: the hypothesis held');
      expect(r.code).toBe(0);
      expect(await procState(pid)).not.toBe('T');
      expect(await (await fetch(`${daemon.url}/ballast/v1/host-faults`)).json()).toEqual([]);
    } finally {
      victim.kill('SIGKILL');
    }
  });

  it('ballast chaos halt --daemon reverts every leased fault at the daemon', async () => {
    const lease = await (
      await fetch(`${daemon.url}/ballast/v1/leases`, {
        method: 'POST',
        body: JSON.stringify({ holder: 'test', ttl_ms: 60_000 }),
      })
    ).json();
    const added = await fetch(`${daemon.url}/proxies/web/toxics`, {
      method: 'POST',
      body: JSON.stringify({
        type: 'latency',
        attributes: { latency: 100 },
        lease: (lease as { id: string }).id,
      }),
    });
    expect(added.status).toBe(200);
    const r = await run(['chaos', 'halt', '--daemon', daemon.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"reverted_faults":1');
    expect(await (await fetch(`${daemon.url}/proxies/web/toxics`)).json()).toEqual([]);
    const oneWithoutServer = await run(['chaos', 'halt', 'some-run']);
    expect(oneWithoutServer.code).toBe(2);
    expect(oneWithoutServer.stderr).toContain('halting one run needs --server URL');
    const unknown = await run(['chaos', 'halt', 'no-such-run', '--server', server.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no chaos run with id "no-such-run"');
    const again = await run(['chaos', 'halt', '--daemon', daemon.url]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('"reverted_faults":0');
  });
});
