/**
 * One execution's HTTP client: its own undici dispatcher (so no connection
 * outlives the execution and every execution pays for DNS, TCP and TLS the
 * way a first-time visitor does), the execution's deadline, and the exchange
 * of one request (redirects followed) with phase timings, the remote address,
 * the certificate and a capped body. An HTTP check sends one request through
 * it, a multistep check one per step, so steps may reuse a connection.
 */
import { Agent, type Dispatcher } from 'undici';
import type { ChainCertificate, CheckError, HttpRequestSpec, PhaseTimings, TlsOptions } from '../../types.ts';
import { type ConnectionRecord, createTimedConnector, type HostLookup } from './connector.ts';
import { BodyTooLargeError, classifyExchangeError } from './errors.ts';
import { type OutgoingRequest, redirectDecision } from './redirect.ts';
import { CappedBody, flattenHeaders } from './response.ts';

export interface HttpSessionOptions {
  tls: TlsOptions;
  followRedirects: boolean;
  maxRedirects: number;
  maxBodyBytes: number;
  /** Deadline of the whole execution, counted from the session's creation. */
  timeoutMs: number;
  /** Aborts the execution from outside (the scheduler gave up). */
  signal?: AbortSignal;
  /** Name resolution; the system resolver by default. */
  lookup?: HostLookup;
}

/** What one request came to, after its redirects. */
export interface Exchange {
  error?: CheckError;
  status?: number;
  headers?: Record<string, string>;
  /** Capped at maxBodyBytes. */
  body?: string;
  /** TCP to the final origin was established. */
  connected: boolean;
  /** Address of the final origin's connection. */
  ip?: string;
  /** Earliest expiry in the chain the final origin presented (https), epoch ms. */
  certificateNotAfter?: number;
  certificateChain?: ChainCertificate[];
  /** Connections opened and requests sent by this exchange, summed over redirects. */
  phases: PhaseTimings;
  durationMs: number;
}

/** One request/response on the wire (one hop of a redirect chain). */
interface Hop {
  status?: number;
  headers?: Record<string, string>;
  body: CappedBody;
  /** performance.now() marks. */
  sentAt?: number;
  firstByteAt?: number;
  endAt: number;
  /** Why the hop ended early (a body past the cap is not an error here: `body.overflowed`). */
  error?: unknown;
}

export class HttpSession {
  readonly #opts: HttpSessionOptions;
  readonly #agent: Agent;
  /** Every connection attempt of the execution, in order. */
  readonly #connections: ConnectionRecord[] = [];
  readonly #deadline = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #onOuterAbort = () => this.#abort({ kind: 'timeout', message: 'the execution was cancelled' });
  /** Set when the deadline passed or the execution was cancelled: it outranks whatever error that caused. */
  #abortError: CheckError | undefined;

  constructor(opts: HttpSessionOptions) {
    this.#opts = opts;
    const connect = createTimedConnector({
      tls: opts.tls,
      timeoutMs: opts.timeoutMs,
      onConnection: (record) => this.#connections.push(record),
      signal: this.#deadline.signal,
      ...(opts.lookup !== undefined && { lookup: opts.lookup }),
    });
    // The deadline ends everything; undici's own header/body timeouts would only race it. Requests
    // go one at a time, and one connection per origin lets the next step (or a redirect to the same
    // origin) reuse it instead of opening another while undici is still marking the first one free.
    this.#agent = new Agent({ connect, connections: 1, headersTimeout: 0, bodyTimeout: 0 });
    this.#timer = setTimeout(
      () => this.#abort({ kind: 'timeout', message: `no complete answer within ${opts.timeoutMs} ms` }),
      opts.timeoutMs,
    );
    if (opts.signal?.aborted) this.#onOuterAbort();
    else opts.signal?.addEventListener('abort', this.#onOuterAbort, { once: true });
  }

  /** Sends `spec` (following redirects as configured). Never throws. */
  async send(spec: HttpRequestSpec): Promise<Exchange> {
    const started = performance.now();
    const firstConnection = this.#connections.length;
    const timings = { processing: 0, transfer: 0, hops: 0 };
    let request: OutgoingRequest;
    try {
      request = toOutgoing(spec);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { error: { kind: 'config', message }, connected: false, phases: {}, durationMs: 0 };
    }

    let last: Hop | undefined;
    let error: CheckError | undefined;
    // Bounded: each pass either ends the loop or uses up one of maxRedirects.
    for (let redirects = 0; ; redirects++) {
      const hop = await this.#hop(request);
      last = hop;
      if (hop.firstByteAt !== undefined) {
        timings.hops++;
        timings.processing += hop.firstByteAt - (hop.sentAt ?? hop.firstByteAt);
        timings.transfer += hop.endAt - hop.firstByteAt;
      }
      if (hop.error !== undefined || hop.status === undefined) {
        const connection = this.#connections.findLast((c) => c.origin === request.url.origin);
        error =
          this.#abortError ??
          classifyExchangeError(hop.error ?? new Error('no response'), connection?.socketError);
        break;
      }
      const decision = this.#opts.followRedirects
        ? redirectDecision(hop.status, hop.headers?.location, request)
        : ({ kind: 'final' } as const);
      if (decision.kind === 'final') {
        if (hop.body.overflowed) error = bodyTooLarge(hop.body);
        break;
      }
      if (decision.kind === 'invalid') {
        error = { kind: 'protocol', message: decision.message };
        break;
      }
      if (redirects >= this.#opts.maxRedirects) {
        error = {
          kind: 'protocol',
          message: `too many redirects: more than ${this.#opts.maxRedirects} (next was ${decision.request.url.href})`,
        };
        break;
      }
      request = decision.request;
    }

    const connections = this.#connections.slice(firstConnection);
    const phases = connectionPhases(connections, request.url.protocol === 'https:');
    if (timings.hops > 0) {
      phases.processing = round(timings.processing);
      phases.transfer = round(timings.transfer);
    }
    const origin = this.#connections.findLast((c) => c.origin === request.url.origin);
    const exchange: Exchange = {
      connected: last?.status !== undefined || (origin?.connected ?? false),
      phases,
      durationMs: round(performance.now() - started),
    };
    if (error !== undefined) exchange.error = error;
    if (last?.status !== undefined) {
      exchange.status = last.status;
      exchange.headers = last.headers ?? {};
      exchange.body = last.body.text();
    }
    if (origin?.address !== undefined) exchange.ip = origin.address;
    if (origin?.certificateNotAfter !== undefined) exchange.certificateNotAfter = origin.certificateNotAfter;
    if (origin?.certificateChain !== undefined) exchange.certificateChain = origin.certificateChain;
    return exchange;
  }

