import { describe, expect, it } from 'vitest';
import { alertmanagerWebhookSchema, fromAlertmanager, severityOf } from './alertmanager.ts';
import { fromEventsV2, validateEventsV2 } from './events-v2.ts';
import { RateLimiter } from './rate-limit.ts';
import { integrationScope } from './scope.ts';

const T = Date.UTC(2026, 10, 23, 12, 0, 0);

/** A version-4 payload as Alertmanager 0.25 sends it (fields Ballast ignores included). */
const webhook = {
  receiver: 'ballast',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical', cluster: 'eu-1' },
      annotations: { summary: 'Checkout 5xx above 5%', runbook_url: 'https://runbooks/checkout' },
      startsAt: '2026-11-23T11:58:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=...',
      fingerprint: 'c2a1f0e9b8d7c6a5',
    },
    {
      status: 'resolved',
      labels: { alertname: 'DiskFull', severity: 'warning' },
      annotations: {},
      startsAt: '2026-11-23T10:00:00Z',
      endsAt: '2026-11-23T11:00:00Z',
      fingerprint: '0000aaaabbbbcccc',
    },
  ],
  groupLabels: { alertname: 'HighErrorRate' },
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  version: '4',
  groupKey: '{}:{alertname="HighErrorRate"}',
  truncatedAlerts: 0,
};

