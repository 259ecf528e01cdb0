/**
 * The TLS check runner: resolve, connect, handshake, and report the server's
 * certificate, chiefly when it expires (`[CERTIFICATE_EXPIRATION]`).
 *
 * The handshake never rejects a certificate by itself (`rejectUnauthorized:
 * false`, no built-in hostname check): the runner judges the chain and the
 * hostname afterwards, so even a check failing on an expired or self-signed
 * certificate still reports the certificate's expiry.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import type { ConditionContext, Observation, TlsCheckSpec } from '../types.ts';
import { earliestNotAfter, peerCertificates } from './certificates.ts';
import type { RunContext } from './context.ts';
import {
  bareHost,
  CheckFailure,
  connectTcp,
  describeNetError,
  resolveHost,
  resolvePhase,
  startDeadline,
  toCheckError,
  untilAborted,
} from './tcp.ts';

const VERIFY_ERRORS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain (untrusted root)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'unable to verify the certificate (unknown issuer or missing intermediate)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer is not trusted (unknown CA)',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer certificate is missing',
  CERT_SIGNATURE_FAILURE: 'certificate signature does not verify',
  CERT_REVOKED: 'certificate revoked',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_REJECTED: 'certificate rejected',
  INVALID_CA: 'an issuer in the chain is not a CA',
  PATH_LENGTH_EXCEEDED: 'chain longer than its CA allows',
  INVALID_PURPOSE: 'certificate not meant for a TLS server',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname mismatch',
};

/** A verification error code (`socket.authorizationError`) as words, with the code kept for searching. */
export function describeVerifyError(code: string): string {
  const words = VERIFY_ERRORS[code];
  return words ? `${words} (${code})` : code;
}

/** The name the certificate must be valid for: the configured servername, else the host. */
function expectedIdentity(spec: TlsCheckSpec): string {
  return spec.tls.servername ?? bareHost(spec.host);
}

/** SNI to send: the configured servername, else the host unless it is an IP (SNI carries names only, RFC 6066). */
function sniFor(spec: TlsCheckSpec): string | undefined {
  if (spec.tls.servername !== undefined) return spec.tls.servername;
  const host = bareHost(spec.host);
  return net.isIP(host) ? undefined : host;
}

/** Why a handshake error happened, without OpenSSL's internal prefix when it gave a reason. */
function describeHandshakeError(err: unknown): string {
  const reason = (err as { reason?: unknown } | undefined)?.reason;
  if (typeof reason === 'string' && reason !== '') return reason;
  return describeNetError(err);
}

/** Runs the TLS handshake over a connected socket; rejects with `tls` (or `config` for unusable client options). */
function handshake(raw: net.Socket, spec: TlsCheckSpec, signal: AbortSignal): Promise<tls.TLSSocket> {
  let secure: tls.TLSSocket;
  try {
    secure = tls.connect({
      socket: raw,
      servername: sniFor(spec),
      // Judged after the handshake, so a rejected certificate is still reported.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      ca: spec.tls.ca,
      cert: spec.tls.clientCert?.cert,
      key: spec.tls.clientCert?.key,
    });
  } catch (err) {
    // createSecureContext throws on a CA or client certificate it cannot parse.
    const why = err instanceof Error ? err.message : String(err);
    return Promise.reject(new CheckFailure('config', `cannot use the TLS options: ${why}`));
  }
  const done = new Promise<tls.TLSSocket>((resolve, reject) => {
    const onError = (err: unknown) => {
      secure.destroy();
      reject(new CheckFailure('tls', `TLS handshake failed: ${describeHandshakeError(err)}`));
    };
    secure.once('error', onError);
    secure.once('secureConnect', () => {
      secure.removeListener('error', onError);
      secure.on('error', () => {}); // a late error after the check must not crash the process
      resolve(secure);
    });
  });
  return untilAborted(signal, 'in the TLS handshake', done, () => secure.destroy());
}

/** Why the server's certificate is not acceptable, or undefined when it is (chain first, then hostname). */
function verificationProblem(
  secure: tls.TLSSocket,
  identity: string,
  leaf: tls.PeerCertificate,
): string | undefined {
  if (!secure.authorized) {
    // Node reports the code (a string) here, though it is typed as an Error.
    const code: unknown = secure.authorizationError;
    const text =
      typeof code === 'string' ? code : code instanceof Error ? code.message : 'unknown verification error';
    return `certificate rejected: ${describeVerifyError(text)}`;
  }
  const mismatch = tls.checkServerIdentity(identity, leaf);
  if (mismatch) return `certificate rejected: hostname mismatch: ${mismatch.message}`;
  return undefined;
}

/** How long a closing connection may take to say goodbye before it is cut. */
const CLOSE_GRACE_MS = 1000;

/**
 * Ends the connection with close_notify instead of a reset. In TLS 1.3 the
 * client is done before the server has read its last flight (its Finished,
 * a client certificate); cutting the connection there makes the monitored
 * server log a failed handshake for every check.
 */
function closeGracefully(secure: tls.TLSSocket): void {
  const cut = setTimeout(() => secure.destroy(), CLOSE_GRACE_MS);
  cut.unref();
  secure.once('close', () => clearTimeout(cut));
  secure.end();
}

/**
 * Runs one TLS check. `certificateChain` is what the server presented,
 * `certificateNotAfter` its earliest expiry and `[CERTIFICATE_EXPIRATION]` the
 * time left until then (by `ctx.now`), filled whenever the handshake
 * completed, even when the certificate is rejected.
 * With `verify` on, an untrusted chain or a hostname mismatch is a `tls`
 * error naming the reason.
 */
export async function runTlsCheck(spec: TlsCheckSpec, ctx: RunContext): Promise<Observation> {
  const now = ctx.now ?? Date.now;
  const deadline = startDeadline(ctx);
  const started = performance.now();
  const context: ConditionContext = { responseTimeMs: 0, connected: false };
  const observation: Observation = { context, phases: {} };
  let raw: net.Socket | undefined;
  let secure: tls.TLSSocket | undefined;
  try {
    const ip = await resolveHost(spec.host, deadline.signal);
    observation.phases.resolve = resolvePhase(spec.host, started);
    const resolved = performance.now();
    context.ip = ip;

    raw = await connectTcp(ip, spec.port, deadline.signal);
    const connected = performance.now();
    observation.phases.connect = connected - resolved;
    context.connected = true;

    secure = await handshake(raw, spec, deadline.signal);
    observation.phases.tls = performance.now() - connected;

    const { leaf, chain } = peerCertificates(secure);
    const notAfter = earliestNotAfter(chain);
    if (notAfter !== undefined) {
      observation.certificateChain = chain;
      observation.certificateNotAfter = notAfter;
      context.certificateExpirationMs = notAfter - now();
    }
    if (spec.tls.verify) {
      if (!leaf.raw) throw new CheckFailure('tls', 'the server sent no certificate');
      const problem = verificationProblem(secure, expectedIdentity(spec), leaf);
      if (problem) throw new CheckFailure('tls', problem);
    }
  } catch (err) {
    observation.error = toCheckError(err);
  } finally {
    context.responseTimeMs = performance.now() - started;
    if (secure) closeGracefully(secure);
    else raw?.destroy();
    deadline.dispose();
  }
  return observation;
}
