/**
 * Reading proxy bodies as Toxiproxy does (`POST /proxies`, `POST /proxies/{proxy}`,
 * `POST /populate`), with the addresses checked up front so a bad entry is
 * reported before anything is bound. Pure.
 */
import { parseHostPort } from './address.ts';
import { Errors } from './errors.ts';
import type { Checked } from './toxic-spec.ts';
import type { ProxyConfig } from './types.ts';

/** Where a proxy listens when the body gives no `listen`: loopback, a free port. */
export const DEFAULT_LISTEN = '127.0.0.1:0';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(
  body: Record<string, unknown>,
  key: string,
  where: string,
): Checked<string | undefined> {
  const v = body[key];
  if (v === undefined || v === null) return { ok: true, value: undefined };
  if (typeof v !== 'string') return { ok: false, error: Errors.badBody(`${key}${where} must be a string`) };
  return { ok: true, value: v };
}

function checkAddresses(listen: string, upstream: string, where: string): Checked<true> {
  const l = parseHostPort(listen, true);
  if (!l.ok) return { ok: false, error: Errors.badBody(`listen${where}: ${l.error}`) };
  const u = parseHostPort(upstream, false);
  if (!u.ok) return { ok: false, error: Errors.badBody(`upstream${where}: ${u.error}`) };
  return { ok: true, value: true };
}

/**
 * Reads one proxy to create. `where` names the entry in messages (` at proxy 2`).
 *
 * @example parseProxyCreate({ name: 'pg', upstream: '127.0.0.1:5432' })
 * // { ok: true, value: { name: 'pg', listen: '127.0.0.1:0', upstream: '127.0.0.1:5432', enabled: true } }
 */
export function parseProxyCreate(body: unknown, where = ''): Checked<ProxyConfig> {
  if (!isRecord(body)) return { ok: false, error: Errors.badBody(`expected a JSON object${where}`) };
  const name = optionalString(body, 'name', where);
  if (!name.ok) return name;
  if (!name.value) return { ok: false, error: Errors.missingField(`name${where}`) };
  const upstream = optionalString(body, 'upstream', where);
  if (!upstream.ok) return upstream;
  if (!upstream.value) return { ok: false, error: Errors.missingField(`upstream${where}`) };
  const listen = optionalString(body, 'listen', where);
  if (!listen.ok) return listen;
  if (body.enabled !== undefined && body.enabled !== null && typeof body.enabled !== 'boolean')
    return { ok: false, error: Errors.badBody(`enabled${where} must be true or false`) };
  const config: ProxyConfig = {
    name: name.value,
    listen: listen.value || DEFAULT_LISTEN,
    upstream: upstream.value,
    enabled: body.enabled !== false,
  };
  const addresses = checkAddresses(config.listen, config.upstream, where);
  return addresses.ok ? { ok: true, value: config } : addresses;
}

/** Reads an update of `current`: each field given replaces the current one, as Toxiproxy. */
export function parseProxyUpdate(current: ProxyConfig, body: unknown): Checked<ProxyConfig> {
  if (!isRecord(body)) return { ok: false, error: Errors.badBody('expected a JSON object') };
  const listen = optionalString(body, 'listen', '');
  if (!listen.ok) return listen;
  const upstream = optionalString(body, 'upstream', '');
  if (!upstream.ok) return upstream;
  if (body.enabled !== undefined && body.enabled !== null && typeof body.enabled !== 'boolean')
    return { ok: false, error: Errors.badBody('enabled must be true or false') };
  const next: ProxyConfig = {
    name: current.name,
    listen: listen.value || current.listen,
    upstream: upstream.value || current.upstream,
    enabled: typeof body.enabled === 'boolean' ? body.enabled : current.enabled,
  };
  const addresses = checkAddresses(next.listen, next.upstream, '');
  return addresses.ok ? { ok: true, value: next } : addresses;
}

/**
 * Reads a populate list (Toxiproxy's config file format): every entry is
 * checked, and duplicate names refused, before the caller changes anything.
 */
export function parsePopulate(body: unknown): Checked<ProxyConfig[]> {
  if (!Array.isArray(body)) return { ok: false, error: Errors.badBody('expected a JSON array of proxies') };
  const configs: ProxyConfig[] = [];
  const names = new Set<string>();
  for (const [i, entry] of body.entries()) {
    const where = ` at proxy ${i + 1}${isRecord(entry) && typeof entry.name === 'string' ? ` (${entry.name})` : ''}`;
    const r = parseProxyCreate(entry, where);
    if (!r.ok) return r;
    if (names.has(r.value.name))
      return { ok: false, error: Errors.badBody(`duplicate proxy name "${r.value.name}"${where}`) };
    names.add(r.value.name);
    configs.push(r.value);
  }
  return { ok: true, value: configs };
}
