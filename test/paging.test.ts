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
/** Pages the slow target holds, each with its (withheld) answer. */
const slow: { page: { incident: { id: number } }; answer: () => void }[] = [];
/** A port nothing listens on: pages to it are refused at once. */
let deadPort = 0;

function specs(): string {
  return `apiVersion: openslo/v1
kind: Service
metadata: { name: pay, labels: { team: payments } }
spec: { description: Payments }
---
apiVersion: openslo/v1
kind: Service
metadata: { name: ledger, labels: { team: payments } }
spec: { description: Ledger }
---
apiVersion: ballast.dev/v1
kind: User
metadata: { name: ghost }
spec: { contacts: [{ webhook: "http://127.0.0.1:${deadPort}/ghost" }] }
---
apiVersion: ballast.dev/v1
kind: User
metadata: { name: slowpoke }
spec: { contacts: [{ webhook: "${receiverUrl}/slow" }] }
---
apiVersion: ballast.dev/v1
kind: Team
metadata: { name: payments }
spec: { members: [alice, bob] }
---
apiVersion: ballast.dev/v1
kind: EscalationPolicy
metadata: { name: ghost-policy }
spec:
  steps:
    - { delay: 5m, targets: [{ user: ghost }] }
    - { targets: [{ user: bob }] }
---
apiVersion: ballast.dev/v1
kind: EscalationPolicy
metadata: { name: slow-policy }
spec:
  steps: [{ targets: [{ user: slowpoke }] }]
---
apiVersion: ballast.dev/v1
kind: EscalationPolicy
metadata: { name: team-policy }
spec:
  steps: [{ targets: [{ team: payments }] }]
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

/** One paging tick, then every delivery it started recorded (the tick itself does not wait for them). */
async function tick(): Promise<void> {
  await server.paging.tick();
  await server.paging.settled();
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
      const page = JSON.parse(body);
      // The slow target takes the page and answers only when the test lets it.
      if (req.url === '/slow') {
        slow.push({ page, answer: () => res.end('ok') });
        return;
      }
      webhooks.push(page);
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
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  deadPort = (dead.address() as AddressInfo).port;
  await new Promise((r) => dead.close(r));
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
    // Retries wait on real timers: short ones keep the unreachable-target test quick.
    notify: { retries: 2, retryDelayMs: 5 },
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
  for (const held of slow.splice(0)) held.answer();
  await server?.close();
  await new Promise((r) => receiver?.close(r));
  await new Promise<void>((r) => smtp?.close(() => r()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('paging along an escalation policy', () => {
  it('pages whoever is on call, escalates by e-mail when nobody acknowledges, and stops at the signed link', async () => {
    const id = await trigger('latency', 'Payment latency above SLO');
    await tick();
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]?.incident.id).toBe(id);
    expect((await timeline(id)).map((e) => e.kind)).toContain('page-sent');
    // Nobody acknowledges: 5 minutes later step 2 e-mails bob.
    clock += 5 * MINUTE;
    await tick();
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
    await tick();
    expect(webhooks).toHaveLength(1);
    expect(mails).toHaveLength(1);
    // A tampered link does nothing.
    expect((await fetch(`${ackUrl}x`, { method: 'POST' })).status).toBe(404);
  });

  it('re-triggers an acknowledged incident without progress for the ack timeout, pages from the first step, and takes the acknowledgement again', async () => {
    const open = await call<{ id: number; title: string }[]>('/api/v1/incidents?state=acknowledged');
    const id = (open.body.find((i) => i.title === 'Payment latency above SLO') as { id: number }).id;
    const firstAck = (
      await call<{ incident: { milestones: { acknowledgedAt: number } } }>(`/api/v1/incidents/${id}`)
    ).body.incident.milestones.acknowledgedAt;
    clock += 11 * MINUTE; // 31 minutes since the acknowledgement
    await tick();
    const detail = await call<{
      incident: { state: string; milestones: { acknowledgedAt: number } };
      timeline: { kind: string; text: string; data?: { retrigger?: boolean } }[];
    }>(`/api/v1/incidents/${id}`);
    // As PagerDuty does: back to triggered, on the timeline, and paged again from step 1 in the same tick.
    expect(detail.body.incident.state).toBe('triggered');
    const retrigger = detail.body.timeline.find((e) => e.data?.retrigger === true);
    expect(retrigger?.kind).toBe('state');
    expect(retrigger?.text).toMatch(/^Re-triggered \(acknowledged → triggered\): no progress for 30m/);
    expect(webhooks).toHaveLength(2);
    expect(webhooks[1]?.incident.id).toBe(id);
    // Acknowledging again through the API is the ordinary move now (not a 409).
    const acked = await call<{ state: string; milestones: { acknowledgedAt: number } }>(
      `/api/v1/incidents/${id}/transition`,
      { to: 'acknowledged' },
    );
    expect(acked.status).toBe(200);
    expect(acked.body.state).toBe('acknowledged');
    // Time to acknowledge measures the first acknowledgement.
    expect(acked.body.milestones.acknowledgedAt).toBe(firstAck);
    // A second responder pressing the link of the new page succeeds too, changing nothing.
    const again = await fetch(webhooks[1]?.ack_url as string, { method: 'POST' });
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('was already acknowledged');
    const pages = await call<{ timeline: { kind: string }[] }>(`/api/v1/incidents/${id}`);
    expect(pages.body.timeline.filter((e) => e.kind === 'page-acknowledged').length).toBeGreaterThanOrEqual(
      1,
    );
    // Acknowledged again: paging stops until the next ack timeout.
    clock += 6 * MINUTE;
    await tick();
    await tick();
    expect(webhooks).toHaveLength(2);
    expect(mails).toHaveLength(1);
  });

  it('pages nobody during a maintenance window, then pages from the first step when it ends, without catching up', async () => {
    const windowEnd = clock + 60 * MINUTE;
    const window = await call<{ id: number }>('/api/v1/services/pay/maintenance', {
      end: windowEnd,
      reason: 'database upgrade',
    });
    expect(window.status).toBe(201);
    const id = await trigger('disk', 'Disk almost full');
    const pagesOf = async (incident: number) => server.store.listPages({ incidentId: incident });
    await tick();
    expect(await pagesOf(id)).toEqual([]);
    const during = await timeline(id);
    // Recorded and annotated: the alert says so, and the timeline says nobody is paged.
    expect(during.find((e) => e.kind === 'alert-firing')?.text).toMatch(/during maintenance of pay until/);
    expect(during.find((e) => e.kind === 'maintenance')?.text).toMatch(
      /pay is in maintenance until .*database upgrade.*nobody is paged/,
    );
    // Half an hour into the window: still nobody, and the note is not repeated.
    clock += 30 * MINUTE;
    await tick();
    expect(await pagesOf(id)).toEqual([]);
    expect((await timeline(id)).filter((e) => e.kind === 'maintenance')).toHaveLength(1);
    // An incident resolved before the window ends never pages (ledger: another service in maintenance).
    expect((await call('/api/v1/services/ledger/maintenance', { end: windowEnd })).status).toBe(201);
    const ledgerKey = (
      await call<{ key: string }>('/api/v1/integrations', {
        name: 'ledger-maintenance',
        kind: 'events-v2',
        service: 'ledger',
        escalationPolicy: 'pay-policy',
      })
    ).body.key;
    const quiet = await trigger('cache', 'Cache warming slow', ledgerKey);
    expect((await call(`/api/v1/incidents/${quiet}/transition`, { to: 'resolved' })).status).toBe(200);

    // The window ends with the incident open: one page, the first step's, at the end of the window.
    clock = windowEnd + MINUTE;
    await tick();
    const after = await pagesOf(id);
    expect(after.map((p) => [p.step, p.round])).toEqual([[0, 0]]);
    expect((await timeline(id)).filter((e) => e.kind === 'maintenance').map((e) => e.text)).toEqual([
      expect.stringMatching(/nobody is paged/),
      expect.stringMatching(
        /^maintenance of pay ended at .* with the incident still open: paging from the first step$/,
      ),
    ]);
    expect(await pagesOf(quiet)).toEqual([]);
    // The next step follows the policy's delay counted from the window's end.
    clock = windowEnd + 4 * MINUTE;
    await tick();
    expect((await pagesOf(id)).length).toBe(1);
    clock = windowEnd + 5 * MINUTE;
    await tick();
    expect((await pagesOf(id)).map((p) => [p.step, p.round])).toEqual([
      [0, 0],
      [1, 0],
    ]);
    // Acknowledged: quiet again for the rest of this suite.
    expect((await call(`/api/v1/incidents/${id}/transition`, { to: 'resolved' })).status).toBe(200);
  });

  it('ends a maintenance window early through the API, only under its own service', async () => {
    const planned = clock + 120 * MINUTE;
    const opened = await call<{ id: number; end: number }>('/api/v1/services/ledger/maintenance', {
      end: planned,
      reason: 'index rebuild',
    });
    expect(opened.status).toBe(201);
    const path = `/api/v1/services/ledger/maintenance/${opened.body.id}/end`;
    expect((await call(`/api/v1/services/pay/maintenance/${opened.body.id}/end`, {})).status).toBe(404);
    expect((await call('/api/v1/services/ledger/maintenance/999999/end', {})).status).toBe(404);
    expect((await call('/api/v1/services/ledger/maintenance/x/end', {})).status).toBe(404);
    clock += 10 * MINUTE;
    const ended = await call<{ id: number; end: number }>(path, {});
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ id: opened.body.id, end: clock });
    const open = await call<{ id: number }[]>('/api/v1/services/ledger/maintenance');
    expect(open.body.map((w) => w.id)).not.toContain(opened.body.id);
    // Ending it again later keeps the first end.
    clock += MINUTE;
    expect((await call<{ end: number }>(path, {})).body.end).toBe(clock - MINUTE);
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
    expect((await call('/api/v1/incidents/metrics?from=-5')).status).toBe(400);
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
    await tick();
    expect(await pages()).toBe(1);
    clock += 30 * MINUTE;
    await tick();
    await tick();
    expect(await pages()).toBe(1);
    expect((await timeline(id.id)).filter((e) => e.kind === 'escalated')).toEqual([]);
  });

  it('retries an unreachable target, logs it as failed on the timeline, and escalates on schedule', async () => {
    const ghost = await call<{ key: string }>('/api/v1/integrations', {
      name: 'ghost',
      kind: 'events-v2',
      service: 'haunted',
      escalationPolicy: 'ghost-policy',
    });
    const id = await trigger('boo', 'Haunted service errors', ghost.body.key);
    await tick();
    const [failed] = await server.store.listPages({ incidentId: id });
    // retries: 2 → three attempts, each refused.
    expect(failed).toMatchObject({ user: 'ghost', ok: false, attempts: 3, step: 0 });
    expect(failed?.error).toMatch(/ECONNREFUSED|refused/i);
    const entry = (await timeline(id)).find((e) => e.kind === 'page-failed');
    expect(entry?.text).toMatch(/^could not page ghost by webhook .*\(3 attempts\)$/);
    // Nobody acknowledged: the next step pages bob when its delay is up.
    const mailsOf = () => mails.filter((m) => m.includes(`Incident #${id}: Haunted service errors`)).length;
    expect(mailsOf()).toBe(0);
    clock += 5 * MINUTE;
    await tick();
    expect(mailsOf()).toBe(1);
    expect((await server.store.listPages({ incidentId: id })).map((p) => [p.user, p.ok])).toEqual([
      ['ghost', false],
      ['bob', true],
    ]);
  });

  it('pages one incident while another incident’s target still holds its page', async () => {
    const slowKey = (
      await call<{ key: string }>('/api/v1/integrations', {
        name: 'slow',
        kind: 'events-v2',
        service: 'glacier',
        escalationPolicy: 'slow-policy',
      })
    ).body.key;
    const held = await trigger('slow-1', 'Glacier API slow', slowKey);
    await server.paging.tick();
    // The slow target has the page and has not answered.
    await expect.poll(() => slow.length).toBe(1);
    expect(slow[0]?.page.incident.id).toBe(held);
    // Another incident comes in and is paged (delivered and recorded) while that page is still out.
    const quickKey = (
      await call<{ key: string }>('/api/v1/integrations', {
        name: 'quick',
        kind: 'events-v2',
        service: 'quick',
        escalationPolicy: 'pay-policy',
      })
    ).body.key;
    const quick = await trigger('quick-1', 'Quick service errors', quickKey);
    const before = webhooks.length;
    await server.paging.tick();
    await expect.poll(async () => (await timeline(quick)).some((e) => e.kind === 'page-sent')).toBe(true);
    expect(webhooks.length).toBe(before + 1);
    expect(webhooks.at(-1)?.incident.id).toBe(quick);
    expect(slow).toHaveLength(1);
    expect((await timeline(held)).some((e) => e.kind === 'page-sent')).toBe(false);
    // A page on its way is not sent again by the next tick.
    await server.paging.tick();
    expect(slow).toHaveLength(1);
    // Once the slow target answers, its page is recorded.
    slow[0]?.answer();
    await server.paging.settled();
    expect((await timeline(held)).filter((e) => e.kind === 'page-sent')).toHaveLength(1);
    expect(await server.store.listPages({ incidentId: held })).toMatchObject([
      { user: 'slowpoke', ok: true },
    ]);
  });

  it('pages every member of a team target, counts the team’s incidents, and filters shift rows by team and service', async () => {
    const ledger = (
      await call<{ key: string }>('/api/v1/integrations', {
        name: 'ledger',
        kind: 'events-v2',
        service: 'ledger',
        escalationPolicy: 'team-policy',
      })
    ).body.key;
    const start = clock;
    const id = await trigger('ledger-drift', 'Ledger totals drift', ledger);
    await tick();
    // alice by webhook, bob by e-mail: both members of payments.
    expect(webhooks.filter((w) => w.incident.id === id)).toHaveLength(1);
    expect(mails.filter((m) => m.includes(`Incident #${id}:`))).toHaveLength(1);
    expect((await server.store.listPages({ incidentId: id })).map((p) => p.user).sort()).toEqual([
      'alice',
      'bob',
    ]);
    // The sender acknowledges through Events v2: the pages count as acknowledged (MTTA sees them).
    clock += 2 * MINUTE;
    const ack = await call('/api/v1/integrations/events/v2/enqueue', {
      routing_key: ledger,
      event_action: 'acknowledge',
      dedup_key: 'ledger-drift',
    });
    expect(ack.status).toBe(202);
    expect((await server.store.listPages({ incidentId: id })).every((p) => p.acknowledgedAt === clock)).toBe(
      true,
    );

    type Metrics = {
      incidents: number;
      mtta: { count: number; meanMs: number | null };
      pages: {
        total: number;
        shiftCount: number;
        shifts: { user: string; schedule: string; acknowledgedPages: number }[];
      };
    };
    const q = (extra: string) =>
      call<Metrics>(`/api/v1/incidents/metrics?from=${start}&to=${clock + MINUTE}${extra}`);
    const team = await q('&team=payments');
    expect(team.status).toBe(200);
    // The ledger incident belongs to payments through its service's team label.
    expect(team.body.incidents).toBeGreaterThanOrEqual(1);
    expect(team.body.mtta.count).toBeGreaterThanOrEqual(1);
    // Rows of a team are its members' shifts (alice and bob on the primary rota).
    expect(team.body.pages.shifts.length).toBeGreaterThan(0);
    expect(team.body.pages.shifts.every((r) => ['alice', 'bob'].includes(r.user))).toBe(true);
    expect(team.body.pages.shifts.some((r) => r.acknowledgedPages > 0)).toBe(true);
    // Rows of a service are the shifts of the schedules its incidents page: ledger's policy pages a team, no schedule.
    const service = await q('&service=ledger');
    expect(service.body.incidents).toBe(1);
    expect(service.body.pages.shifts).toEqual([]);
    const pay = await q('&service=pay');
    expect(pay.body.pages.shifts.every((r) => r.schedule === 'primary')).toBe(true);
    // Shift rows come a page at a time; the count covers them all.
    const paged = await q('&team=payments&shiftLimit=1&shiftOffset=0');
    expect(paged.body.pages.shifts).toHaveLength(1);
    expect(paged.body.pages.shiftCount).toBe(team.body.pages.shiftCount);
    expect((await q('&team=nobody')).status).toBe(404);
    expect((await q('&timeZone=Mars/Olympus')).status).toBe(400);
  });

  it('answers metrics over any period longer than a year', async () => {
    const years = await call<{ from: number; to: number; incidents: number }>(
      `/api/v1/incidents/metrics?from=${T0 - 3 * 366 * 86_400_000}&to=${clock + MINUTE}`,
    );
    expect(years.status).toBe(200);
    expect(years.body.incidents).toBeGreaterThan(0);
    const recent = await call<{ incidents: number }>(
      `/api/v1/incidents/metrics?from=${T0 - MINUTE}&to=${clock + MINUTE}`,
    );
    // Nothing happened before T0 in this suite: the long period counts exactly the same incidents.
    expect(years.body.incidents).toBe(recent.body.incidents);
  });
});
