/**
 * Sends pages through users' contact methods (webhook, e-mail, Slack-compatible
 * webhook) with retries. A delivery never throws: whatever happened, every
 * try's outcome comes back in the `Delivery`, which the caller writes on the
 * incident timeline (and escalates on when nothing got through).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ContactMethod } from '../types.ts';
import { postJson } from './http-post.ts';
import { Limit } from './limit.ts';
import { displayTarget, emailMessage, slackPayload, webhookPayload } from './render.ts';
import { errorMessage, withRetries } from './retry.ts';
import { type SmtpConfig, SmtpSender } from './smtp.ts';
import type { AttemptRecord, AttemptResult, Delivery, Page } from './types.ts';

export interface NotifierConfig {
  /** Without it, e-mail contacts fail with "no SMTP server configured". */
  smtp?: SmtpConfig;
  /** Tries after the first (default 3, at most 10). */
  retries?: number;
  /** Wait before the first retry, doubling after each (default 1000 ms). */
  retryDelayMs?: number;
  /** Per try, connect to answer (default 10 s). */
  timeoutMs?: number;
  /** Epoch ms (default `Date.now`). */
  now?: () => number;
  /** Backoff wait (default a real timer); tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts on the wire at once, across every delivery (default 16); backoff waits hold no slot. */
  concurrency?: number;
}

export class Notifier {
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #smtp: SmtpSender | undefined;
  readonly #limit: Limit;
  #closed = false;

  constructor(cfg: NotifierConfig) {
    this.#retries = cfg.retries ?? 3;
    this.#retryDelayMs = cfg.retryDelayMs ?? 1000;
    this.#timeoutMs = cfg.timeoutMs ?? 10_000;
    this.#now = cfg.now ?? Date.now;
    this.#sleep = cfg.sleep ?? ((ms) => delay(ms));
    this.#smtp = cfg.smtp ? new SmtpSender(cfg.smtp, this.#timeoutMs) : undefined;
    this.#limit = new Limit(cfg.concurrency ?? 16);
  }

  /** Sends `page` through one contact method, retrying as configured. Never throws. */
  async send(contact: ContactMethod, page: Page): Promise<Delivery> {
    const at = this.#now();
    const started = performance.now();
    const done = (log: AttemptRecord[], ok: boolean, error?: string): Delivery => ({
      channel: contact.kind,
      target: safeDisplayTarget(contact),
      ok,
      attempts: log.length,
      ...(!ok && { error: error ?? log.at(-1)?.error ?? 'not delivered' }),
      at,
      durationMs: Math.round(performance.now() - started),
      log,
    });
    try {
      if (this.#closed) return done([], false, 'notifier closed');
      const attempt = this.#attemptFor(contact, page);
      if (typeof attempt === 'string') return done([], false, attempt);
      const outcome = await withRetries(() => this.#limit.run(attempt), {
        retries: this.#retries,
        retryDelayMs: this.#retryDelayMs,
        sleep: this.#sleep,
        now: this.#now,
      });
      return done(outcome.log, outcome.ok);
    } catch (err) {
      // Only a bug gets here; it is still reported as a failed delivery, not thrown at the escalation loop.
      return done([], false, `internal error: ${errorMessage(err)}`);
    }
  }

  /** Sends `page` through every contact at once; the deliveries come back in the contacts' order. */
  sendAll(contacts: ContactMethod[], page: Page): Promise<Delivery[]> {
    return Promise.all(contacts.map((contact) => this.send(contact, page)));
  }

  /** Releases the SMTP transport; later sends fail with "notifier closed". */
  async close(): Promise<void> {
    this.#closed = true;
    this.#smtp?.close();
  }

  /** One try for this contact, or why it cannot be tried at all. */
  #attemptFor(contact: ContactMethod, page: Page): (() => Promise<AttemptResult>) | string {
    switch (contact.kind) {
      case 'webhook':
        return () => postJson(contact.url, webhookPayload(page, this.#now()), this.#timeoutMs);
      case 'slack': {
        const body = slackPayload(page);
        return () => postJson(contact.url, body, this.#timeoutMs);
      }
      case 'email': {
        const smtp = this.#smtp;
        if (!smtp) return 'no SMTP server configured';
        const message = emailMessage(page);
        return () => smtp.send(contact.address, message);
      }
      default:
        // Contacts come from specs: an unknown kind is reported, not thrown.
        return `unknown contact kind ${String((contact as { kind?: unknown }).kind)}`;
    }
  }
}

function safeDisplayTarget(contact: ContactMethod): string {
  try {
    return displayTarget(contact);
  } catch {
    return '(unknown)';
  }
}
