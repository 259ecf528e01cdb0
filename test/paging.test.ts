/**
 * Paging end to end on a controllable clock: an Events v2 trigger opens an
 * incident routed to an escalation policy; the on-call person of a schedule
 * is paged by webhook (a local HTTP receiver), the next step by e-mail (a
 * real local SMTP server, smtp-server); the signed link in the page
 * acknowledges it; no progress for the ack timeout pages again; a service in
 * maintenance pages nobody.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server/index.ts';

const ADMIN = 'paging-admin-token';
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0); // Monday 11:00 in Berlin: alice's day on the rota

let clock = T0;
let server: RunningServer;
let receiver: Server;
let receiverUrl = '';
const webhooks: { ack_url: string; incident: { id: number; title: string } }[] = [];
let smtp: SMTPServer;
let smtpPort = 0;
const mails: string[] = [];
let dir = '';
let routingKey = '';

function specs(): string {
  return `apiVersion: openslo/v1
kind: Service
metadata: { name: pay }
spec: { description: Payments }
---
apiVersion: ballast.dev/v1
kind: User
metadata: { name: alice }
spec: { timeZone: Europe/Berlin, contacts: [{ webhook: "${receiverUrl}/alice" }] }
---
apiVersion: ballast.dev/v1
kind: User
metadata: { name: bob }
spec: { contacts: [{ email: bob@example.com }] }
---
apiVersion: ballast.dev/v1
kind: Schedule
metadata: { name: primary }
spec:
  timeZone: Europe/Berlin
  layers:
    - { name: daily, start: "2026-11-23T09:00", shift: 1d, participants: [alice, bob] }
---
apiVersion: ballast.dev/v1
kind: EscalationPolicy
metadata: { name: pay-policy }
spec:
  steps:
    - { delay: 5m, targets: [{ schedule: primary }] }
    - { delay: 10m, targets: [{ user: bob }] }
  ackTimeout: 30m
---
apiVersion: ballast.dev/v1
kind: EscalationPolicy
metadata: { name: fraud-policy }
spec:
  steps: [{ targets: [{ user: bob }] }]
  routes:
    - { labels: { class: { regex: "fraud|chargeback" } }, severity: SEV1 }
`;
}

async function call<T>(path: string, json?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as T,
  };
}

async function trigger(
  dedup: string,
  summary: string,
  key = routingKey,
  extra: Record<string, string> = {},
): Promise<number> {
  const r = await call<{ status: string }>('/api/v1/integrations/events/v2/enqueue', {
    routing_key: key,
    event_action: 'trigger',
    dedup_key: dedup,
    payload: { summary, source: 'test', severity: 'critical', ...extra },
  });
  expect(r.status).toBe(202);
  const list = await call<{ id: number; title: string }[]>('/api/v1/incidents?state=open');
  return (list.body.find((i) => i.title === summary) as { id: number }).id;
}

const timeline = async (id: number) =>
  (await call<{ timeline: { kind: string; text: string }[] }>(`/api/v1/incidents/${id}`)).body.timeline;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      webhooks.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => {
        raw += c.toString();
      });
      stream.on('end', () => {
        mails.push(raw);
        callback();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  dir = await mkdtemp(join(tmpdir(), 'ballast-paging-'));
  await writeFile(join(dir, 'oncall.yaml'), specs());
  server = await startServer({
    port: 0,
    inMemory: true,
    specsDir: dir,
    adminToken: ADMIN,
    runChecks: false,
    paging: false,
    now: () => clock,
    smtp: { host: '127.0.0.1', port: smtpPort, from: 'ballast@example.com' },
  });
  const integration = await call<{ key: string }>('/api/v1/integrations', {
    name: 'pay',
    kind: 'events-v2',
    service: 'pay',
    escalationPolicy: 'pay-policy',
  });
  routingKey = integration.body.key;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await new Promise((r) => receiver?.close(r));
  await new Promise<void>((r) => smtp?.close(() => r()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('paging along an escalation policy', () => {
  it('pages whoever is on call, escalates by e-mail when nobody acknowledges, and stops at the signed link', async () => {
    const id = await trigger('latency', 'Payment latency above SLO');
    await server.paging.tick();
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]?.incident.id).toBe(id);
    expect((await timeline(id)).map((e) => e.kind)).toContain('page-sent');
    // Nobody acknowledges: 5 minutes later step 2 e-mails bob.
    clock += 5 * MINUTE;
    await server.paging.tick();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/Subject: \[SEV2\]\[high\] Incident #\d+: Payment latency above SLO/);
    expect(mails[0]).toContain('bob@example.com');
    const kinds = (await timeline(id)).map((e) => e.kind);
    expect(kinds).toContain('escalated');
    // The link in alice's page: a GET only shows a button; the POST acknowledges.
    const ackUrl = webhooks[0]?.ack_url as string;
    const shown = await fetch(ackUrl);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('<form method="post">');
    expect((await call<{ incident: { state: string } }>(`/api/v1/incidents/${id}`)).body.incident.state).toBe(
      'triggered',
    );
    const acked = await fetch(ackUrl, { method: 'POST' });
    expect(acked.status).toBe(200);
    expect(await acked.text()).toContain('acknowledged');
    const detail = await call<{ incident: { state: string; milestones: { acknowledgedAt?: number } } }>(
      `/api/v1/incidents/${id}`,
    );
    expect(detail.body.incident.state).toBe('acknowledged');
    expect(detail.body.incident.milestones.acknowledgedAt).toBe(clock);
    // Acknowledged: no more pages, however long it waits (short of the ack timeout).
    clock += 20 * MINUTE;
    await server.paging.tick();
    expect(webhooks).toHaveLength(1);
    expect(mails).toHaveLength(1);
    // A tampered link does nothing.
    expect((await fetch(`${ackUrl}x`, { method: 'POST' })).status).toBe(404);
  });

  it('pages again from the first step when an acknowledged incident makes no progress for the ack timeout', async () => {
    const open = await call<{ id: number; title: string }[]>('/api/v1/incidents?state=acknowledged');
    const id = (open.body.find((i) => i.title === 'Payment latency above SLO') as { id: number }).id;
    clock += 11 * MINUTE; // 31 minutes since the acknowledgement
    await server.paging.tick();
    expect((await timeline(id)).some((e) => e.kind === 'escalated' && e.text.includes('no progress'))).toBe(
      true,
    );
    await server.paging.tick();
    expect(webhooks).toHaveLength(2);
    // Acknowledging the new page is progress: paging stops again.
    const again = await fetch(webhooks[1]?.ack_url as string, { method: 'POST' });
    expect(await again.text()).toContain('Acknowledged again by alice');
    clock += 6 * MINUTE;
    await server.paging.tick();
    await server.paging.tick();
    expect(webhooks).toHaveLength(2);
    expect(mails).toHaveLength(1);
  });

  it('pages nobody while the service is in maintenance, and says so on the timeline', async () => {
    const window = await call<{ id: number }>('/api/v1/services/pay/maintenance', {
      end: clock + 60 * MINUTE,
      reason: 'database upgrade',
    });
    expect(window.status).toBe(201);
    const id = await trigger('disk', 'Disk almost full');
    const before = webhooks.length + mails.length;
    await server.paging.tick();
    expect(webhooks.length + mails.length).toBe(before);
    expect((await timeline(id)).find((e) => e.kind === 'maintenance')?.text).toMatch(
      /pay is in maintenance until .*database upgrade.*nobody is paged/,
    );
  });

  it('says who is on call now and next, and serves iCal feeds per schedule and per user', async () => {
    const oncall =
      await call<{ schedule: string; now: { user: string } | null; next: { user: string }[] }[]>(
        '/api/v1/oncall',
      );
    expect(oncall.status).toBe(200);
    const primary = oncall.body.find((o) => o.schedule === 'primary');
    expect(primary?.now?.user).toBe('alice');
    expect(primary?.next[0]?.user).toBe('bob');
    const feed = await fetch(`${server.url}/api/v1/schedules/primary/ical?access_token=${ADMIN}`);
    expect(feed.headers.get('content-type')).toContain('text/calendar');
    const text = await feed.text();
    expect(text).toContain('BEGIN:VCALENDAR');
    expect((text.match(/BEGIN:VEVENT/g) ?? []).length).toBeGreaterThan(50);
    const bob = await (await fetch(`${server.url}/api/v1/users/bob/ical?access_token=${ADMIN}`)).text();
    expect(bob).toContain('On call: primary');
    expect((await fetch(`${server.url}/api/v1/users/nobody/ical?access_token=${ADMIN}`)).status).toBe(404);
  });

  it('escalates on demand, writes the postmortem draft from the evidence, and reports MTTA and pages per shift', async () => {
    // Another service (alerts of one service within 30 minutes join one incident), same policy.
    const payouts = await call<{ key: string }>('/api/v1/integrations', {
      name: 'payouts',
      kind: 'events-v2',
      service: 'payouts',
      escalationPolicy: 'pay-policy',
    });
    const id = await trigger('errors', 'Payment errors above budget', payouts.body.key);
    const first = await call<{ step: number }>(`/api/v1/incidents/${id}/escalate`, {});
    // A person pressing Escalate pages the next step now (here the first: nothing was paged yet).
    expect(first).toEqual({ status: 200, body: { step: 1 } });
    const second = await call<{ step: number }>(`/api/v1/incidents/${id}/escalate`, {});
    expect(second.body).toEqual({ step: 2 });
    const done = await call<{ message: string }>(`/api/v1/incidents/${id}/escalate`, {});
    expect(done.status).toBe(409);
    expect(done.body.message).toBe('every step of pay-policy was paged already');
    clock += 2 * MINUTE;
    expect((await call(`/api/v1/incidents/${id}/transition`, { to: 'resolved' })).status).toBe(200);
    const pm = await call<{ postmortem: string }>(`/api/v1/incidents/${id}/postmortem`, {});
    expect(pm.status).toBe(200);
    for (const heading of [
      '## Summary',
      '## Impact',
      '## Root causes',
      '## Trigger',
      '## Resolution',
      '## Detection',
      '## Action items',
      '## Lessons learned',
      '## Timeline',
    ])
      expect(pm.body.postmortem).toContain(heading);
    const md = await fetch(`${server.url}/api/v1/incidents/${id}/postmortem.md`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(md.headers.get('content-type')).toContain('text/markdown');
    expect(await md.text()).toBe(pm.body.postmortem);
    const metrics = await call<{ mtta: { count: number }; pages: { total: number } }>(
      `/api/v1/incidents/metrics?from=${T0 - MINUTE}&to=${clock + MINUTE}`,
    );
    expect(metrics.status).toBe(200);
    expect(metrics.body.mtta.count).toBeGreaterThanOrEqual(1);
    expect(metrics.body.pages.total).toBeGreaterThanOrEqual(3);
    expect((await call(`/api/v1/incidents/metrics?from=${clock}&to=${clock - 1}`)).status).toBe(400);
  });

  it('routes a new incident to the policy whose routes match the alert, ahead of the integration default', async () => {
    // A service of its own, so the alert opens an incident rather than joining one.
    const risk = await call<{ key: string }>('/api/v1/integrations', {
      name: 'risk',
      kind: 'events-v2',
      service: 'risk',
      escalationPolicy: 'pay-policy',
    });
    const fraud = await trigger('chargebacks', 'Chargebacks spiking', risk.body.key, { class: 'chargeback' });
    const other = await call<{ status: number }>('/api/v1/integrations/events/v2/enqueue', {
      routing_key: risk.body.key,
      event_action: 'trigger',
      dedup_key: 'plain',
      payload: { summary: 'Risk scoring slow', source: 'risk', severity: 'error', class: 'latency' },
    });
    expect(other.status).toBe(202);
    const fraudIncident = (
      await call<{ incident: { escalationPolicy?: string; severity: string } }>(`/api/v1/incidents/${fraud}`)
    ).body.incident;
    expect(fraudIncident).toMatchObject({ escalationPolicy: 'fraud-policy', severity: 'SEV1' });
  });

  it('notifies a low-urgency incident once, without escalating', async () => {
    const low = await call<{ key: string }>('/api/v1/integrations', {
      name: 'batch',
      kind: 'events-v2',
      service: 'batch',
      escalationPolicy: 'pay-policy',
    });
    const r = await call<{ status: string }>('/api/v1/integrations/events/v2/enqueue', {
      routing_key: low.body.key,
      event_action: 'trigger',
      dedup_key: 'slow-batch',
      payload: { summary: 'Nightly batch running late', source: 'cron', severity: 'warning' },
    });
    expect(r.status).toBe(202);
    const id = (
      await call<{ id: number; title: string; urgency: string }[]>('/api/v1/incidents?service=batch')
    ).body[0] as { id: number; urgency: string };
    expect(id.urgency).toBe('low');
    // Other open incidents page on the same ticks: count this one's pages on its own timeline.
    const pages = async () =>
      (await timeline(id.id)).filter((e) => e.kind === 'page-sent' || e.kind === 'page-failed').length;
    await server.paging.tick();
    expect(await pages()).toBe(1);
    clock += 30 * MINUTE;
    await server.paging.tick();
    await server.paging.tick();
    expect(await pages()).toBe(1);
    expect((await timeline(id.id)).filter((e) => e.kind === 'escalated')).toEqual([]);
  });
});
