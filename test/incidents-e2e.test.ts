/**
 * Incidents opened by Ballast's own signals, end to end through the real
 * server on a controllable clock: a heartbeat that stops pinging, an HTTP
 * check crossing its failure threshold (a page and a ticket), an SLO whose
 * burn rate pages after an outage is posted; the status page showing an open
 * incident's public update under its public title; and the error budget an
 * incident consumed, in its postmortem, computed from SLI data the server
 * ingested.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server/index.ts';

const ADMIN = 'incidents-e2e-admin-token';
const MINUTE = 60_000;
/** Mid-minute, so no event lands on a bucket edge. */
const T0 = Date.UTC(2026, 10, 23, 10, 0, 30);

interface IncidentBody {
  id: number;
  title: string;
  state: string;
  severity: string;
  urgency: string;
  service?: string;
  postmortem?: string;
}

async function call<T>(
  server: RunningServer,
  path: string,
  json?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body: body as T };
}

/** Polls until `probe` gives a value (bounded: the server's own timers drive what is waited for). */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const incidentTitled = async (server: RunningServer, title: string) =>
  (await call<IncidentBody[]>(server, '/api/v1/incidents?limit=1000')).body.find((i) => i.title === title);

describe('a heartbeat that stops pinging', () => {
  let server: RunningServer;
  let dir = '';
  let clock = T0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ballast-e2e-heartbeat-'));
    await writeFile(
      join(dir, 'specs.yaml'),
      `apiVersion: openslo/v1
kind: Service
metadata: { name: exports }
spec: { description: Nightly exports }
---
apiVersion: ballast.dev/v1
kind: Check
metadata: { name: nightly-export }
spec:
  service: exports
  type: heartbeat
  heartbeat: { period: 1h, grace: 10m }
`,
    );
    server = await startServer({
      port: 0,
      inMemory: true,
      specsDir: dir,
      adminToken: ADMIN,
      paging: false,
      now: () => clock,
      // Judged often on the wall clock; what counts as missed is decided on the test's clock.
      heartbeatTickMs: 50,
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opens an incident once the period and grace pass without a ping, and the next ping resolves it', async () => {
    const { body: info } = await call<{ pingPath: string }>(
      server,
      '/api/v1/checks/nightly-export/heartbeat',
    );
    expect((await fetch(`${server.url}${info.pingPath}`, { method: 'POST' })).status).toBeLessThan(300);
    clock += 30 * MINUTE;
    // Within period and grace: nothing.
    expect(await incidentTitled(server, 'Check nightly-export is failing')).toBeUndefined();
    clock += 2 * 60 * MINUTE;
    const incident = await eventually('the heartbeat incident', async () =>
      (await call<IncidentBody[]>(server, '/api/v1/incidents?state=open')).body.find((i) =>
        i.title.startsWith('Check nightly-export is failing'),
      ),
    );
    expect(incident).toMatchObject({ service: 'exports', urgency: 'high', state: 'triggered' });
    const detail = await call<{
      alerts: { origin: string }[];
      timeline: { kind: string; data?: { origin?: string } }[];
    }>(server, `/api/v1/incidents/${incident.id}`);
    expect(detail.body.alerts.map((a) => a.origin)).toEqual(['check']);
    expect(detail.body.timeline[0]).toMatchObject({ kind: 'alert-firing', data: { origin: 'check' } });
    // The job pings again: the check recovers and the incident resolves.
    expect((await fetch(`${server.url}${info.pingPath}`, { method: 'POST' })).status).toBeLessThan(300);
    await eventually('the heartbeat incident to resolve', async () =>
      (await call<{ incident: IncidentBody }>(server, `/api/v1/incidents/${incident.id}`)).body.incident
        .state === 'resolved'
        ? true
        : undefined,
    );
  });
});

