/**
 * Alertmanager's webhook (payload version 4) → incoming alerts, one per alert
 * in the group. Unknown fields are ignored (Alertmanager adds some between
 * versions); what Ballast needs is checked and a problem names its field.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertSeverity, IncomingAlert } from '../types.ts';
import { integrationScope } from './scope.ts';

const alertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved'], { error: 'status must be "firing" or "resolved"' }),
  labels: z.record(z.string(), z.string(), { error: 'labels must be an object of strings' }),
  annotations: z.record(z.string(), z.string()).optional(),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const alertmanagerWebhookSchema = z.looseObject({
  version: z.string().optional(),
  groupKey: z.string().optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  receiver: z.string().optional(),
  externalURL: z.string().optional(),
  alerts: z
    .array(alertSchema, { error: 'alerts must be an array' })
    .max(1000, { error: 'at most 1000 alerts per request' }),
});

export type AlertmanagerWebhook = z.infer<typeof alertmanagerWebhookSchema>;

const SEVERITIES: Record<string, AlertSeverity> = {
  critical: 'critical',
  page: 'critical',
  error: 'error',
  high: 'error',
  warning: 'warning',
  warn: 'warning',
  ticket: 'warning',
  info: 'info',
  low: 'info',
};

/** Alertmanager's `severity` label (any case), mapped; unknown or absent: `error`. */
export function severityOf(labels: Record<string, string>): AlertSeverity {
  return SEVERITIES[(labels.severity ?? '').toLowerCase()] ?? 'error';
}

/** Epoch ms of an RFC 3339 time; Alertmanager's zero time (0001-01-01…) and garbage give undefined. */
function instant(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) || t <= 0 ? undefined : t;
}

/** The fingerprint Alertmanager sends, or a stable hash of the labels when a sender omits it. */
function fingerprintOf(labels: Record<string, string>, given: string | undefined): string {
  if (given) return given;
  const canonical = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * The incoming alerts of one webhook call, each with the key that makes a
 * resend of the same notification idempotent (Alertmanager resends groups on
 * every `repeat_interval` and after failures). Dedup keys are
 * `am:SCOPE:FINGERPRINT`, scoped by integration.
 */
export function fromAlertmanager(
  body: AlertmanagerWebhook,
  ctx: { integration: string; service?: string; receivedAt: number },
): { alert: IncomingAlert; eventKey: string }[] {
  const scope = integrationScope(ctx.integration);
  return body.alerts.map((a) => {
    const fingerprint = fingerprintOf(a.labels, a.fingerprint);
    const annotations = a.annotations ?? {};
    const startsAt = instant(a.startsAt) ?? ctx.receivedAt;
    const service = a.labels.service ?? a.labels.ballast_service ?? ctx.service;
    const alert: IncomingAlert = {
      origin: 'alertmanager',
      integration: ctx.integration,
      dedupKey: `am:${scope}:${fingerprint}`,
      action: a.status === 'firing' ? 'trigger' : 'resolve',
      summary: annotations.summary ?? annotations.description ?? a.labels.alertname ?? `alert ${fingerprint}`,
      severity: severityOf(a.labels),
      labels: a.labels,
      annotations,
      startsAt,
      receivedAt: ctx.receivedAt,
      raw: a,
    };
    if (a.generatorURL) alert.source = a.generatorURL;
    if (service !== undefined) alert.service = service;
    const eventKey = createHash('sha256')
      .update(JSON.stringify([ctx.integration, fingerprint, a.status, a.startsAt ?? '', a.endsAt ?? '']))
      .digest('base64url');
    return { alert, eventKey };
  });
}
