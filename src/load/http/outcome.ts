/** What one request came to, and the per-request record the pool reuses. */
import type { ErrorKind, HttpOptions } from '../types.ts';
import type { PreparedRequest } from './request.ts';

/**
 * The result of one request. Times are `performance.now()` ms of the calling
 * thread. `ok: true` means a complete, parseable HTTP response of any status;
 * judging the status or checks is the caller's job.
 *
 * **Read it synchronously.** The pool reuses one `ok: true` record per
 * connection: it is valid only inside the `done` callback and is overwritten
 * by the connection's next response. Copy what you need (`{ ...o }` is enough:
 * `headers` and `body`, when present, are never modified afterwards).
 */
export type RequestOutcome =
  | {
      ok: true;
      status: number;
      /**
       * Lower-case names; repeated headers joined with `, `. Only when the pool
       * was created with `keepHeaders`; otherwise an empty (frozen) record.
       */
      headers: Record<string, string>;
      /** Only when the pool was created with `keepBody`. */
      body?: Buffer;
      /** Response bytes on the wire (head, framing, body). */
      bytes: number;
      sentAt: number;
      firstByteAt: number;
      doneAt: number;
    }
  | { ok: false; error: ErrorKind; message: string; sentAt?: number; doneAt: number };

/** Called once per request, with its outcome (valid only during the call: see `RequestOutcome`). */
export type DoneCallback = (o: RequestOutcome) => void;

/** Options of an `HttpPool`. */
export interface PoolOptions extends HttpOptions {
  /** Keep response bodies (for body checks); otherwise they are only counted. */
  keepBody?: boolean;
  /** Build each response's header record (for header checks); otherwise `headers` is empty. */
  keepHeaders?: boolean;
  /** TLS SNI name; defaults to the URL's host name (none for IP addresses). */
  servername?: string;
  /** Extra CA certificates to trust (PEM), for verified TLS against a private CA. */
  ca?: string | Buffer;
}

/** A request on its way: queued in the pool or in flight on a connection. Recycled through a free list. */
export class Pending {
  req: PreparedRequest | undefined = undefined;
  done: DoneCallback | undefined = undefined;
  /** When its bytes were written; 0 while not yet written. */
  sentAt = 0;
  firstByteAt = 0;
  /** How often it was re-sent after a reused connection closed before answering. */
  retries = 0;
}
