/**
 * Naming what went wrong in an HTTP check: errors raised while opening a
 * connection arrive already classified (the connector knows its stage);
 * anything else is classified here from its code. Pure.
 */
import type { CheckError, CheckErrorKind } from '../../types.ts';

/** An error from opening a connection, classified by the stage it happened in. */
export class ConnectionError extends Error {
  readonly kind: CheckErrorKind;
  /**
   * The underlying code (ECONNREFUSED, ENOTFOUND, ...). Never `UND_ERR_SOCKET`
   * or `UND_ERR_INFO`: undici retries the connection on those instead of
   * failing the request, which would spin until the deadline.
   */
  readonly code: string | undefined;
  constructor(kind: CheckErrorKind, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ConnectionError';
    this.kind = kind;
    const code = errorCode(cause);
    this.code = code === 'UND_ERR_SOCKET' || code === 'UND_ERR_INFO' ? undefined : code;
  }
}

/** The response body passed the cap; raised to stop reading, never reported as-is. */
export class BodyTooLargeError extends Error {
  readonly bytesRead: number;
  constructor(bytesRead: number) {
    super(`body larger than allowed (read ${bytesRead} bytes)`);
    this.name = 'BodyTooLargeError';
    this.bytesRead = bytesRead;
  }
}

/** OpenSSL's words for the certificate verification codes Node reports (`authorizationError`). */
const VERIFY_REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  CERT_REVOKED: 'certificate revoked',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_REJECTED: 'certificate rejected',
  INVALID_CA: 'invalid CA certificate',
  PATH_LENGTH_EXCEEDED: 'path length constraint exceeded',
  INVALID_PURPOSE: 'unsupported certificate purpose',
  ERR_TLS_CERT_ALTNAME_INVALID: "hostname does not match the certificate's altnames",
};

/** Why a certificate was not accepted, in words, from Node's verification code. */
export function certificateRejectionReason(code: string): string {
  return VERIFY_REASONS[code] ?? `certificate rejected (${code})`;
}

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const CONFIG_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  // A Content-Length header the check sets that its body does not match.
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_NOT_SUPPORTED',
  'ERR_INVALID_URL',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_INVALID_CHAR',
]);

/**
 * Classifies an error that ended an exchange after (or without) the connector:
 * TLS alerts after the handshake (a server refusing the client certificate)
 * are `tls`, undici's argument checks are `config`, closes and parser
 * failures are `protocol`. The cause chain is searched, since undici wraps.
 */
export function classifyExchangeError(err: unknown, socketError?: Error): CheckError {
  const chain = causeChain(err);
  const classified = chain.find((e) => e instanceof ConnectionError);
  if (classified instanceof ConnectionError) return { kind: classified.kind, message: classified.message };
  const codes = chain.map(errorCode);
  const closed = codes[0] === 'UND_ERR_SOCKET' || codes[0] === 'ECONNRESET' || codes[0] === 'EPIPE';
  const socketCode = errorCode(socketError);
  // The close undici saw came with a TLS alert: the alert is the reason.
  if (closed && socketError !== undefined && socketCode !== undefined && isTlsCode(socketCode)) {
    return { kind: 'tls', message: describeError(socketError) };
  }
  const message = describeError(err);
  if (codes.some((c) => c !== undefined && TIMEOUT_CODES.has(c))) return { kind: 'timeout', message };
  if (codes.some((c) => c !== undefined && isTlsCode(c))) return { kind: 'tls', message };
  if (codes.some((c) => c !== undefined && CONFIG_CODES.has(c))) return { kind: 'config', message };
  if (closed) {
    return { kind: 'protocol', message: `connection closed before the response completed (${message})` };
  }
  return { kind: 'protocol', message };
}

function isTlsCode(code: string): boolean {
  return code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT');
}

/** The error and its causes, outermost first (bounded: cause chains can be cyclic). */
function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e: unknown = err; e !== undefined && e !== null && chain.length < 5; ) {
    chain.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return chain;
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The error's message (OpenSSL's tidied), with the innermost cause's when the outer one is generic. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const chain = causeChain(err).filter((e): e is Error => e instanceof Error);
  const outer = tidyOpenSslMessage(err.message);
  const inner = chain.length > 1 ? chain[chain.length - 1] : undefined;
  if (inner === undefined) return outer;
  const innerMessage = tidyOpenSslMessage(inner.message);
  return outer.includes(innerMessage) ? outer : `${outer}: ${innerMessage}`;
}

/**
 * OpenSSL's messages carry a queue address, library codes and a source file:
 * `40BD…:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate
 * required:../deps/…/rec_layer_s3.c:918:SSL alert number 116`. The reason and
 * the alert number are the readable part. Other messages pass unchanged.
 */
export function tidyOpenSslMessage(message: string): string {
  const m = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):[^:\s]*\.c:\d+:?(.*)$/s.exec(message.trim());
  if (m === null) return message;
  const detail = (m[2] ?? '').trim();
  return detail === '' ? (m[1] ?? message) : `${m[1]} (${detail})`;
}
