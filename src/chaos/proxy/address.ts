/** `host:port` addresses of the TCP proxy: where it listens and where it forwards. */
import { isIP } from 'node:net';

/** A host (name or IP) and a TCP port. */
export interface HostPort {
  host: string;
  port: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parses `host:port`; IPv6 hosts in brackets (`[::1]:0`). The host is required, so
 * nobody binds every interface by leaving it out (`0.0.0.0:8080` says so explicitly).
 * Port 0 is allowed only when `allowZero` (a listen address: the OS picks a port).
 *
 * @example parseHostPort('localhost:5432') // { ok: true, value: { host: 'localhost', port: 5432 } }
 */
export function parseHostPort(text: string, allowZero: boolean): Parsed<HostPort> {
  const m = /^(?:\[([^\]]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  if (!m)
    return { ok: false, error: `expected host:port (e.g. 127.0.0.1:6379 or [::1]:6379), got "${text}"` };
  const host = (m[1] ?? m[2]) as string;
  const port = Number(m[3]);
  if (port > 65_535) return { ok: false, error: `port ${port} in "${text}" is above 65535` };
  if (port === 0 && !allowZero) return { ok: false, error: `port 0 in "${text}" cannot be connected to` };
  if (m[1] !== undefined && isIP(host) !== 6) return { ok: false, error: `"${host}" is not an IPv6 address` };
  return { ok: true, value: { host, port } };
}

/** `host:port`, with IPv6 hosts in brackets (the inverse of {@link parseHostPort}). */
export function formatHostPort(address: HostPort): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
