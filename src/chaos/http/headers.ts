/**
 * Header rewriting of a forwarding proxy, pure: hop-by-hop headers stay on
 * their own connection (RFC 9110 §7.6.1), and the proxy says it was there
 * (`via`, `x-forwarded-*`).
 */

/** Headers that describe one connection, never forwarded. `expect` is answered by the proxy itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/** The response header naming the rule that faulted a request. */
export const FAULT_HEADER = 'x-ballast-fault';

/** Header names the `connection` header lists are hop-by-hop too. */
function connectionTokens(values: readonly string[]): Set<string> {
  const tokens = new Set<string>();
  for (const v of values) for (const t of v.split(',')) if (t.trim()) tokens.add(t.trim().toLowerCase());
  return tokens;
}

/** What the proxy knows about the client side of a request. */
export interface ClientSide {
  /** The client's IP address. */
  remoteAddress: string | undefined;
  /** `1.1` */
  httpVersion: string;
  /** Proxy name, used as the `via` pseudonym. */
  proxyName: string;
}

/**
 * The request headers for the upstream, from Node's `rawHeaders` (name/value
 * pairs, order and repeats kept): hop-by-hop and `host` removed (the upstream
 * gets its own host; the original goes to `x-forwarded-host`), then
 * `x-forwarded-for` appended to, `x-forwarded-host`/`-proto` set when absent and
 * `via` appended to. Returns flat name/value pairs.
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[], client: ClientSide): string[] {
  const names = lowerNames(rawHeaders);
  const dropped = connectionTokens(valuesOf(rawHeaders, names, 'connection'));
  const out: string[] = [];
  let host: string | undefined;
  const forwardedFor: string[] = [];
  const via: string[] = [];
  const present = new Set<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = names[i / 2] as string;
    const value = rawHeaders[i + 1] as string;
    if (HOP_BY_HOP.has(name) || dropped.has(name)) continue;
    if (name === 'host') host ??= value;
    else if (name === 'x-forwarded-for') forwardedFor.push(value);
    else if (name === 'via') via.push(value);
    else {
      present.add(name);
      out.push(rawHeaders[i] as string, value);
    }
  }
  const ip = client.remoteAddress?.replace(/^::ffff:(?=\d+\.)/, '');
  if (ip !== undefined) forwardedFor.push(ip);
  if (forwardedFor.length > 0) out.push('x-forwarded-for', forwardedFor.join(', '));
  if (host !== undefined && !present.has('x-forwarded-host')) out.push('x-forwarded-host', host);
  if (!present.has('x-forwarded-proto')) out.push('x-forwarded-proto', 'http');
  out.push('via', [...via, viaEntry(client)].join(', '));
  return out;
}

/**
 * The response headers for the client, from the upstream's (lower-case names,
 * repeats as lists): hop-by-hop removed, `via` appended to, and the fault
 * header set when a rule fired (otherwise an upstream's own, from a chained
 * proxy, passes through).
 */
export function clientResponseHeaders(
  upstream: Readonly<Record<string, string | string[] | undefined>>,
  client: ClientSide,
  faultRuleId: string | undefined,
): Record<string, string | string[]> {
  const connection = upstream.connection;
  const dropped = connectionTokens(connection === undefined ? [] : ([] as string[]).concat(connection));
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined || HOP_BY_HOP.has(name) || dropped.has(name)) continue;
    out[name] = value;
  }
  const via = ([] as string[]).concat(upstream.via ?? []);
  out.via = [...via, viaEntry(client)].join(', ');
  if (faultRuleId !== undefined) out[FAULT_HEADER] = faultRuleId;
  return out;
}

/** `1.1 ballast-<name>`: the received protocol and this proxy's pseudonym (RFC 9110 §7.6.3). */
export function viaEntry(client: ClientSide): string {
  return `${client.httpVersion} ballast-${client.proxyName}`;
}

function lowerNames(rawHeaders: readonly string[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) names.push((rawHeaders[i] as string).toLowerCase());
  return names;
}

function valuesOf(rawHeaders: readonly string[], names: readonly string[], name: string): string[] {
  const out: string[] = [];
  names.forEach((n, i) => {
    if (n === name) out.push(rawHeaders[i * 2 + 1] as string);
  });
  return out;
}
