/**
 * What a page says and what became of sending it. A `Page` is rendered once
 * per channel (webhook JSON, Slack message, e-mail); a `Delivery` is the
 * outcome the caller writes on the incident timeline.
 */
import type { ContactMethod } from '../types.ts';

/** One notification about one incident to one person (or channel). */
export interface Page {
  incidentId: number;
  title: string;
  /** `SEV1`…`SEV4` (or whatever label the caller shows). */
  severity: string;
  urgency: 'high' | 'low';
  service?: string;
  /** One or a few lines on what is wrong. */
  summary: string;
  /** The incident in the Ballast UI. */
  incidentUrl: string;
  /** Signed one-click acknowledge link (see `ack-link.ts`). */
  ackUrl: string;
  /** Signed one-click resolve link, when offered. */
  resolveUrl?: string;
  /** Whom the page is for (absent for a channel target). */
  user?: string;
  /** Escalation step (0-based) that sent it. */
  step?: number;
}

/** How one try went. */
export interface AttemptRecord {
  /** Epoch ms when the try started (the notifier's clock). */
  at: number;
  durationMs: number;
  ok: boolean;
  error?: string;
}

/** The outcome of sending one page through one contact method, retries included. */
export interface Delivery {
  channel: ContactMethod['kind'];
  /** URL or address, safe to show: no credentials, no query, Slack-style tokens masked. */
  target: string;
  ok: boolean;
  /** Tries made (0 when the page could not be tried at all, e.g. no SMTP server). */
  attempts: number;
  /** Why the last try failed (absent when delivered). */
  error?: string;
  /** Epoch ms when sending started. */
  at: number;
  /** Wall time from the first try to the outcome, backoff waits included. */
  durationMs: number;
  /** Every try, in order: the timeline can show why each one failed. */
  log: AttemptRecord[];
}

/** The result of one try, as a channel reports it. */
export type AttemptResult = { ok: true } | { ok: false; error: string; retryable: boolean };
