/**
 * The fault daemon (`ballast chaos proxy`): one Fastify app serving the
 * Toxiproxy-compatible API and Ballast's lease extensions over one proxy
 * collection and one fault registry, with a sweeper that reverts the faults
 * of lapsed leases. Other fault kinds join through `managers` and `plugins`.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { ProxyCollection, ProxyErrors } from '../proxy/index.ts';
import { ballastRoutes } from './ballast-routes.ts';
import { type FaultManager, FaultRegistry } from './registry.ts';
import { TOXIC_KIND, toxicFaultId, toxicFaultManager } from './toxic-faults.ts';
import { toxiproxyRoutes } from './toxiproxy-routes.ts';

/** What a plugin mounted on the daemon gets: the registry to bind its faults to leases. */
export interface FaultDaemonContext {
  registry: FaultRegistry;
  proxies: ProxyCollection;
  log: (line: string) => void;
}

/**
 * A route plugin mounted on the daemon app, e.g. the HTTP fault routes:
 *
 * @example
 * const httpFaults: FaultDaemonPlugin = async (app, { registry }) => {
 *   registry.register({ kind: 'http', revert: async (id) => rules.remove(id), list: () => rules.ids() });
 *   app.post('/ballast/v1/http/rules', async (req) => { ...; registry.bind(leaseId, { kind: 'http', id }); });
 * };
 * await createFaultDaemon({ port: 0, plugins: [httpFaults] });
 */
export type FaultDaemonPlugin = FastifyPluginAsync<FaultDaemonContext>;

export interface FaultDaemonOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8474 (Toxiproxy's); 0 picks a free port. */
  port?: number;
  /** A Toxiproxy populate list (its config file), applied all or nothing before the API listens. */
  populate?: unknown;
  /** More fault kinds for the registry (registered before the plugins run). */
  managers?: FaultManager[];
  plugins?: FaultDaemonPlugin[];
  /** How often lapsed leases are swept; default 250 ms. */
  sweepIntervalMs?: number;
  /** Epoch milliseconds for leases; default a monotonic clock. */
  now?: () => number;
  random?: () => number;
  /** One line per event worth an operator's eye; default stderr. */
  log?: (line: string) => void;
}

export interface FaultDaemon {
  /** Base URL of the API, e.g. `http://127.0.0.1:8474`. */
  url: string;
  host: string;
  port: number;
  app: FastifyInstance;
  registry: FaultRegistry;
  proxies: ProxyCollection;
  /**
   * Reverts every fault (leased or not, of every kind), stops the proxies and
   * the API. A daemon going away must not leave a host fault behind.
   */
  close(): Promise<void>;
}

/** Errors carrying a status (ours, Fastify's, a plugin's) answer with it, in Toxiproxy's error shape. */
function statusOf(err: unknown): number {
  const e = err as { status?: unknown; statusCode?: unknown };
  const s = typeof e.status === 'number' ? e.status : e.statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
}

function buildApp(ctx: FaultDaemonContext): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  // Toxiproxy reads every body as JSON whatever its Content-Type (curl -d sends a form type).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(ProxyErrors.badBody((err as Error).message), undefined);
    }
  });
  // As Toxiproxy: a web page must not drive the fault API through the operator's browser.
  app.addHook('onRequest', async (req, reply) => {
    if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/'))
      return reply.code(403).type('text/plain').send('User agent not allowed\n');
  });
  app.setErrorHandler((err, req, reply) => {
    const status = statusOf(err);
    const message = err instanceof Error ? err.message : String(err);
    if (status >= 500 && !/^listen tcp /.test(message))
      ctx.log(`daemon: ${req.method} ${req.url} failed: ${err instanceof Error ? err.stack : message}`);
    return reply.code(status).send({ error: message, status });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}`, status: 404 }),
  );
  return app;
}

/**
 * Starts the daemon. Rejects (with nothing left running) when the populate
 * list is bad or the API address cannot be bound.
 *
 * @example
 * const daemon = await createFaultDaemon({ port: 0 });
 * const client = new FaultDaemonClient(daemon.url);
 * // ...
 * await daemon.close();
 */
export async function createFaultDaemon(opts: FaultDaemonOptions = {}): Promise<FaultDaemon> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const registry = new FaultRegistry({ now: opts.now, log });
  const proxies = new ProxyCollection({
    log,
    random: opts.random,
    // A toxic deleted directly, reset, or gone with its proxy leaves its lease too.
    onToxicRemoved: (proxy, toxic) =>
      registry.unbind({ kind: TOXIC_KIND, id: toxicFaultId(proxy, toxic.name) }),
  });
  registry.register(toxicFaultManager(proxies));
  for (const m of opts.managers ?? []) registry.register(m);
  const ctx: FaultDaemonContext = { registry, proxies, log };
  const app = buildApp(ctx);
  await app.register(toxiproxyRoutes, { proxies, registry });
  await app.register(ballastRoutes, { proxies, registry });
  for (const plugin of opts.plugins ?? []) await app.register(plugin, ctx);

  const host = opts.host ?? '127.0.0.1';
  let sweeper: NodeJS.Timeout | undefined;
  try {
    if (opts.populate !== undefined) await proxies.populate(opts.populate);
    await app.listen({ host, port: opts.port ?? 8474 });
  } catch (err) {
    proxies.close();
    await app.close();
    throw err;
  }
  sweeper = setInterval(() => void registry.sweep(), opts.sweepIntervalMs ?? 250);
  sweeper.unref();

  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? 8474);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    app,
    registry,
    proxies,
    close() {
      closing ??= (async () => {
        clearInterval(sweeper);
        sweeper = undefined;
        await registry.halt({ all: true });
        proxies.close();
        await app.close();
      })();
      return closing;
    },
  };
}
