/**
 * The Ballast server: REST API under `/api/v1`, OpenAPI document, `/metrics`,
 * server-sent events, the web UI, and the live SLO runtime behind them.
 */

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { CheckMonitor } from '../checks/index.ts';
import { type GroupingRules, RateLimiter, type RoutingRule } from '../incidents/index.ts';
import { Notifier, type NotifierConfig } from '../oncall/index.ts';
import { SloEngine } from '../slo/index.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { resolveAckSecret } from './ack-secret.ts';
import { AlertmanagerNotifier } from './alertmanager.ts';
import { installAuth } from './auth.ts';
import { EventBus } from './bus.ts';
import { reapSilentChaosRuns } from './chaos-runs.ts';
import { addCheckMetrics } from './check-metrics.ts';
import { checkSliFeeder } from './check-sli.ts';
import type { ServerContext } from './context.ts';
import { installErrorHandler } from './errors.ts';
import { startIncidents } from './incident-runtime.ts';
import { reapSilentLoadRuns } from './load-reaper.ts';
import { createMetricsRegistry } from './metrics.ts';
import { readDirectory } from './oncall-directory.ts';
import { PagingEngine } from './paging.ts';
import { prometheusEvaluator } from './prometheus-slos.ts';
import { ackRoutes } from './routes/ack.ts';
import { adminRoutes } from './routes/admin.ts';
import { chaosRoutes } from './routes/chaos.ts';
import { checkRoutes, statusPageRoute } from './routes/checks.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { loadRoutes } from './routes/load.ts';
import { oncallRoutes } from './routes/oncall.ts';
import { serviceRoutes } from './routes/services.ts';
import { sloRoutes } from './routes/slos.ts';
import { sseRoutes } from './routes/sse.ts';
import { SloRuntime } from './runtime.ts';
import { createSliPruner, DEFAULT_SLI_RETENTION_MS, type SliPruner } from './sli-retention.ts';
import { applySpecDirectory, watchSpecDirectory } from './specs-dir.ts';
import { installWebUi } from './web-ui.ts';

