/**
 * The HTTP fault proxy: a reverse proxy on a local port that forwards to one
 * upstream and applies fault rules (delay, abort, reset, response delay) to the
 * requests they match. See README.md in this folder for the semantics.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ListenAddress, listenUrl, parseListen, parseUpstream } from './address.ts';
import type { Random } from './decide.ts';
import { HttpFaultError, invalidInput } from './errors.ts';
import { exchange, type ProxyContext } from './exchange.ts';
import { RuleTable } from './rules.ts';
import type {
  HttpFaultProxyConfig,
  HttpFaultProxyInfo,
  HttpFaultProxyStats,
  HttpFaultRule,
  HttpFaultRuleInput,
} from './schema.ts';
import { createUpstreamPool } from './upstream.ts';
import { validateHttpFaultProxyConfig } from './validate.ts';

/** The upstream timeout when the config names none. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** A proxy config plus what JSON cannot carry. */
export interface HttpFaultProxyOptions extends HttpFaultProxyConfig {
  /** The random source of percentage rolls and jitter (default Math.random); tests fix it. */
  random?: Random;
}

/** A running proxy. Rule inputs are validated at run time, so JSON may be passed as `HttpFaultRuleInput`. */
export interface HttpFaultProxy {
  readonly name: string;
  /** The address actually bound (port 0 resolved). */
  readonly address: ListenAddress;
  /** `http://host:port` to send requests to. */
  readonly url: string;
  /** The upstream origin. */
  readonly upstream: string;
  /** Appends a rule (evaluated after the existing ones); throws HttpFaultError `invalid_rule` or `conflict`. */
  addRule(rule: HttpFaultRuleInput): HttpFaultRule;
  /** Replaces rule `id` in place; throws `not_found` or `invalid_rule`. */
  updateRule(id: string, rule: HttpFaultRuleInput): HttpFaultRule;
  /** Removes a rule at any time, ending its faults at once; false when it was not there. Never throws. */
  removeRule(id: string): boolean;
  /** The rules in evaluation order. */
  rules(): HttpFaultRule[];
  /** Removes every rule; returns how many there were. */
  clear(): number;
  stats(): HttpFaultProxyStats;
  /** Name, addresses and rules, as an API shows them. */
  info(): HttpFaultProxyInfo;
  /** Stops listening, cuts requests in flight and closes upstream connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a proxy. Throws HttpFaultError `invalid_config` (with every bad field)
 * or `listen_failed`.
 *
 * @example
 * const proxy = await createHttpFaultProxy({ name: 'orders', listen: '127.0.0.1:0', upstream: 'http://127.0.0.1:8080' });
 * const rule = proxy.addRule({ match: { path: '/api/*', method: 'POST' }, percentage: 10, abort: { status: 503 } });
 * // ... point the client at proxy.url; later:
 * proxy.removeRule(rule.id);
 * await proxy.close();
 */
export async function createHttpFaultProxy(options: HttpFaultProxyOptions): Promise<HttpFaultProxy> {
  const { random = Math.random, ...config } = options;
  const valid = validateHttpFaultProxyConfig(config);
  if (!valid.ok) throw invalidInput('invalid_config', valid.issues);
  const {
    name,
    rules: initial = [],
    insecureSkipVerify = false,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  } = valid.value;
  const listen = parseListen(valid.value.listen);
  const upstream = parseUpstream(valid.value.upstream);
  if (!listen.ok || !upstream.ok) throw new Error('unreachable: validated above');

  const rules = new RuleTable();
  initial.forEach((rule, i) => {
    try {
      rules.add(rule);
    } catch (err) {
      // Valid on their own, initial rules can still clash on an id.
      if (err instanceof HttpFaultError) {
        throw invalidInput(
          'invalid_config',
          err.issues.map((x) => ({ ...x, path: `rules[${i}].${x.path}` })),
        );
      }
      throw err;
    }
  });
  const ctx: ProxyContext = {
    name,
    upstream: upstream.value.origin,
    timeoutMs,
    pool: createUpstreamPool({ origin: upstream.value.origin, insecureSkipVerify, timeoutMs }),
    rules,
    random,
    counts: { requests: 0, injected: 0, upstreamErrors: 0, upstreamTimeouts: 0, clientAborts: 0 },
    inFlight: new Set(),
    closing: false,
  };
  const server = createServer((req, res) => {
    // exchange() turns every expected failure into a response; anything else costs one request, not the process.
    exchange(ctx, req, res).catch(() => res.destroy());
  });
  // Upgrades (WebSocket) and CONNECT tunnels are not HTTP exchanges a rule could fault: refuse them plainly.
  const refuse = (_req: IncomingMessage, socket: Duplex) =>
    socket.end('HTTP/1.1 501 Not Implemented\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  server.on('upgrade', refuse);
  server.on('connect', refuse);

  let address: ListenAddress;
  try {
    address = await bind(server, listen.value);
  } catch (err) {
    await ctx.pool.destroy();
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new HttpFaultError(
      'listen_failed',
      `proxy "${name}" cannot listen on ${valid.value.listen}: ${code}`,
    );
  }
  const url = listenUrl(address);
  let closed: Promise<void> | undefined;

  return {
    name,
    address,
    url,
    upstream: ctx.upstream,
    addRule: (rule) => rules.add(rule),
    updateRule: (id, rule) => rules.update(id, rule),
    removeRule: (id) => rules.remove(id),
    rules: () => rules.list(),
    clear: () => rules.clear(),
    stats: () => ({ ...ctx.counts, inFlight: ctx.inFlight.size, rules: rules.counters() }),
    info: () => ({ name, listen: valid.value.listen, url, upstream: ctx.upstream, rules: rules.list() }),
    close() {
      closed ??= (async () => {
        ctx.closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const c of ctx.inFlight) c.abort();
        server.closeAllConnections();
        await stopped;
        await ctx.pool.destroy();
      })();
      return closed;
    },
  };
}

function bind(server: Server, at: ListenAddress): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(a !== null && typeof a === 'object' ? { host: at.host, port: a.port } : at);
    });
  });
}
