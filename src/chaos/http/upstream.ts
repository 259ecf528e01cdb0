/**
 * The upstream side: one keep-alive undici Pool per proxy, and what a failed
 * upstream exchange becomes for the client (502 or 504 with a body that says why).
 */
import type { Readable } from 'node:stream';
import { Pool } from 'undici';

/** Options of the upstream pool. */
export interface UpstreamOptions {
  origin: string;
  /** Accept any TLS certificate of an https upstream. */
  insecureSkipVerify: boolean;
  /** Connect, response-headers and between-body-chunks timeout. */
  timeoutMs: number;
}

/** A pool that keeps connections to the upstream alive between requests. */
export function createUpstreamPool(options: UpstreamOptions): Pool {
  return new Pool(options.origin, {
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: {
      timeout: options.timeoutMs,
      ...(options.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
    },
  });
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

/** How an upstream exchange failed. */
export interface UpstreamFailure {
  kind: 'timeout' | 'error';
  /** 504 for timeouts, 502 otherwise. */
  status: 502 | 504;
  /** The error code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, ...) or message. */
  reason: string;
}

/** Classifies an error from the upstream request. */
export function classifyUpstreamError(err: unknown): UpstreamFailure {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  const reason = code ?? e.message ?? String(err);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return { kind: 'timeout', status: 504, reason };
  return { kind: 'error', status: 502, reason };
}

/** The plain-text body of a 502/504, naming the proxy, the upstream and the cause. */
export function failureBody(
  proxyName: string,
  upstream: string,
  failure: UpstreamFailure,
  timeoutMs: number,
): string {
  const what =
    failure.kind === 'timeout'
      ? `did not answer within ${timeoutMs} ms (${failure.reason})`
      : `could not be reached or broke the connection (${failure.reason})`;
  return `ballast http fault proxy "${proxyName}": upstream ${upstream} ${what}\n`;
}

/** What a deadline that passed looks like to classifyUpstreamError. */
export const HEADERS_TIMEOUT = 'UND_ERR_HEADERS_TIMEOUT';

/**
 * A deadline for the upstream's response headers, `ms` after the request body has
 * been sent (at once for a request without one), as undici's own headersTimeout
 * counts it. Ours because undici's timers tick about once a second, which would
 * turn a 200 ms timeout into a 1 s one. Call `clear` once the headers arrived.
 */
export function headersDeadline(body: Readable | null, ms: number): { signal: AbortSignal; clear(): void } {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    timer = setTimeout(
      () => ac.abort(Object.assign(new Error('upstream headers timeout'), { code: HEADERS_TIMEOUT })),
      ms,
    );
  };
  if (body === null || body.readableEnded) start();
  else body.once('end', start);
  return {
    signal: ac.signal,
    clear() {
      clearTimeout(timer);
      body?.off('end', start);
    },
  };
}