  /** Ends the execution: stops the deadline and closes every connection. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#opts.signal?.removeEventListener('abort', this.#onOuterAbort);
    await this.#agent.destroy().catch(() => undefined);
  }

  #abort(error: CheckError): void {
    if (this.#abortError !== undefined) return;
    this.#abortError = error;
    this.#deadline.abort(new Error(error.message));
    // Destroying the dispatcher fails whatever is in flight (connecting, waiting, reading).
    this.#agent.destroy(new Error(error.message)).catch(() => undefined);
  }

  /** Sends one request and reads its response (body capped); settles on the deadline at the latest. */
  #hop(request: OutgoingRequest): Promise<Hop> {
    const body = new CappedBody(this.#opts.maxBodyBytes);
    const hop: Hop = { body, endAt: 0 };
    const signal = this.#deadline.signal;
    return new Promise<Hop>((resolve) => {
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onDeadline);
        hop.endAt = performance.now();
        if (error !== undefined && !(error instanceof BodyTooLargeError)) hop.error = error;
        resolve(hop);
      };
      const onDeadline = () => finish(signal.reason);
      if (signal.aborted) {
        finish(signal.reason);
        return;
      }
      signal.addEventListener('abort', onDeadline, { once: true });

      const handler: Dispatcher.DispatchHandler = {
        // Called as the request is written to a connected socket: the start of `processing`.
        onRequestStart() {
          hop.sentAt = performance.now();
        },
        onResponseStart(_controller, statusCode, headers) {
          hop.firstByteAt ??= performance.now();
          // 1xx (103 Early Hints) only marks the first byte; the final response follows.
          if (statusCode < 200) return;
          hop.status = statusCode;
          hop.headers = flattenHeaders(headers);
        },
        onResponseData(controller, chunk) {
          if (!body.push(chunk)) controller.abort(new BodyTooLargeError(body.bytesRead));
        },
        onResponseEnd() {
          finish();
        },
        onResponseError(_controller, err) {
          finish(err);
        },
      };
      try {
        this.#agent.dispatch(
          {
            origin: request.url.origin,
            path: `${request.url.pathname}${request.url.search}`,
            method: request.method as Dispatcher.HttpMethod,
            headers: request.headers,
            body: request.body ?? null,
          },
          handler,
        );
      } catch (err) {
        finish(err);
      }
    });
  }
}

/** The check's request as a request to send; throws on a URL that cannot be sent. */
function toOutgoing(spec: HttpRequestSpec): OutgoingRequest {
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    throw new Error(`invalid URL ${JSON.stringify(spec.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`URL ${JSON.stringify(spec.url)} is not http:// or https://`);
  }
  url.hash = '';
  const request: OutgoingRequest = { method: spec.method, url, headers: { ...spec.headers } };
  if (spec.body !== undefined) request.body = spec.body;
  return request;
}

function bodyTooLarge(body: CappedBody): CheckError {
  return {
    kind: 'body_too_large',
    message: `body passed the ${body.limit}-byte cap (stopped after reading ${body.bytesRead} bytes)`,
  };
}

/** resolve/connect summed over the connections opened; tls too when any was https. */
function connectionPhases(connections: ConnectionRecord[], secure: boolean): PhaseTimings {
  const phases: PhaseTimings = {};
  if (connections.length === 0) return phases;
  const sum = (pick: (c: ConnectionRecord) => number | undefined) =>
    round(connections.reduce((total, c) => total + (pick(c) ?? 0), 0));
  phases.resolve = sum((c) => c.resolve);
  phases.connect = sum((c) => c.connect);
  if (secure || connections.some((c) => c.origin.startsWith('https:'))) phases.tls = sum((c) => c.tls);
  return phases;
}

/** Timings to the microsecond: more digits are noise. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Adds two sets of phase timings (a multistep check sums its steps'). */
export function addPhases(a: PhaseTimings, b: PhaseTimings): PhaseTimings {
  const out: PhaseTimings = { ...a };
  for (const key of ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const) {
    const value = b[key];
    if (value !== undefined) out[key] = round((out[key] ?? 0) + value);
  }
  return out;
}
