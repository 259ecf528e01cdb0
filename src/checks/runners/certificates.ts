/**
 * The certificate chain a TLS server presented, for results and for
 * `[CERTIFICATE_EXPIRATION]`. Like blackbox_exporter's
 * `probe_ssl_earliest_cert_expiry`, expiry is the earliest notAfter of the
 * certificates the server sent: an intermediate that lapses before the leaf
 * breaks the site just the same. Certificates Node would add from the local
 * trust store are not counted; they are this machine's, not the server's.
 */
import type { X509Certificate } from 'node:crypto';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { ChainCertificate } from '../types.ts';

/** The parts of a certificate the chain walk reads (so it can be tested with plain objects). */
export interface PeerCertificateLike {
  /** A name object (`getPeerCertificate`) or lines of `KEY=value` (`X509Certificate`). */
  subject?: object | string;
  issuer?: object | string;
  valid_to?: string;
  fingerprint256?: string;
  issuerCertificate?: PeerCertificateLike;
}

/** Chains longer than this are not real (and a bad link must not loop forever). */
const MAX_CHAIN_LENGTH = 16;

/**
 * A distinguished name as `CN=x, O=y`: from a name object (`{ CN: 'x', O: 'y' }`,
 * repeated attributes as arrays) or from X509Certificate's one-attribute-per-line text.
 */
export function formatDistinguishedName(name: object | string | undefined): string {
  if (name === undefined) return '';
  if (typeof name === 'string') return name.split('\n').filter(Boolean).join(', ');
  const parts: string[] = [];
  for (const [key, value] of Object.entries(name)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== null) parts.push(`${key}=${String(one)}`);
    }
  }
  return parts.join(', ');
}

/**
 * A certificate chain, leaf first. The walk follows `issuerCertificate` and
 * stops at a self-issued certificate (Node links a root to itself), at one
 * already seen, at a date it cannot read, or where the links end.
 */
export function certificateChain(leaf: PeerCertificateLike | undefined): ChainCertificate[] {
  const chain: ChainCertificate[] = [];
  const seen = new Set<PeerCertificateLike | string>();
  let current = leaf;
  while (current && current.valid_to !== undefined && chain.length < MAX_CHAIN_LENGTH) {
    if (seen.has(current) || (current.fingerprint256 && seen.has(current.fingerprint256))) break;
    seen.add(current);
    if (current.fingerprint256) seen.add(current.fingerprint256);
    const notAfter = Date.parse(current.valid_to);
    if (!Number.isFinite(notAfter)) break;
    const subject = formatDistinguishedName(current.subject);
    const issuer = formatDistinguishedName(current.issuer);
    chain.push({ subject, issuer, notAfter });
    if (subject === issuer) break;
    current = current.issuerCertificate;
  }
  return chain;
}

/** An X509Certificate and the issuers it links to, as plain parts (bounded: every lookup makes a new object). */
function fromX509(x: X509Certificate, depth = 0): PeerCertificateLike {
  const out: PeerCertificateLike = {
    subject: x.subject,
    issuer: x.issuer,
    valid_to: x.validTo,
    fingerprint256: x.fingerprint256,
  };
  const issuer = x.subject === x.issuer || depth >= MAX_CHAIN_LENGTH ? undefined : x.issuerCertificate;
  if (issuer) out.issuerCertificate = fromX509(issuer, depth + 1);
  return out;
}

/** The server's certificates as one handshake gave them. */
export interface PeerCertificates {
  /** The leaf as `getPeerCertificate()` gives it (for `tls.checkServerIdentity`); `raw` is missing without one. */
  leaf: PeerCertificate;
  /** What the server sent, leaf first. */
  chain: ChainCertificate[];
}

/**
 * Reads the leaf and the presented chain of a connected socket, once.
 * `getPeerX509Certificate()` links only the certificates of the handshake
 * (`getPeerCertificate(true)` also appends issuers from the client's trust
 * store), but on Node 24 it takes the leaf off the socket's list, so
 * `getPeerCertificate()` must come first and neither may be asked again.
 */
export function peerCertificates(socket: TLSSocket): PeerCertificates {
  const leaf = socket.getPeerCertificate();
  const x509 = socket.getPeerX509Certificate();
  return { leaf, chain: x509 ? certificateChain(fromX509(x509)) : [] };
}

/** The earliest notAfter of a chain (epoch ms); undefined for an empty one. */
export function earliestNotAfter(chain: readonly ChainCertificate[]): number | undefined {
  if (chain.length === 0) return undefined;
  return Math.min(...chain.map((c) => c.notAfter));
}
