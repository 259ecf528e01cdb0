/**
 * Checks on the real server, end to end: a real HTTP target the test starts,
 * checks scheduled by the server from a spec directory, results stored, the
 * threshold state and its alert, the SLO fed by the check, the gate (through
 * the real CLI and its exit code), `/metrics`, the status page, heartbeats.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server/index.ts';
import type { CheckSummary, GateDecisionBody } from '../src/server/schemas.ts';

const ADMIN = 'checks-admin-token';
const BIN = join(import.meta.dirname, '..', 'bin', 'ballast.js');

let target: Server;
let targetUrl = '';
let failing = false;
let dir = '';
let server: RunningServer;

function specs(url: string): string {
  return `apiVersion: openslo/v1
kind: Service
metadata:
  name: shop
  labels: { team: storefront }
spec:
  description: The shop
---
apiVersion: ballast.dev/v1
kind: Check
metadata:
  name: shop-home
  displayName: Shop home
spec:
  service: shop
  type: http
  every: 1s
  jitter: 0s
  timeout: 2s
  failAfter: 2
  recoverAfter: 2
  alert: { severity: page }
  http:
    url: ${url}/
  conditions: ["[STATUS] == 200", "[BODY].ok == true"]
---
apiVersion: ballast.dev/v1
kind: Check
metadata:
  name: shop-job
spec:
  service: shop
  type: heartbeat
  heartbeat: { period: 4s, grace: 2s }
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: shop-synthetic
spec:
  service: shop
  indicator:
    metadata: { name: shop-home-check }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: BallastCheck, spec: { check: shop-home } } }
        total: { metricSource: { type: BallastCheck, spec: { check: shop-home } } }
  timeWindow: [{ duration: 1d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.9 }]
---
apiVersion: ballast.dev/v1
kind: ErrorBudgetPolicy
metadata:
  name: shop-policy
spec:
  service: shop
  minBudgetRemaining: 20%
`;
}

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${ADMIN}`, ...(init.headers ?? {}) },
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as T,
  };
}

/** Polls `probe` until it returns a value (bounded: 20 s). */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function gateCli(): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'gate', '--service', 'shop', '--server', server.url, '--token', ADMIN],
      { timeout: 30_000 },
      (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
}

async function ping(): Promise<string> {
  const info = await api<{ pingPath: string }>('/api/v1/checks/shop-job/heartbeat');
  expect(info.status).toBe(200);
  const res = await fetch(`${server.url}${info.body.pingPath}`);
  expect(res.status).toBe(200);
  await eventually('the ping result', async () =>
    (await check('shop-job'))?.latest?.status === 'pass' ? true : undefined,
  );
  return info.body.pingPath;
}

