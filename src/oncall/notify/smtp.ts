/**
 * One try of sending a page e-mail over SMTP (nodemailer). SMTP says itself
 * what is worth retrying: 4xx replies and lost connections are, 5xx replies
 * (other than 503) are not.
 */
import nodemailer, { type NodemailerError, type Transporter } from 'nodemailer';
import type { EmailMessage } from './render.ts';
import { errorMessage } from './retry.ts';
import type { AttemptResult } from './types.ts';

export interface SmtpConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465). Otherwise STARTTLS is used when the server offers it. */
  secure?: boolean;
  /** The From address, e.g. `Ballast <pager@example.com>`. */
  from: string;
  auth?: { user: string; pass: string };
}

/** Failures without an SMTP reply that another try would not fix: the message or configuration is wrong. */
const FINAL_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'ECONFIG', 'EAUTH']);

/** Sends page e-mails through one SMTP server; one connection per message (pages are rare). */
export class SmtpSender {
  readonly #transport: Transporter;
  readonly #from: string;
  readonly #timeoutMs: number;

  constructor(cfg: SmtpConfig, timeoutMs: number) {
    this.#from = cfg.from;
    this.#timeoutMs = timeoutMs;
    this.#transport = nodemailer.createTransport({
      host: cfg.host,
      port: cfg.port,
      secure: cfg.secure ?? false,
      ...(cfg.auth && { auth: { user: cfg.auth.user, pass: cfg.auth.pass } }),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  /** Sends `message` to `to`. Never throws. */
  async send(to: string, message: EmailMessage): Promise<AttemptResult> {
    let timer: NodeJS.Timeout | undefined;
    // nodemailer's own timeouts cover each wait; this bounds the whole exchange too.
    const timeout = new Promise<AttemptResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, error: `timed out after ${this.#timeoutMs} ms`, retryable: true }),
        this.#timeoutMs,
      );
    });
    const sent = this.#transport
      .sendMail({ from: this.#from, to, subject: message.subject, text: message.text, html: message.html })
      .then((): AttemptResult => ({ ok: true }))
      .catch((err: unknown): AttemptResult => judgeSmtpError(err));
    try {
      return await Promise.race([sent, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.#transport.close();
  }
}

/** Whether an SMTP failure is worth another try, and how to name it. */
export function judgeSmtpError(err: unknown): AttemptResult {
  const error = errorMessage(err).replace(/\s+/g, ' ').trim();
  const e = err as Partial<NodemailerError> | undefined;
  if (typeof e?.responseCode === 'number') return { ok: false, error, retryable: e.permanent !== true };
  return { ok: false, error, retryable: !(typeof e?.code === 'string' && FINAL_CODES.has(e.code)) };
}
