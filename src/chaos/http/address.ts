/** Reading the two addresses a proxy is configured with: where it listens and where it forwards. */
import { isIP } from 'node:net';

/** A host and a TCP port; port 0 asks the OS for a free one. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** The upstream origin: scheme, host and port only. */
export interface UpstreamOrigin {
  /** `http://127.0.0.1:8080` (normalised by WHATWG URL, default ports dropped). */
  origin: string;
  tls: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parses `host:port` (IPv6 in brackets: `[::1]:0`). The host is required so that
 * nobody binds every interface by leaving it out; `0.0.0.0:8080` says so explicitly.
 *
 * @example parseListen('127.0.0.1:0') // { ok: true, value: { host: '127.0.0.1', port: 0 } }
 */
export function parseListen(text: string): Parsed<ListenAddress> {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) return { ok: false, error: `expected host:port (e.g. 127.0.0.1:0 or [::1]:8080), got "${text}"` };
  const host = (m[1] ?? m[2]) as string;
  const port = Number(m[3]);
  if (port > 65535) return { ok: false, error: `port ${port} is above 65535` };
  if (m[1] !== undefined && isIP(host) !== 6) return { ok: false, error: `"${host}" is not an IPv6 address` };
  return { ok: true, value: { host, port } };
}

/**
 * Parses the upstream URL. Only an origin is accepted (no path, query or credentials),
 * because the proxy forwards each request's own path and query unchanged.
 *
 * @example parseUpstream('http://127.0.0.1:8080') // { ok: true, value: { origin: 'http://127.0.0.1:8080', tls: false } }
 */
export function parseUpstream(text: string): Parsed<UpstreamOrigin> {
  const expected = `expected a URL with its scheme, such as http://127.0.0.1:8080, got "${text}"`;
  // `localhost:8080` parses as scheme "localhost:"; say what is missing instead.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { ok: false, error: expected };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, error: expected };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, error: `scheme must be http or https, got "${url.protocol.replace(/:$/, '')}"` };
  }
  if (url.username || url.password) return { ok: false, error: 'credentials in the URL are not supported' };
  if (url.pathname !== '/' || url.search || url.hash) {
    return {
      ok: false,
      error: 'must be an origin without path, query or fragment (requests keep their own path)',
    };
  }
  return { ok: true, value: { origin: url.origin, tls: url.protocol === 'https:' } };
}

/** The URL clients reach the proxy at; IPv6 hosts in brackets. */
export function listenUrl(address: ListenAddress): string {
  const host = isIP(address.host) === 6 ? `[${address.host}]` : address.host;
  return `http://${host}:${address.port}`;
}
