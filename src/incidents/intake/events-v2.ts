/**
 * The PagerDuty Events API v2 (`POST /v2/enqueue`), so existing senders
 * (monitoring tools, scripts, SDKs) work by changing only the URL. Validation
 * follows PagerDuty's documented rules and answers in its shapes: 202
 * `{status: "success", message: "Event processed", dedup_key}`, 400
 * `{status: "invalid event", message: "Event object is invalid", errors: [...]}`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AlertSeverity, IncomingAlert } from '../types.ts';
import { integrationScope } from './scope.ts';

export const EVENTS_V2_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

export interface EventsV2Event {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key?: string;
  payload?: {
    summary: string;
    source: string;
    severity: AlertSeverity;
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: unknown;
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks an event body; returns every problem, worded like PagerDuty's
 * (`'payload.summary' is missing or blank`), or the event.
 */
export function validateEventsV2(body: unknown): { event: EventsV2Event } | { errors: string[] } {
  const errors: string[] = [];
  if (!isObject(body)) return { errors: ['Event object must be a JSON object'] };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const routingKey = str(body.routing_key);
  if (!routingKey || routingKey.trim() === '') errors.push("'routing_key' is missing or blank");
  const action = str(body.event_action);
  if (!action) errors.push("'event_action' is missing or blank");
  else if (!['trigger', 'acknowledge', 'resolve'].includes(action))
    errors.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
  const dedupKey = body.dedup_key;
  if (dedupKey !== undefined && dedupKey !== null && (typeof dedupKey !== 'string' || dedupKey.length > 255))
    errors.push("'dedup_key' must be a string of at most 255 characters");
  if ((action === 'acknowledge' || action === 'resolve') && (typeof dedupKey !== 'string' || dedupKey === ''))
    errors.push(`'dedup_key' is required for ${action} events`);
  let payload: EventsV2Event['payload'];
  if (action === 'trigger') {
    const p = body.payload;
    if (!isObject(p)) errors.push("'payload' is missing or is not an object");
    else {
      const summary = str(p.summary);
      const source = str(p.source);
      const severity = str(p.severity);
      if (!summary || summary.trim() === '') errors.push("'payload.summary' is missing or blank");
      else if (summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
      if (!source || source.trim() === '') errors.push("'payload.source' is missing or blank");
      if (!severity) errors.push("'payload.severity' is missing or blank");
      else if (!(EVENTS_V2_SEVERITIES as readonly string[]).includes(severity))
        errors.push("'payload.severity' is invalid (must be one of: critical, error, warning, info)");
      if (
        p.timestamp !== undefined &&
        (typeof p.timestamp !== 'string' || Number.isNaN(Date.parse(p.timestamp)))
      )
        errors.push("'payload.timestamp' must be an ISO 8601 date-time");
      for (const f of ['component', 'group', 'class'] as const)
        if (p[f] !== undefined && typeof p[f] !== 'string') errors.push(`'payload.${f}' must be a string`);
      if (summary && source && severity) {
        payload = { summary, source, severity: severity as AlertSeverity };
        if (typeof p.timestamp === 'string') payload.timestamp = p.timestamp;
        for (const f of ['component', 'group', 'class'] as const)
          if (typeof p[f] === 'string') payload[f] = p[f];
        if (p.custom_details !== undefined) payload.custom_details = p.custom_details;
      }
    }
  }
  if (errors.length > 0) return { errors };
  const event: EventsV2Event = {
    routing_key: routingKey as string,
    event_action: action as EventsV2Event['event_action'],
  };
  if (typeof dedupKey === 'string' && dedupKey !== '') event.dedup_key = dedupKey;
  if (payload) event.payload = payload;
  return { event };
}

/**
 * The incoming alert of a valid event. A trigger without `dedup_key` gets a
 * fresh one (returned to the sender, as PagerDuty does). The event key makes
 * a replay of the same request idempotent.
 */
export function fromEventsV2(
  e: EventsV2Event,
  ctx: { service?: string; receivedAt: number },
): { alert: IncomingAlert; eventKey: string; dedupKey: string } {
  const dedupKey = e.dedup_key ?? randomUUID().replaceAll('-', '');
  const p = e.payload;
  const labels: Record<string, string> = {};
  if (p?.component) labels.component = p.component;
  if (p?.group) labels.group = p.group;
  if (p?.class) labels.class = p.class;
  const service = ctx.service;
  const alert: IncomingAlert = {
    origin: 'events-v2',
    integration: e.routing_key,
    // Scoped by a hash of the routing key, never a piece of it: the routing key is a credential.
    dedupKey: `ev2:${integrationScope(e.routing_key)}:${dedupKey}`,
    action: e.event_action,
    summary: p?.summary ?? '',
    severity: p?.severity ?? 'error',
    labels,
    annotations: {},
    startsAt: p?.timestamp ? Date.parse(p.timestamp) : ctx.receivedAt,
    receivedAt: ctx.receivedAt,
    raw: e,
  };
  if (p?.source) alert.source = p.source;
  if (service !== undefined) alert.service = service;
  // Replays: a sender's retry of a trigger carries the same body within moments, so an identical
  // trigger in the same minute is one event (the minute keeps an identical trigger for a later
  // episode from being taken for a retry). Acknowledges and resolves are never deduplicated here:
  // the same resolve may close a later episode of the alert, and a repeated one changes nothing
  // (the alert's state and the timeline ignore repeats).
  const eventKey =
    e.event_action === 'trigger'
      ? createHash('sha256')
          .update(
            JSON.stringify([
              e.routing_key,
              e.dedup_key ?? dedupKey,
              p ?? null,
              Math.floor(ctx.receivedAt / 60_000),
            ]),
          )
          .digest('base64url')
      : `${e.event_action}:${randomUUID()}`;
  return { alert, eventKey, dedupKey };
}