const check = async (name: string) =>
  (await api<CheckSummary[]>('/api/v1/checks')).body.find((c) => c.name === name);

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(failing ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: !failing }));
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'ballast-checks-server-'));
  await writeFile(join(dir, 'shop.yaml'), specs(targetUrl));
  server = await startServer({
    port: 0,
    inMemory: true,
    specsDir: dir,
    adminToken: ADMIN,
    evaluateEveryMs: 250,
    evaluateThrottleMs: 50,
    heartbeatTickMs: 200,
    artifactsDir: join(dir, 'artifacts'),
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await new Promise((r) => target?.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('checks on the server', () => {
  it('schedules the check, stores passing results and opens the gate', async () => {
    const passing = await eventually('a passing result', async () => {
      const c = await check('shop-home');
      return c?.latest?.status === 'pass' ? c : undefined;
    });
    expect(passing.latest?.httpStatus).toBe(200);
    expect(passing.latest?.phases.connect).toBeGreaterThanOrEqual(0);
    expect(passing.latest?.conditions.map((c) => c.shown)).toEqual([
      '[STATUS] (200) == 200',
      '[BODY].ok (true) == true',
    ]);
    const results = await api<unknown[]>('/api/v1/checks/shop-home/results?limit=5');
    expect(results.status).toBe(200);
    expect(results.body.length).toBeGreaterThan(0);
    // A heartbeat that never pinged has no result: the gate stays closed until it does.
    const closed = await api<GateDecisionBody>('/api/v1/gate?service=shop');
    expect(closed.body.reasons).toContainEqual({
      ok: false,
      kind: 'check',
      message: 'check shop-job is stale: it has never run',
    });
    await ping();
    // The SLO fed by the check has data once the runtime evaluated it (no data would fail closed).
    await eventually('the gate to open', async () =>
      (await api<GateDecisionBody>('/api/v1/gate?service=shop')).body.pass ? true : undefined,
    );
    const { code, stdout } = await gateCli();
    expect(stdout).toContain('gate OPEN for shop');
    expect(code).toBe(0);
  });

  it('a failing target trips the threshold, raises the alert, burns the SLO budget and closes the gate (exit 1)', async () => {
    failing = true;
    const failingCheck = await eventually('the check to be failing', async () => {
      const c = await check('shop-home');
      return c?.health?.state === 'failing' ? c : undefined;
    });
    expect(failingCheck.latest?.status).toBe('fail');
    expect(failingCheck.latest?.reason).toBe('[STATUS] (503) == 200');
    const alerts = await server.store.listAlertEvents({});
    const fired = alerts.find((a) => a.source === 'check' && a.slo === 'shop-home' && a.to === 'firing');
    expect(fired?.severity).toBe('page');
    // The check's results are the SLO's events: with target 0.9 a run of failures spends the budget.
    const decision = await eventually('the budget to fall below the policy', async () => {
      const g = await api<GateDecisionBody>('/api/v1/gate?service=shop');
      return g.body.reasons.some((r) => r.kind === 'budget' && !r.ok) ? g.body : undefined;
    });
    expect(decision.pass).toBe(false);
    expect(decision.minBudgetRemaining).toBeCloseTo(0.2);
    const { code, stdout } = await gateCli();
    expect(code).toBe(1);
    expect(stdout).toContain('gate CLOSED for shop');
    expect(stdout).toMatch(/FAIL check shop-home is failing: \[STATUS\] \(503\) == 200/);
    expect(stdout).toMatch(
      /FAIL SLO shop-synthetic has -?\d+(\.\d)?% of its error budget left; the policy needs more than 20%/,
    );
  });

  it('exposes the probe on /metrics as blackbox_exporter does', async () => {
    const res = await fetch(`${server.url}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/probe_success\{check="shop-home",service="shop",type="http",location="local"\} 0/);
    expect(text).toMatch(
      /probe_http_status_code\{check="shop-home",service="shop",type="http",location="local"\} 503/,
    );
    expect(text).toMatch(
      /probe_duration_seconds\{check="shop-home",service="shop",type="http",location="local",phase="connect"\} \d/,
    );
    expect(text).toMatch(/ballast_check_failing\{check="shop-home",service="shop"\} 1/);
  });

  it('shows the outage on the public status page (JSON and HTML, no token), for the service and its team', async () => {
    const json = await fetch(`${server.url}/api/v1/status/shop`);
    expect(json.status).toBe(200);
    const page = (await json.json()) as {
      status: { indicator: string };
      components: { name: string; status: string; uptime: { days: unknown[] } }[];
    };
    const home = page.components.find((c) => c.name === 'shop-home');
    expect(home?.status).toBe('major_outage');
    expect(home?.uptime.days).toHaveLength(90);
    expect(page.status.indicator).toBe('critical');
    const html = await fetch(`${server.url}/status/storefront`);
    expect(html.status).toBe(200);
    const body = await html.text();
    expect(body).toContain('data-status="major_outage"');
    expect(body).toContain('Major System Outage');
    expect((await fetch(`${server.url}/status/nobody`)).status).toBe(404);
  });

  it('recovers after enough passing runs and resolves the alert', async () => {
    failing = false;
    await eventually('the check to recover', async () => {
      const c = await check('shop-home');
      return c?.health?.state === 'passing' && c.latest?.status === 'pass' ? c : undefined;
    });
    const alerts = await server.store.listAlertEvents({});
    const resolved = alerts.find(
      (a) => a.source === 'check' && a.slo === 'shop-home' && a.from === 'firing' && a.to === 'ok',
    );
    expect(resolved).toBeDefined();
  });

  it('heartbeats: a ping through the secret URL passes, a missed period fails', async () => {
    const pingPath = await ping();
    expect(pingPath).toMatch(/^\/api\/v1\/heartbeats\/[\w-]{16,}$/);
    expect((await fetch(`${server.url}/api/v1/heartbeats/not-a-key`)).status).toBe(404);
    expect((await check('shop-job'))?.type).toBe('heartbeat');
    // No more pings: after 4 s + 2 s grace the heartbeat fails with kind `missed`.
    const missed = await eventually('the missed heartbeat', async () => {
      const c = await check('shop-job');
      return c?.latest?.status === 'fail' ? c : undefined;
    });
    expect(missed.latest?.error?.kind).toBe('missed');
  });

  it('runs a check on demand and refuses heartbeats and unknown checks', async () => {
    const run = await api<{ status: string; check: string }>('/api/v1/checks/shop-home/run', {
      method: 'POST',
    });
    expect(run.status).toBe(200);
    expect(run.body.check).toBe('shop-home');
    expect((await api('/api/v1/checks/shop-job/run', { method: 'POST' })).status).toBe(409);
    expect((await api('/api/v1/checks/nope/run', { method: 'POST' })).status).toBe(404);
    expect((await api('/api/v1/gate?service=nope')).status).toBe(404);
  });
});
