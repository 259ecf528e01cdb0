/**
 * The Ballast server: REST API under `/api/v1`, OpenAPI document, `/metrics`,
 * server-sent events, the web UI, and the live SLO runtime behind them.
 */
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { SloEngine } from '../slo/index.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { AlertmanagerNotifier } from './alertmanager.ts';
import { installAuth } from './auth.ts';
import { EventBus } from './bus.ts';
import type { ServerContext } from './context.ts';
import { installErrorHandler } from './errors.ts';
import { createMetricsRegistry } from './metrics.ts';
import { prometheusEvaluator } from './prometheus-slos.ts';
import { adminRoutes } from './routes/admin.ts';
import { loadRoutes } from './routes/load.ts';
import { serviceRoutes } from './routes/services.ts';
import { sloRoutes } from './routes/slos.ts';
import { sseRoutes } from './routes/sse.ts';
import { SloRuntime } from './runtime.ts';
import { applySpecDirectory, watchSpecDirectory } from './specs-dir.ts';
import { installWebUi } from './web-ui.ts';

export { EventBus } from './bus.ts';
export { ApiRequestError, BallastClient, defaultServerUrl } from './client.ts';
export type { ServerContext } from './context.ts';
export { ingestEvents } from './ingest.ts';
export { SloRuntime } from './runtime.ts';
export { readSpecDirectory } from './specs-dir.ts';

export const VERSION = '0.1.0';
/** Request bodies above this get 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface ServerOptions {
  /** 0 picks a free port. Default 7420. */
  port?: number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  inMemory?: boolean;
  specsDir?: string;
  publicRead?: boolean;
  adminToken?: string;
  demo?: boolean;
  evaluateEveryMs?: number;
  now?: () => number;
  alertmanagerUrl?: string;
  /** How often firing alerts are re-sent to Alertmanager (default 60 s). */
  alertmanagerResendMs?: number;
  /** Minimum gap between evaluations triggered by ingestion (default 500 ms). */
  evaluateThrottleMs?: number;
  log?: boolean;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
  /** The admin token, only when this start created it (print it once). */
  adminToken?: string;
  store: Store;
  engine: SloEngine;
  bus: EventBus;
  runtime: SloRuntime;
  context: ServerContext;
}

type Log = (level: 'info' | 'warn' | 'error', msg: string, err?: unknown) => void;

function makeLog(enabled: boolean): Log {
  return (level, msg, err) => {
    if (!enabled && level !== 'error') return;
    const detail = err ? `: ${err instanceof Error ? err.message : String(err)}` : '';
    process.stderr.write(`[ballast] ${level}: ${msg}${detail}\n`);
  };
}

/** Stores the configured admin token, or creates one on a fresh database. */
async function ensureAdminToken(store: Store, given: string | undefined): Promise<string | undefined> {
  if (given) {
    await store.ensureToken('admin', 'admin', given);
    return undefined;
  }
  if ((await store.countTokens()) > 0) return undefined;
  return (await store.createToken('admin', 'admin')).secret;
}

async function buildApp(ctx: ServerContext, publicRead: boolean): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true });
  // Bodies are validated with zod inside the handlers (for field-named errors); the JSON
  // schemas on the routes exist for the OpenAPI document.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandler(app);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Ballast API',
        version: ctx.version,
        description: 'SLOs, budgets, burn rates and alerts.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  installAuth(app, ctx.store, publicRead);
  const registry = createMetricsRegistry(ctx.runtime);
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  await app.register(
    async (api) => {
      serviceRoutes(api, ctx);
      sloRoutes(api, ctx);
      adminRoutes(api, ctx);
      sseRoutes(api, ctx);
      loadRoutes(api, ctx);
      api.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
        app.swagger(),
      );
    },
    { prefix: '/api/v1' },
  );
  await installWebUi(app);
  return app;
}

/**
 * Starts Ballast: opens the store, seeds the admin token, loads and watches
 * the spec directory, warms the SLO engine from stored buckets, evaluates on a
 * timer and listens.
 *
 * @example
 * const server = await startServer({ port: 0, inMemory: true, adminToken: 'secret' });
 * await fetch(`${server.url}/api/v1/health`);
 * await server.close();
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const log = makeLog(options.log ?? false);
  const now = options.now ?? Date.now;
  const store = await openStore({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    inMemory: options.inMemory,
  });
  const stops: (() => Promise<void> | void)[] = [() => store.close()];
  let closing: Promise<void> | undefined;
  const stopAll = () => {
    closing ??= (async () => {
      for (const stop of [...stops].reverse()) await stop();
    })();
    return closing;
  };
  try {
    const adminToken = await ensureAdminToken(store, options.adminToken ?? process.env.BALLAST_ADMIN_TOKEN);
    const engine = new SloEngine();
    const bus = new EventBus();
    const notifier = new AlertmanagerNotifier({
      defaultUrl: options.alertmanagerUrl,
      resendEveryMs: options.alertmanagerResendMs,
      onError: (err, url) => log('warn', `could not post alerts to ${url}`, err),
    });
    const runtime = new SloRuntime({
      store,
      engine,
      bus,
      now,
      notifier,
      throttleMs: options.evaluateThrottleMs,
      log,
    });
    runtime.opts.external = prometheusEvaluator(store);
    stops.push(() => runtime.close());
    await runtime.start();
    if (options.specsDir) {
      await applySpecDirectory(options.specsDir, store, runtime, log);
      stops.push(watchSpecDirectory(options.specsDir, store, runtime, log));
    }
    const ctx: ServerContext = { store, runtime, bus, now, version: VERSION };
    const app = await buildApp(ctx, options.publicRead ?? false);
    stops.push(() => app.close());
    const address = await app.listen({ port: options.port ?? 7420, host: options.host ?? '127.0.0.1' });
    const url = address;
    if (options.demo) {
      const { startDemo } = await import('../demo/index.ts');
      const demo = await startDemo(ctx, { log });
      stops.push(() => demo.stop());
    }
    await runtime.evaluate();
    const timer = setInterval(
      () => runtime.evaluate().catch((err) => log('error', 'evaluation failed', err)),
      options.evaluateEveryMs ?? 10_000,
    );
    stops.push(() => clearInterval(timer));
    const server: RunningServer = { url, close: stopAll, store, engine, bus, runtime, context: ctx };
    if (adminToken) server.adminToken = adminToken;
    return server;
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}