describe('Alertmanager webhook', () => {
  it('turns each alert of a group into an incoming alert keyed by its fingerprint', () => {
    const body = alertmanagerWebhookSchema.parse(webhook);
    const out = fromAlertmanager(body, { integration: 'k1', service: 'fallback', receivedAt: T });
    expect(out.map((o) => o.alert)).toEqual([
      expect.objectContaining({
        origin: 'alertmanager',
        integration: 'k1',
        dedupKey: `am:${integrationScope('k1')}:c2a1f0e9b8d7c6a5`,
        action: 'trigger',
        summary: 'Checkout 5xx above 5%',
        severity: 'critical',
        service: 'checkout',
        startsAt: Date.parse('2026-11-23T11:58:00Z'),
        source: 'http://prometheus:9090/graph?g0.expr=...',
      }),
      expect.objectContaining({
        dedupKey: `am:${integrationScope('k1')}:0000aaaabbbbcccc`,
        action: 'resolve',
        summary: 'DiskFull',
        severity: 'warning',
        service: 'fallback',
      }),
    ]);
  });

  it('gives a resend of the same notification the same event key, and a state change a new one', () => {
    const body = alertmanagerWebhookSchema.parse(webhook);
    const a = fromAlertmanager(body, { integration: 'k1', receivedAt: T });
    const b = fromAlertmanager(body, { integration: 'k1', receivedAt: T + 60_000 });
    expect(b.map((x) => x.eventKey)).toEqual(a.map((x) => x.eventKey));
    const resolved = alertmanagerWebhookSchema.parse({
      ...webhook,
      alerts: [{ ...webhook.alerts[0], status: 'resolved', endsAt: '2026-11-23T12:05:00Z' }],
    });
    expect(fromAlertmanager(resolved, { integration: 'k1', receivedAt: T })[0]?.eventKey).not.toBe(
      a[0]?.eventKey,
    );
  });

  it('scopes dedup keys by integration: two Alertmanagers with identical labels send two alerts', () => {
    const body = alertmanagerWebhookSchema.parse(webhook);
    const a = fromAlertmanager(body, { integration: 'cluster-a-key', receivedAt: T });
    const b = fromAlertmanager(body, { integration: 'cluster-b-key', receivedAt: T });
    expect(a[0]?.alert.dedupKey).not.toBe(b[0]?.alert.dedupKey);
    expect(a[0]?.eventKey).not.toBe(b[0]?.eventKey);
    // The scope is a hash: the dedup key, shown to every reader, does not carry the credential.
    expect(a[0]?.alert.dedupKey).not.toContain('cluster-a-key');
  });

  it('derives a stable key from the labels when a sender leaves out the fingerprint', () => {
    const body = alertmanagerWebhookSchema.parse({
      alerts: [{ status: 'firing', labels: { b: '2', a: '1' } }],
    });
    const again = alertmanagerWebhookSchema.parse({
      alerts: [{ status: 'firing', labels: { a: '1', b: '2' } }],
    });
    const k = fromAlertmanager(body, { integration: 'k', receivedAt: T })[0]?.alert.dedupKey;
    expect(k).toMatch(/^am:[0-9a-f]{12}:[0-9a-f]{16}$/);
    expect(fromAlertmanager(again, { integration: 'k', receivedAt: T })[0]?.alert.dedupKey).toBe(k);
    expect(fromAlertmanager(body, { integration: 'k', receivedAt: T })[0]?.alert.startsAt).toBe(T);
  });

  it.each([
    { name: 'alerts missing', body: { status: 'firing' }, path: 'alerts' },
    {
      name: 'an alert status that is neither firing nor resolved',
      body: { alerts: [{ status: 'pending', labels: {} }] },
      path: 'alerts.0.status',
    },
    {
      name: 'labels that are not strings',
      body: { alerts: [{ status: 'firing', labels: { a: 1 } }] },
      path: 'alerts.0.labels.a',
    },
  ])('refuses a payload with $name, naming the field', ({ body, path }) => {
    const r = alertmanagerWebhookSchema.safeParse(body);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it.each([
    ['critical', 'critical'],
    ['PAGE', 'critical'],
    ['warning', 'warning'],
    ['ticket', 'warning'],
    ['info', 'info'],
    ['', 'error'],
    ['weird', 'error'],
  ])('maps the severity label %j to %s', (label, expected) => {
    expect(severityOf(label ? { severity: label } : {})).toBe(expected);
  });
});

describe('PagerDuty Events API v2', () => {
  const trigger = {
    routing_key: 'R0UTINGKEY0000000000000000000001',
    event_action: 'trigger',
    dedup_key: 'disk-full-db1',
    payload: {
      summary: 'Disk full on db1',
      source: 'db1',
      severity: 'warning',
      component: 'postgres',
      group: 'db',
      class: 'disk',
    },
  };

  it('accepts a trigger and keeps the sender dedup key', () => {
    const r = validateEventsV2(trigger);
    expect('event' in r).toBe(true);
    if (!('event' in r)) return;
    const { alert, dedupKey } = fromEventsV2(r.event, { service: 'db', receivedAt: T });
    expect(dedupKey).toBe('disk-full-db1');
    expect(alert).toMatchObject({
      origin: 'events-v2',
      action: 'trigger',
      summary: 'Disk full on db1',
      source: 'db1',
      severity: 'warning',
      service: 'db',
      labels: { component: 'postgres', group: 'db', class: 'disk' },
      startsAt: T,
    });
  });

  it('gives a trigger without a dedup key a fresh one, and a replayed request the same event key', () => {
    const r = validateEventsV2({ ...trigger, dedup_key: undefined });
    if (!('event' in r)) throw new Error('invalid');
    const a = fromEventsV2(r.event, { receivedAt: T });
    const b = fromEventsV2(r.event, { receivedAt: T });
    expect(a.dedupKey).toMatch(/^[0-9a-f]{32}$/);
    expect(b.dedupKey).not.toBe(a.dedupKey);
    const ack = validateEventsV2({
      routing_key: trigger.routing_key,
      event_action: 'acknowledge',
      dedup_key: 'x',
    });
    if (!('event' in ack)) throw new Error('invalid');
    // Acknowledges and resolves are never taken for replays: the same resolve may close a later episode.
    expect(fromEventsV2(ack.event, { receivedAt: T }).eventKey).not.toBe(
      fromEventsV2(ack.event, { receivedAt: T }).eventKey,
    );
    const again = validateEventsV2(trigger);
    if (!('event' in again)) throw new Error('invalid');
    const at = (t: number) => fromEventsV2(again.event, { receivedAt: t }).eventKey;
    // An identical trigger within the minute is a retry; a minute later it may be a new episode.
    expect(at(T + 5)).toBe(at(T));
    expect(at(T + 60_000)).not.toBe(at(T));
  });

  it.each([
    { name: 'a body that is not an object', body: [], errors: ['Event object must be a JSON object'] },
    {
      name: 'no routing key',
      body: { ...trigger, routing_key: '' },
      errors: ["'routing_key' is missing or blank"],
    },
    {
      name: 'an unknown action',
      body: { ...trigger, event_action: 'snooze' },
      errors: ["'event_action' is invalid (must be one of: trigger, acknowledge, resolve)"],
    },
    {
      name: 'a resolve without dedup key',
      body: { routing_key: 'k', event_action: 'resolve' },
      errors: ["'dedup_key' is required for resolve events"],
    },
    {
      name: 'a trigger without summary, source and severity',
      body: { routing_key: 'k', event_action: 'trigger', payload: {} },
      errors: [
        "'payload.summary' is missing or blank",
        "'payload.source' is missing or blank",
        "'payload.severity' is missing or blank",
      ],
    },
    {
      name: 'a bad severity',
      body: { ...trigger, payload: { ...trigger.payload, severity: 'fatal' } },
      errors: ["'payload.severity' is invalid (must be one of: critical, error, warning, info)"],
    },
    {
      name: 'a summary over 1024 characters',
      body: { ...trigger, payload: { ...trigger.payload, summary: 'x'.repeat(1025) } },
      errors: ["'payload.summary' is longer than 1024 characters"],
    },
    {
      name: 'a bad timestamp',
      body: { ...trigger, payload: { ...trigger.payload, timestamp: 'yesterday' } },
      errors: ["'payload.timestamp' must be an ISO 8601 date-time"],
    },
  ])('refuses $name with every error worded as PagerDuty does', ({ body, errors }) => {
    expect(validateEventsV2(body)).toEqual({ errors });
  });
});

describe('RateLimiter', () => {
  it('lets a burst through, refuses the next, and refills at the rate', () => {
    const r = new RateLimiter({ perMinute: 60, burst: 3 });
    expect([r.take('k', T), r.take('k', T), r.take('k', T), r.take('k', T)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(r.take('other', T)).toBe(true);
    expect(r.take('k', T + 999)).toBe(false);
    expect(r.take('k', T + 1_000)).toBe(true);
  });
});