export { type ApplyOutcome, applySpecSources, type SpecSource } from './apply-specs.ts';
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
  /** Where browser checks keep screenshots and traces (default DATA_DIR/artifacts). */
  artifactsDir?: string;
  /** Check executions in flight at most (default 32). */
  checkConcurrency?: number;
  /** false: checks are loaded but not scheduled (tests that record results themselves). */
  runChecks?: boolean;
  /** How often heartbeat checks are judged (default 5 s). */
  heartbeatTickMs?: number;
  /** Raw check results older than this are pruned (default 90 days; daily uptime counts are kept). */
  resultRetentionMs?: number;
  /** How often pruning runs (default 10 min), each run deleting at most 10 batches of 5,000. */
  pruneEveryMs?: number;
  /** SLI buckets and samples older than this are pruned (default 400 days; an SLO keeps at least its windows). */
  sliRetentionMs?: number;
  /** false: no SLI pruning timer (tests call server.sliPruner.runOnce()). */
  sliPruning?: boolean;
  /** How alerts group into incidents (default: same service within 30 minutes; no label grouping). */
  grouping?: GroupingRules;
  /** Routing rules from labels/service to escalation policy, urgency and severity (first match wins). */
  routing?: RoutingRule[];
  /** SMTP server for e-mail pages. */
  smtp?: {
    host: string;
    port: number;
    secure?: boolean;
    from: string;
    auth?: { user: string; pass: string };
  };
  /** Secret that signs acknowledge links (default BALLAST_ACK_SECRET, else one kept in the data directory). */
  ackSecret?: string;
  /** Base URL for links in pages (default the listen address). */
  externalUrl?: string;
  /** false: no paging timer (tests call server.paging.tick()). */
  paging?: boolean;
  /** How often paging runs (default 5 s). */
  pagingTickMs?: number;
  /** Page delivery: retries, backoff, per-try timeout, attempts on the wire at once (defaults 3, 1 s, 10 s, 16). */
  notify?: Pick<NotifierConfig, 'retries' | 'retryDelayMs' | 'timeoutMs' | 'concurrency'>;
  /** How often alert events stored but not applied are retried (default 30 s). */
  recoverEveryMs?: number;
  /** Events v2 intake rate per integration key (default 120 a minute, burst 60). */
  intakePerMinute?: number;
  intakeBurst?: number;
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
  /** Paging along escalation policies (tests tick it on their own clock). */
  paging: PagingEngine;
  /** Deletes SLI data past retention (hourly; tests run it on their own clock). */
  sliPruner: SliPruner;
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
  addCheckMetrics(registry, ctx.checks);
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
      chaosRoutes(api, ctx);
      checkRoutes(api, ctx);
      incidentRoutes(api, ctx);
      ackRoutes(api, ctx);
      oncallRoutes(api, ctx);
      api.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
        app.swagger(),
      );
    },
    { prefix: '/api/v1' },
  );
  statusPageRoute(app, ctx);
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
    // Before anything can publish an alert: what a crash left pending is applied first.
    const incidentSide = await startIncidents({
      store,
      bus,
      now,
      log,
      ...(options.grouping ? { grouping: options.grouping } : {}),
      ...(options.routing ? { routing: options.routing } : {}),
      ...(options.recoverEveryMs !== undefined ? { recoverEveryMs: options.recoverEveryMs } : {}),
    });
    const { incidents } = incidentSide;
    stops.push(() => incidentSide.stop());
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
    const sliPruner = createSliPruner(
      { keepMs: options.sliRetentionMs ?? DEFAULT_SLI_RETENTION_MS },
      {
        definitions: () => runtime.definitions,
        prune: (slo, before, limit) => store.pruneSliData(slo, before, limit),
        now,
        log,
      },
    );
    if (options.sliPruning !== false) {
      sliPruner.start();
      stops.push(() => sliPruner.stop());
    }
    const checks = new CheckMonitor({
      store,
      now,
      artifactsDir: options.artifactsDir ?? join(options.dataDir ?? join(tmpdir(), 'ballast'), 'artifacts'),
      concurrency: options.checkConcurrency,
      heartbeatTickMs: options.heartbeatTickMs,
      retention: {
        ...(options.resultRetentionMs !== undefined ? { keepMs: options.resultRetentionMs } : {}),
        ...(options.pruneEveryMs !== undefined ? { everyMs: options.pruneEveryMs } : {}),
      },
      feedSli: checkSliFeeder(runtime, store),
      publishAlert: (t) => runtime.publishAlert(t),
      onResult: (result, health) => bus.emit('check-result', { result, health }),
      log,
    });
    const targets = { store, runtime, checks };
    if (options.specsDir) {
      await applySpecDirectory(options.specsDir, targets, log);
      stops.push(watchSpecDirectory(options.specsDir, targets, log));
    }
    if (options.runChecks !== false) {
      await checks.start();
      stops.push(() => checks.stop());
    } else {
      await checks.reload();
    }
    await incidentSide.retake();
    // PagerDuty allows about 120 events a minute per routing key; so does Ballast, with a burst of 60.
    const intakeLimiter = new RateLimiter({
      perMinute: options.intakePerMinute ?? 120,
      burst: options.intakeBurst ?? 60,
    });
    const ackSecret = await resolveAckSecret(
      options.ackSecret ?? process.env.BALLAST_ACK_SECRET,
      options.dataDir,
      options.inMemory,
    );
    const ctx: ServerContext = {
      store,
      runtime,
      bus,
      now,
      version: VERSION,
      checks,
      incidents,
      intakeLimiter,
      ackSecret,
    };
    const app = await buildApp(ctx, options.publicRead ?? false);
    stops.push(() => app.close());
    const address = await app.listen({ port: options.port ?? 7420, host: options.host ?? '127.0.0.1' });
    const url = address;
    const pager = new Notifier({ ...options.notify, ...(options.smtp ? { smtp: options.smtp } : {}), now });
    const paging = new PagingEngine({
      store,
      incidents,
      notifier: pager,
      now,
      directory: () => readDirectory(store),
      baseUrl: () => options.externalUrl ?? url,
      ackSecret,
      log,
    });
    ctx.paging = paging;
    if (options.paging !== false) paging.start(options.pagingTickMs ?? 5_000);
    stops.push(async () => {
      await paging.stop();
      await pager.close();
    });
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
    const reaper = setInterval(
      () =>
        reapSilentLoadRuns(store, now())
          .then((ids) => {
            for (const id of ids) log('warn', `load run ${id}: no samples for 2 minutes, marked failed`);
          })
          .catch((err) => log('error', 'reaping silent load runs failed', err)),
      30_000,
    );
    reaper.unref();
    stops.push(() => clearInterval(reaper));
    const chaosReaper = setInterval(
      () =>
        reapSilentChaosRuns(ctx)
          .then((ids) => {
            for (const id of ids)
              log(
                'warn',
                `chaos run ${id}: its controller went silent, marked lost (its leases lapse at the daemons)`,
              );
          })
          .catch((err) => log('error', 'reaping silent chaos runs failed', err)),
      15_000,
    );
    chaosReaper.unref();
    stops.push(() => clearInterval(chaosReaper));
    const server: RunningServer = {
      url,
      close: stopAll,
      store,
      engine,
      bus,
      runtime,
      context: ctx,
      paging,
      sliPruner,
    };
    if (adminToken) server.adminToken = adminToken;
    return server;
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}
