/**
 * An undici connector that times each stage of opening a connection the way
 * blackbox_exporter does (resolve, connect, tls), remembers the address and
 * the presented certificate chain, and classifies failures by the stage they happened in.
 *
 * The name is resolved here (not by `net.connect`) so the lookup is timed on
 * its own and a resolver failure is unmistakably `dns`. Certificates are
 * verified after the handshake rather than by OpenSSL aborting it, so the
 * certificate's expiry is known even when it is rejected ("expired 3 days
 * ago" is the useful part). No request byte is written before the check.
 */
import { lookup } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import { checkServerIdentity, type TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';
import type { ChainCertificate, TlsOptions } from '../../types.ts';
import { earliestNotAfter, peerCertificates } from '../certificates.ts';
import { ConnectionError, certificateRejectionReason, describeError } from './errors.ts';

/** What happened while opening one connection; filled in as its stages finish. */
export interface ConnectionRecord {
  /** `https://host:port` as undici names the origin (default ports omitted). */
  origin: string;
  /** ms; 0 for an IP literal. */
  resolve?: number;
  connect?: number;
  tls?: number;
  /** The address connected (or tried). */
  address?: string;
  /** TCP is (or was) established. */
  connected: boolean;
  /** Earliest notAfter of the presented chain, epoch ms. */
  certificateNotAfter?: number;
  /** The certificates the server presented, leaf first. */
  certificateChain?: ChainCertificate[];
  /**
   * The first error the socket raised once in use. undici reports a TLS alert
   * that arrives with the server's close (a client certificate refused after
   * a TLS 1.3 handshake) as "other side closed"; this keeps the real reason.
   */
  socketError?: Error;
}

export interface TimedConnectorOptions {
  tls: TlsOptions;
  /** Connection timeout in ms (the execution's deadline normally ends things first). */
  timeoutMs: number;
  /** Called once per connection attempt with a record the connector keeps filling in. */
  onConnection: (record: ConnectionRecord) => void;
  /** Name → address; the system resolver (`dns.lookup`, as browsers and curl use) by default. */
  lookup?: HostLookup;
  /** The execution's deadline: a lookup that answers after it opens no connection. */
  signal?: AbortSignal;
}

/** Resolves a host name to one address. */
export type HostLookup = (hostname: string) => Promise<string>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), first address. */
export const systemLookup: HostLookup = async (hostname) => (await lookup(hostname)).address;

/** Builds the connector for one execution's dispatcher. */
export function createTimedConnector(opts: TimedConnectorOptions): buildConnector.connector {
  const { tls } = opts;
  const base = buildConnector({
    timeout: opts.timeoutMs,
    // Verified in `finishTls` instead, after the certificate has been looked at.
    rejectUnauthorized: false,
    ...(tls.ca !== undefined && { ca: tls.ca }),
    ...(tls.clientCert !== undefined && { cert: tls.clientCert.cert, key: tls.clientCert.key }),
  });

  return (options, callback) => {
    const secure = options.protocol === 'https:';
    const host = unbracket(options.hostname);
    const record: ConnectionRecord = {
      origin: `${options.protocol}//${options.host ?? host}`,
      connected: false,
    };
    opts.onConnection(record);
    const started = performance.now();
    if (isIP(host) !== 0) record.resolve = 0;

    resolveHost(host, opts.lookup ?? systemLookup, (lookupError, address) => {
      const resolvedAt = performance.now();
      record.resolve ??= resolvedAt - started;
      if (lookupError !== null || address === undefined) {
        const reason =
          (lookupError as NodeJS.ErrnoException | null)?.code ?? lookupError?.message ?? 'no address';
        callback(new ConnectionError('dns', `cannot resolve ${host} (${reason})`, lookupError), null);
        return;
      }
      record.address = address;
      if (opts.signal?.aborted) {
        callback(new ConnectionError('timeout', `the deadline passed while resolving ${host}`), null);
        return;
      }
      let connectedAt = resolvedAt;
      const markConnected = () => {
        if (record.connected) return;
        connectedAt = performance.now();
        record.connected = true;
        record.connect = connectedAt - resolvedAt;
      };
      // SNI and the identity check use the name, while the socket goes to the address resolved above.
      const servername = serverName(tls.servername ?? host);
      let socket: Socket | undefined;
      try {
        socket = base(
          { ...options, hostname: address, ...(servername !== undefined && { servername }) },
          (err, sock) => {
            if (err !== null || sock === null) {
              callback(connectFailure(err, record, address, options.port), null);
              return;
            }
            markConnected();
            sock.on('error', (e: Error) => {
              record.socketError ??= e;
            });
            if (!secure) {
              callback(null, sock);
              return;
            }
            record.tls = performance.now() - connectedAt;
            const rejection = finishTls(sock as TLSSocket, record, tls.verify, servername ?? address);
            if (rejection !== undefined) {
              sock.destroy();
              callback(rejection, null);
              return;
            }
            callback(null, sock);
          },
        ) as unknown as Socket | undefined;
      } catch (err) {
        // tls.connect throws at once on options it cannot use (a PEM that does not parse, a key not matching its cert).
        callback(new ConnectionError('config', `TLS options rejected: ${describeError(err)}`, err), null);
        return;
      }
      // For TLS this fires before the handshake; for plain TCP the callback above may come first.
      socket?.once('connect', markConnected);
    });
  };
}

/** Reads the certificate and, when verifying, turns a rejected one into an error. */
function finishTls(
  socket: TLSSocket,
  record: ConnectionRecord,
  verify: boolean,
  identity: string,
): ConnectionError | undefined {
  const { leaf: cert, chain } = peerCertificates(socket);
  const notAfter = earliestNotAfter(chain);
  if (notAfter !== undefined) {
    record.certificateNotAfter = notAfter;
    record.certificateChain = chain;
  }
  if (!verify || socket.authorized) return undefined;
  const code = String(socket.authorizationError ?? 'unknown');
  // Node keeps only the code of a name mismatch; asking again gives the full sentence.
  const mismatch = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? checkServerIdentity(identity, cert) : undefined;
  return new ConnectionError('tls', mismatch?.message ?? certificateRejectionReason(code));
}

function connectFailure(err: Error | null, record: ConnectionRecord, address: string, port: string): Error {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const message = err === null ? 'no socket' : describeError(err);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return new ConnectionError('timeout', `connecting to ${address}:${port} timed out`, err);
  }
  if (record.connected) return new ConnectionError('tls', `TLS handshake failed: ${message}`, err);
  return new ConnectionError('connect', message, err);
}

/** Resolves a name; an IP literal is its own answer (resolve time 0). */
function resolveHost(
  host: string,
  lookupHost: HostLookup,
  done: (err: Error | null, address?: string) => void,
): void {
  if (isIP(host) !== 0) {
    done(null, host);
    return;
  }
  lookupHost(host).then(
    (address) => done(null, address),
    (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
  );
}

/** SNI must be a name: an IP literal is not sent (Node warns and servers ignore it). */
function serverName(name: string): string | undefined {
  return isIP(name) === 0 && name !== '' ? name : undefined;
}

/** `[::1]` → `::1` (URL host names keep IPv6 brackets). */
function unbracket(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}
