/**
 * Alert intake on the real server: a PagerDuty-style client posting
 * trigger/acknowledge/resolve, Alertmanager's webhook from the real binary
 * (Debian `prometheus-alertmanager`) fed through its own API, incidents opened
 * by Ballast's own check alerts, declared incidents and their moves, and an
 * intake that survives a SIGKILL right after its 202.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../bench/load/lib/ports.ts';
import { type RunningServer, startServer } from '../src/server/index.ts';

const ADMIN = 'incidents-admin-token';
const BIN = join(import.meta.dirname, '..', 'bin', 'ballast.js');

interface IncidentBody {
  id: number;
  title: string;
  state: string;
  severity: string;
  urgency: string;
  service?: string;
  milestones: Record<string, number>;
}

let server: RunningServer;
let dir = '';

async function call<T>(
  path: string,
  init: RequestInit & { json?: unknown; token?: string | null } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? ADMIN}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? (init.json !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const integration = async (kind: 'alertmanager' | 'events-v2', service?: string) =>
  (
    await call<{ key: string; path: string }>('/api/v1/integrations', {
      json: { name: `${kind} test`, kind, ...(service ? { service } : {}) },
    })
  ).body;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ballast-incidents-'));
  await writeFile(
    join(dir, 'specs.yaml'),
    `apiVersion: openslo/v1
kind: Service
metadata: { name: payments }
spec: { description: Payments }
`,
  );
  server = await startServer({
    port: 0,
    inMemory: true,
    specsDir: dir,
    adminToken: ADMIN,
    runChecks: false,
    intakePerMinute: 60,
    intakeBurst: 5,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Events API v2 intake', () => {
  it('triggers, deduplicates a replay, acknowledges and resolves an incident, answering as PagerDuty does', async () => {
    const { key } = await integration('events-v2', 'payments');
    const trigger = {
      routing_key: key,
      event_action: 'trigger',
      dedup_key: 'card-auth-errors',
      payload: { summary: 'Card authorisations failing', source: 'auth-gw-1', severity: 'critical' },
    };
    const first = await call<{ status: string; message: string; dedup_key: string }>(
      '/api/v1/integrations/events/v2/enqueue',
      { json: trigger, token: null },
    );
    expect(first).toEqual({
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: 'card-auth-errors' },
    });
    const replay = await call('/api/v1/integrations/events/v2/enqueue', { json: trigger, token: null });
    expect(replay.status).toBe(202);
    const open = (await call<IncidentBody[]>('/api/v1/incidents?state=open')).body.filter(
      (i) => i.title === 'Card authorisations failing',
    );
    expect(open).toHaveLength(1);
    const incident = open[0] as IncidentBody;
    expect(incident).toMatchObject({
      state: 'triggered',
      severity: 'SEV2',
      urgency: 'high',
      service: 'payments',
    });

    const ack = { routing_key: key, event_action: 'acknowledge', dedup_key: 'card-auth-errors' };
    expect((await call('/api/v1/integrations/events/v2/enqueue', { json: ack, token: null })).status).toBe(
      202,
    );
    const acked = await call<{ incident: IncidentBody }>(`/api/v1/incidents/${incident.id}`);
    expect(acked.body.incident.state).toBe('acknowledged');
    expect(acked.body.incident.milestones.acknowledgedAt).toBeGreaterThan(0);

    const resolve = { routing_key: key, event_action: 'resolve', dedup_key: 'card-auth-errors' };
    expect(
      (await call('/api/v1/integrations/events/v2/enqueue', { json: resolve, token: null })).status,
    ).toBe(202);
    const detail = await call<{
      incident: IncidentBody;
      alerts: { status: string }[];
      timeline: { kind: string; text: string }[];
      allowedMoves: string[];
    }>(`/api/v1/incidents/${incident.id}`);
    expect(detail.body.incident.state).toBe('resolved');
    expect(detail.body.alerts.map((a) => a.status)).toEqual(['resolved']);
    expect(detail.body.timeline.map((e) => e.kind)).toEqual([
      'alert-firing',
      'state',
      'alert-resolved',
      'state',
    ]);
    expect(detail.body.allowedMoves).toContain('closed');
    // A replayed resolve changes nothing on the timeline.
    expect(
      (await call('/api/v1/integrations/events/v2/enqueue', { json: resolve, token: null })).status,
    ).toBe(202);
    const after = await call<{ timeline: unknown[] }>(`/api/v1/incidents/${incident.id}`);
    expect(after.body.timeline).toHaveLength(detail.body.timeline.length);
  });

  it('resolves a later episode of the same key with the same resolve body', async () => {
    const { key } = await integration('events-v2', 'episodes');
    const trigger = (summary: string) => ({
      routing_key: key,
      event_action: 'trigger',
      dedup_key: 'flappy',
      payload: { summary, source: 's', severity: 'error' },
    });
    const resolve = { routing_key: key, event_action: 'resolve', dedup_key: 'flappy' };
    for (const body of [trigger('Flappy 1'), resolve, trigger('Flappy 2'), resolve])
      expect((await call('/api/v1/integrations/events/v2/enqueue', { json: body, token: null })).status).toBe(
        202,
      );
    const list = (await call<IncidentBody[]>('/api/v1/incidents?service=episodes')).body;
    expect(list.map((i) => i.state)).toEqual(['resolved']);
  });

  it('answers 400 with every error, 404 for an unknown key without saying more, and 429 over the rate', async () => {
    const bad = await call<{ status: string; errors: string[] }>('/api/v1/integrations/events/v2/enqueue', {
      json: { routing_key: 'x', event_action: 'trigger', payload: { summary: '' } },
      token: null,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.status).toBe('invalid event');
    expect(bad.body.errors).toEqual([
      "'payload.summary' is missing or blank",
      "'payload.source' is missing or blank",
      "'payload.severity' is missing or blank",
    ]);
    const unknown = await call<{ message: string }>('/api/v1/integrations/events/v2/enqueue', {
      json: { routing_key: 'no-such-key', event_action: 'resolve', dedup_key: 'x' },
      token: null,
    });
    expect(unknown).toEqual({
      status: 404,
      body: {
        status: 'invalid event',
        message: 'unknown integration key',
        errors: ['unknown integration key'],
      },
    });
    const { key } = await integration('events-v2');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await call('/api/v1/integrations/events/v2/enqueue', {
        json: {
          routing_key: key,
          event_action: 'trigger',
          dedup_key: `burst-${i}`,
          payload: { summary: `burst ${i}`, source: 's', severity: 'info' },
        },
        token: null,
      });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // An oversized body is refused before anything is parsed or stored.
    const big = await fetch(`${server.url}/api/v1/integrations/events/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: key, pad: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
  });
});

describe('incidents by hand', () => {
  it('declares, moves along the lifecycle, refuses an impossible move with the allowed ones, and keeps notes', async () => {
    const declared = await call<IncidentBody>('/api/v1/incidents', {
      json: { title: 'Payouts delayed', severity: 'SEV3', service: 'payments' },
    });
    expect(declared.status).toBe(201);
    expect(declared.body.state).toBe('investigating');
    const id = declared.body.id;
    expect(
      (await call<IncidentBody>(`/api/v1/incidents/${id}/transition`, { json: { to: 'identified' } })).body
        .state,
    ).toBe('identified');
    const note = await call<{ kind: string; text: string; actor: string }>(`/api/v1/incidents/${id}/notes`, {
      json: { text: 'Bank file stuck in SFTP' },
    });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ kind: 'note', text: 'Bank file stuck in SFTP', actor: 'admin' });
    expect((await call(`/api/v1/incidents/${id}/transition`, { json: { to: 'resolved' } })).status).toBe(200);
    expect((await call(`/api/v1/incidents/${id}/transition`, { json: { to: 'closed' } })).status).toBe(200);
    const refused = await call<{ message: string; details: { message: string }[] }>(
      `/api/v1/incidents/${id}/transition`,
      { json: { to: 'investigating' } },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.details[0]?.message).toBe('allowed: none');
    expect((await call('/api/v1/incidents/999999/transition', { json: { to: 'closed' } })).status).toBe(404);
    expect((await call('/api/v1/incidents?state=nonsense')).status).toBe(400);
  });

  // Each of these uses its own service: alerts of one service within 30 minutes join one incident.
  it('opens a low-urgency incident for an SLO ticket alert and a high-urgency one for a page', async () => {
    const at = Date.now();
    for (const severity of ['ticket', 'page'])
      await server.runtime.publishAlert({
        slo: `wallet-${severity}`,
        service: `wallet-${severity}`,
        severity,
        from: 'ok',
        to: 'firing',
        at,
        reason: '1h burn 20 > 14.4',
        burnRates: { '1h': 20 },
      });
    const found = await eventually('the SLO incidents', async () => {
      const list = (await call<IncidentBody[]>('/api/v1/incidents?state=open')).body.filter((i) =>
        i.title.startsWith('SLO wallet-'),
      );
      return list.length === 2 ? list : undefined;
    });
    const byTitle = Object.fromEntries(found.map((i) => [i.title, i]));
    expect(byTitle['SLO wallet-ticket is burning its error budget (ticket)']).toMatchObject({
      urgency: 'low',
      severity: 'SEV4',
    });
    expect(byTitle['SLO wallet-page is burning its error budget (page)']).toMatchObject({
      urgency: 'high',
      severity: 'SEV2',
    });
  });

  it('opens an incident when a check crosses its failure threshold, and resolves it on recovery', async () => {
    const t0 = Date.now();
    await server.runtime.publishAlert({
      source: 'check',
      slo: 'payments-api',
      service: 'ledger',
      severity: 'page',
      from: 'ok',
      to: 'firing',
      at: t0,
      reason: '[STATUS] (503) == 200',
      burnRates: {},
    });
    const opened = await eventually('the check incident', async () => {
      const list = (await call<IncidentBody[]>('/api/v1/incidents?state=open')).body;
      return list.find((i) => i.title === 'Check payments-api is failing: [STATUS] (503) == 200');
    });
    expect(opened).toMatchObject({ urgency: 'high', service: 'ledger' });
    await server.runtime.publishAlert({
      source: 'check',
      slo: 'payments-api',
      service: 'ledger',
      severity: 'page',
      from: 'firing',
      to: 'ok',
      at: t0 + 1_000,
      burnRates: {},
    });
    await eventually('the check incident to resolve', async () => {
      const d = await call<{ incident: IncidentBody }>(`/api/v1/incidents/${opened.id}`);
      return d.body.incident.state === 'resolved' ? true : undefined;
    });
  });
});

describe('Alertmanager webhook', () => {
  let am: ChildProcess | undefined;
  let amDir = '';

  afterAll(async () => {
    if (am && am.exitCode === null && am.signalCode === null) {
      const exited = new Promise((r) => am?.once('exit', r));
      am.kill('SIGTERM');
      await exited;
    }
    if (amDir) await rm(amDir, { recursive: true, force: true });
  });

  it('the real Alertmanager delivers an alert posted to its API, and Ballast opens an incident, then resolves it', async () => {
    const { key, path } = await integration('alertmanager', 'cards');
    expect(path).toBe(`/api/v1/integrations/alertmanager/${key}`);
    amDir = await mkdtemp(join(tmpdir(), 'ballast-am-webhook-'));
    await writeFile(
      join(amDir, 'am.yml'),
      `route:\n  receiver: ballast\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: ballast\n    webhook_configs:\n      - url: ${server.url}${path}\n        send_resolved: true\n`,
    );
    const port = await freePort();
    am = spawn(
      '/usr/bin/prometheus-alertmanager',
      [
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        `--storage.path=${join(amDir, 'data')}`,
        `--config.file=${join(amDir, 'am.yml')}`,
      ],
      { stdio: 'ignore' },
    );
    const amUrl = `http://127.0.0.1:${port}`;
    await eventually('Alertmanager to be ready', async () =>
      (await fetch(`${amUrl}/-/ready`).then(
        (r) => r.ok,
        () => false,
      ))
        ? true
        : undefined,
    );
    const startsAt = new Date().toISOString();
    const posted = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'PaymentsLatencyHigh', severity: 'critical', cluster: 'eu-1' },
          annotations: { summary: 'Payments p99 above 2 s' },
          startsAt,
        },
      ]),
    });
    expect(posted.ok).toBe(true);
    const incident = await eventually('the incident from Alertmanager', async () =>
      (await call<IncidentBody[]>('/api/v1/incidents?state=open')).body.find(
        (i) => i.title === 'Payments p99 above 2 s',
      ),
    );
    expect(incident).toMatchObject({ severity: 'SEV2', urgency: 'high', service: 'cards' });
    const detail = await call<{ alerts: { dedupKey: string; labels: Record<string, string> }[] }>(
      `/api/v1/incidents/${incident.id}`,
    );
    expect(detail.body.alerts[0]?.dedupKey).toMatch(/^am:[0-9a-f]{12}:[0-9a-f]{16}$/);
    expect(detail.body.alerts[0]?.labels.cluster).toBe('eu-1');
    // The alert ends: Alertmanager sends the resolved notification (send_resolved), and Ballast resolves.
    const ended = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'PaymentsLatencyHigh', severity: 'critical', cluster: 'eu-1' },
          annotations: { summary: 'Payments p99 above 2 s' },
          startsAt,
          endsAt: new Date().toISOString(),
        },
      ]),
    });
    expect(ended.ok).toBe(true);
    const resolved = await eventually('the resolve from Alertmanager', async () => {
      const d = await call<{
        incident: IncidentBody;
        alerts: { status: string }[];
        timeline: { kind: string; text: string }[];
      }>(`/api/v1/incidents/${incident.id}`);
      return d.body.incident.state === 'resolved' ? d.body : undefined;
    });
    expect(resolved.alerts.map((a) => a.status)).toEqual(['resolved']);
    expect(resolved.timeline.map((e) => e.kind)).toEqual(['alert-firing', 'alert-resolved', 'state']);
    expect(resolved.timeline.at(-1)?.text).toContain('all alerts resolved');
    expect(
      (await call(`/api/v1/integrations/alertmanager/not-a-key`, { json: { alerts: [] }, token: null }))
        .status,
    ).toBe(404);
    expect(
      (await call(`/api/v1/integrations/alertmanager/${key}`, { json: { alerts: 'x' }, token: null })).status,
    ).toBe(400);
  }, 60_000);
});

describe('durability', () => {
  /** `ballast serve` in a child process on its own data directory, stopped by its PID. */
  function serveChild(data: string, port: number, env: Record<string, string> = {}) {
    return spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--data', data], {
      env: { ...process.env, BALLAST_ADMIN_TOKEN: ADMIN, ...env },
      stdio: 'ignore',
    });
  }
  const ready = (url: string) =>
    eventually(
      'the server',
      async () =>
        (await fetch(`${url}/api/v1/health`).then(
          (r) => r.ok,
          () => false,
        ))
          ? true
          : undefined,
      30_000,
    );
  async function stop(proc: ChildProcess): Promise<void> {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }

  it('applies an alert exactly once when the process died between storing and applying it, and takes the retry as a replay', async () => {
    const data = await mkdtemp(join(tmpdir(), 'ballast-crash-window-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // The test hook kills the process right after the event is stored, before it reaches any incident.
    let proc = serveChild(data, port, { BALLAST_TEST_CRASH_AFTER_INGEST: '1' });
    try {
      await ready(url);
      const created = await fetch(`${url}/api/v1/integrations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'crash', kind: 'alertmanager', service: 'vault' }),
      });
      const { path } = (await created.json()) as { path: string };
      const webhook = JSON.stringify({
        version: '4',
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'VaultSealed', severity: 'critical' },
            annotations: { summary: 'Vault is sealed' },
            startsAt: new Date().toISOString(),
            fingerprint: 'f00dfeedc0ffee00',
          },
        ],
      });
      const send = () =>
        fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: webhook,
        });
      const exited = new Promise((r) => proc.once('exit', r));
      // The process dies before answering: Alertmanager would see a failed delivery and retry.
      await expect(send()).rejects.toThrow();
      await exited;
      expect(proc.signalCode).toBe('SIGKILL');

      proc = serveChild(data, port);
      await ready(url);
      const list = async () => {
        const res = await fetch(`${url}/api/v1/incidents?limit=1000`, {
          headers: { authorization: `Bearer ${ADMIN}` },
        });
        return ((await res.json()) as IncidentBody[]).filter((i) => i.title === 'Vault is sealed');
      };
      // Recovered at start-up: the stored event was applied.
      const recovered = await list();
      expect(recovered).toHaveLength(1);
      expect(recovered[0]).toMatchObject({ state: 'triggered', service: 'vault' });
      // Alertmanager's retry (the same notification) is a replay, and so is the next one.
      for (let i = 0; i < 2; i++) expect((await send()).status).toBe(200);
      expect(await list()).toHaveLength(1);
      const detail = await fetch(`${url}/api/v1/incidents/${recovered[0]?.id}`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      const body = (await detail.json()) as { alerts: unknown[]; timeline: { kind: string }[] };
      expect(body.alerts).toHaveLength(1);
      expect(body.timeline.filter((e) => e.kind === 'alert-firing')).toHaveLength(1);
    } finally {
      await stop(proc);
      await rm(data, { recursive: true, force: true });
    }
  }, 120_000);

  it('keeps an alert answered 202 when the process is killed right after, and finds it after a restart', async () => {
    const data = await mkdtemp(join(tmpdir(), 'ballast-durable-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const start = () =>
      spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--data', data], {
        env: { ...process.env, BALLAST_ADMIN_TOKEN: ADMIN },
        stdio: 'ignore',
      });
    const ready = () =>
      eventually(
        'the server',
        async () =>
          (await fetch(`${url}/api/v1/health`).then(
            (r) => r.ok,
            () => false,
          ))
            ? true
            : undefined,
        30_000,
      );
    let proc = start();
    try {
      await ready();
      const created = await fetch(`${url}/api/v1/integrations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'durable', kind: 'events-v2' }),
      });
      const { key } = (await created.json()) as { key: string };
      const res = await fetch(`${url}/api/v1/integrations/events/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          routing_key: key,
          event_action: 'trigger',
          dedup_key: 'durable-1',
          payload: { summary: 'Kill me now', source: 'test', severity: 'error' },
        }),
      });
      expect(res.status).toBe(202);
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      proc = start();
      await ready();
      const list = await fetch(`${url}/api/v1/incidents`, { headers: { authorization: `Bearer ${ADMIN}` } });
      const incidents = (await list.json()) as IncidentBody[];
      expect(incidents.map((i) => i.title)).toContain('Kill me now');
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      await rm(data, { recursive: true, force: true });
    }
  }, 90_000);
});