describe('checks, SLOs, the status page and postmortems', () => {
  let server: RunningServer;
  let target: Server;
  let targetUrl = '';
  let failing = true;
  let dir = '';
  let clock = T0;

  const slo = (name: string, service: string) => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: ${service}
  indicator:
    metadata: { name: ${name}-requests }
    spec: { ratioMetric: { counter: true, good: {}, total: {} } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.99 }]
`;
  const check = (name: string, severity: string) => `apiVersion: ballast.dev/v1
kind: Check
metadata: { name: ${name} }
spec:
  service: shop
  type: http
  every: 1h
  failAfter: 2
  recoverAfter: 1
  alert: { severity: ${severity} }
  http: { url: "${targetUrl}/${name}" }
  conditions: ["[STATUS] == 200"]
`;

  beforeAll(async () => {
    target = createServer((_req, res) => {
      res.writeHead(failing ? 503 : 200).end(failing ? 'down' : 'ok');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), 'ballast-e2e-'));
    await writeFile(
      join(dir, 'specs.yaml'),
      [
        'apiVersion: openslo/v1\nkind: Service\nmetadata: { name: shop }\nspec: { description: Shop }\n',
        'apiVersion: openslo/v1\nkind: Service\nmetadata: { name: checkout }\nspec: { description: Checkout }\n',
        'apiVersion: openslo/v1\nkind: Service\nmetadata: { name: search }\nspec: { description: Search }\n',
        slo('checkout-availability', 'checkout'),
        slo('search-availability', 'search'),
        check('shop-home', 'page'),
        check('shop-sitemap', 'ticket'),
      ].join('---\n'),
    );
    server = await startServer({
      port: 0,
      inMemory: true,
      specsDir: dir,
      adminToken: ADMIN,
      // Checks run when the test says (run now), through the real monitor.
      runChecks: false,
      paging: false,
      now: () => clock,
      evaluateEveryMs: 3_600_000,
      evaluateThrottleMs: 20,
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await new Promise((r) => target?.close(r));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const run = async (name: string) => {
    const r = await call<{ status: string }>(server, `/api/v1/checks/${name}/run`, {});
    expect(r.status).toBe(200);
    return r.body.status;
  };

  it('opens an incident when a check crosses its failure threshold, and resolves it when it recovers', async () => {
    expect(await run('shop-home')).toBe('fail');
    // One failure is under the threshold (failAfter: 2).
    expect(await incidentTitled(server, 'Check shop-home is failing')).toBeUndefined();
    clock += MINUTE;
    expect(await run('shop-home')).toBe('fail');
    const incident = await eventually('the check incident', async () =>
      (await call<IncidentBody[]>(server, '/api/v1/incidents?state=open')).body.find((i) =>
        i.title.startsWith('Check shop-home is failing'),
      ),
    );
    expect(incident).toMatchObject({ service: 'shop', urgency: 'high', severity: 'SEV2' });
    failing = false;
    clock += MINUTE;
    expect(await run('shop-home')).toBe('pass');
    await eventually('the recovery', async () =>
      (await call<{ incident: IncidentBody }>(server, `/api/v1/incidents/${incident.id}`)).body.incident
        .state === 'resolved'
        ? true
        : undefined,
    );
    const detail = await call<{ timeline: { kind: string; text: string }[] }>(
      server,
      `/api/v1/incidents/${incident.id}`,
    );
    expect(detail.body.timeline.map((e) => e.kind)).toEqual(['alert-firing', 'alert-resolved', 'state']);
  });

  it('gives a failing check with alertSeverity ticket a low-urgency incident', async () => {
    failing = true;
    clock += 40 * MINUTE; // past the grouping window of the shop incident
    await run('shop-sitemap');
    clock += MINUTE;
    await run('shop-sitemap');
    const incident = await eventually('the ticket incident', async () =>
      (await call<IncidentBody[]>(server, '/api/v1/incidents?state=open')).body.find((i) =>
        i.title.startsWith('Check shop-sitemap is failing'),
      ),
    );
    expect(incident).toMatchObject({ urgency: 'low', severity: 'SEV4' });
    failing = false;
  });

  it('opens an incident from an SLO burn-rate page after an outage is ingested, and shows its public update on the status page', async () => {
    clock += 10 * MINUTE;
    const outage = Array.from({ length: 60 }, (_, i) => ({
      timestamp: clock - (i + 1) * MINUTE + 1000,
      good: 0,
      total: 100,
    }));
    expect((await call(server, '/api/v1/slos/checkout-availability/events', { events: outage })).status).toBe(
      200,
    );
    const title = 'SLO checkout-availability is burning its error budget (page)';
    const incident = await eventually('the SLO incident', () => incidentTitled(server, title));
    expect(incident).toMatchObject({
      service: 'checkout',
      urgency: 'high',
      severity: 'SEV2',
      state: 'triggered',
    });

    // Not public until someone posts an update, and then under the update's title.
    const before = await call<{ incidents: unknown[] }>(server, '/api/v1/status/checkout');
    expect(before.body.incidents).toEqual([]);
    const noTitle = await call(server, `/api/v1/incidents/${incident.id}/updates`, {
      body: 'Looking into it',
    });
    expect(noTitle.status).toBe(400);
    const posted = await call(server, `/api/v1/incidents/${incident.id}/updates`, {
      title: 'Checkout errors',
      body: 'Some payments fail at checkout; we are on it.',
    });
    expect(posted.status).toBe(200);
    clock += MINUTE;
    await call(server, `/api/v1/incidents/${incident.id}/updates`, { body: 'A fix is rolling out.' });
    const status = await call<{
      incidents: { name: string; status: string; impact: string; notes: { body: string }[] }[];
    }>(server, '/api/v1/status/checkout');
    expect(status.body.incidents).toEqual([
      expect.objectContaining({
        name: 'Checkout errors',
        status: 'triggered',
        impact: 'major',
        notes: [
          expect.objectContaining({ body: 'A fix is rolling out.' }),
          expect.objectContaining({ body: 'Some payments fail at checkout; we are on it.' }),
        ],
      }),
    ]);
    const html = await (await fetch(`${server.url}/status/checkout`)).text();
    expect(html).toContain('Checkout errors');
    expect(html).toContain('A fix is rolling out.');
    // The internal title stays internal.
    expect(html).not.toContain('burning its error budget');
    expect(JSON.stringify(status.body)).not.toContain('burning its error budget');
    // Resolved: off the status page.
    expect(
      (await call(server, `/api/v1/incidents/${incident.id}/transition`, { to: 'resolved' })).status,
    ).toBe(200);
    expect((await call<{ incidents: unknown[] }>(server, '/api/v1/status/checkout')).body.incidents).toEqual(
      [],
    );
  });

  it('writes the error budget the incident consumed into the postmortem, from the SLI data the server holds', async () => {
    clock += 60 * MINUTE;
    const start = clock;
    // An hour of clean traffic before the incident...
    const clean = Array.from({ length: 60 }, (_, i) => ({
      timestamp: start - (i + 1) * MINUTE + 1000,
      good: 100,
      total: 100,
    }));
    expect((await call(server, '/api/v1/slos/search-availability/events', { events: clean })).status).toBe(
      200,
    );
    const declared = await call<IncidentBody>(server, '/api/v1/incidents', {
      title: 'Search returns errors',
      severity: 'SEV3',
      service: 'search',
    });
    expect(declared.status).toBe(201);
    // ...then ten minutes with one failed request a minute, while it is open.
    clock = start + 12 * MINUTE;
    const degraded = Array.from({ length: 10 }, (_, i) => ({
      timestamp: start + (i + 1) * MINUTE + 1000,
      good: 99,
      total: 100,
    }));
    expect((await call(server, '/api/v1/slos/search-availability/events', { events: degraded })).status).toBe(
      200,
    );
    expect(
      (await call(server, `/api/v1/incidents/${declared.body.id}/transition`, { to: 'resolved' })).status,
    ).toBe(200);
    const pm = await call<IncidentBody>(server, `/api/v1/incidents/${declared.body.id}/postmortem`, {});
    expect(pm.status).toBe(200);
    // Occurrences over the 30-day window: budget left = 1 − (bad / total) / (1 − objective).
    const events = [...clean, ...degraded];
    const bad = events.reduce((n, e) => n + (e.total - e.good), 0);
    const total = events.reduce((n, e) => n + e.total, 0);
    const consumed = bad / total / (1 - 0.99);
    const pct = (ratio: number) => `${Number((ratio * 100).toFixed(1))}%`;
    const row = (pm.body.postmortem ?? '').split('\n').find((l) => l.startsWith('| search-availability'));
    expect(row).toBe(
      `| search-availability | 99% | 100% | ${pct(1 - consumed)} | ${pct(consumed)} of the budget |`,
    );
    expect(pm.body.postmortem).toContain('error budget consumed on search-availability');
  });
});
