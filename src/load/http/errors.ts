/** Mapping socket and TLS errors to the error kinds a load summary counts. */
import type { ErrorKind } from '../types.ts';

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Where the connection was when the error happened. */
export interface ErrorPhase {
  /** TCP is connected. */
  connected: boolean;
  /** The connection is TLS and the handshake has not finished. */
  handshaking: boolean;
  /** Some bytes of the current response arrived. */
  responding: boolean;
}

/**
 * Classifies a socket error: ECONNREFUSED → connect_refused, resolver failures
 * → dns, anything during a TLS handshake (bad cert, alert, reset) → tls,
 * ECONNRESET/EPIPE → reset (closed_mid_response once the response began).
 */
export function classifySocketError(err: NodeJS.ErrnoException, phase: ErrorPhase): ErrorKind {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'connect_refused';
  if (DNS_CODES.has(code)) return 'dns';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (phase.handshaking && phase.connected) return 'tls';
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT')) return 'tls';
  if (RESET_CODES.has(code)) return phase.responding ? 'closed_mid_response' : 'reset';
  return 'other';
}
