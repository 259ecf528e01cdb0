/**
 * The demo workload behind `ballast serve --demo`: a tiny HTTP service on a
 * loopback port, probed every few seconds, its outcomes pushed as SLI events
 * into every events-sourced SLO through the same ingestion path as the API.
 * Mostly good, with periodic error bursts so burn rates move; on a fresh
 * database it backfills a few days of history so charts have shape.
 */
import type { ServerContext } from '../server/index.ts';
import { ingestEvents } from '../server/index.ts';
import { eventsToBuckets } from '../slo/index.ts';
import { DAY_MS, type SloDefinition } from '../slo/model.ts';
import { backfillMinutes } from './backfill.ts';
import { applyDemoChecks, backfillCheckResults, DEMO_HEARTBEAT } from './checks.ts';
import { type DemoService, startDemoService } from './service.ts';

export interface DemoOptions {
  /** Probe period (default 3 s). */
  everyMs?: number;
  /** Requests per probe round (default 20). */
  requestsPerRound?: number;
  /** Days of history to backfill on a fresh database (default 3). */
  backfillDays?: number;
  /** Days of check results to backfill on a fresh database (default 90, for the status page). */
  checkHistoryDays?: number;
  /** How often the demo's heartbeat job pings (default 40 s; its period is 1 min). */
  heartbeatEveryMs?: number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, err?: unknown) => void;
}

export interface RunningDemo {
  service: DemoService;
  stop(): Promise<void>;
}

const BURST_EVERY_MS = 10 * 60_000;
const BURST_LENGTH_MS = 60_000;
/** The first burst comes soon after start so a new user sees burn rates move. */
const FIRST_BURST_AFTER_MS = 90_000;

function demoSlos(ctx: ServerContext): SloDefinition[] {
  return ctx.runtime.definitions.filter((d) => d.indicator.source.kind === 'events');
}

async function backfill(ctx: ServerContext, days: number): Promise<number> {
  let filled = 0;
  const now = ctx.now();
  for (const [i, def] of demoSlos(ctx).entries()) {
    const existing = await ctx.store.readBuckets(def.name, now - days * DAY_MS, now + 1);
    if (existing.length > 0) continue;
    const minutes = backfillMinutes(now, days, 1 - def.objective, i + 1);
    // History goes in as one warm-up batch, not through ingestion: a timeslice SLO
    // refuses late events for slices it can no longer re-judge, but it can judge
    // whole slices it has never seen when they arrive together.
    await ctx.runtime.addBuckets(def.name, eventsToBuckets(def, minutes).buckets);
    filled++;
  }
  return filled;
}

async function probe(url: string): Promise<{ ok: boolean; ms: number; at: number }> {
  const started = performance.now();
  const at = Date.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return { ok: res.ok, ms: performance.now() - started, at };
  } catch {
    return { ok: false, ms: performance.now() - started, at };
  }
}

/** One probe round: N real requests, then one batch of events per SLO. */
async function round(ctx: ServerContext, service: DemoService, n: number): Promise<void> {
  const results = await Promise.all(Array.from({ length: n }, () => probe(service.url)));
  const offset = ctx.now() - Date.now();
  for (const def of demoSlos(ctx)) {
    const events = results.map((r) =>
      def.indicator.type === 'threshold'
        ? { timestamp: r.at + offset, value: r.ok ? r.ms : 10_000 }
        : { timestamp: r.at + offset, success: r.ok },
    );
    await ingestEvents(ctx, def.name, { events });
  }
}

/** Starts the demo; stop() ends the probes and closes the demo service. */
export async function startDemo(ctx: ServerContext, options: DemoOptions = {}): Promise<RunningDemo> {
  const log = options.log ?? (() => {});
  const service = await startDemoService();
  await applyDemoChecks(ctx, service);
  const history = await backfillCheckResults(ctx, options.checkHistoryDays ?? 90);
  if (history > 0) log('info', `demo: backfilled ${history} check results of history`);
  const filled = await backfill(ctx, options.backfillDays ?? 3);
  if (filled > 0)
    log('info', `demo: backfilled ${options.backfillDays ?? 3} days of history for ${filled} SLO(s)`);
  log('info', `demo: probing ${service.url} for ${demoSlos(ctx).length} events-sourced SLO(s)`);
  const startedAt = Date.now();
  let busy = false;
  let current: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const sinceStart = Date.now() - startedAt - FIRST_BURST_AFTER_MS;
    const inBurst = sinceStart >= 0 && sinceStart % BURST_EVERY_MS < BURST_LENGTH_MS;
    service.errorRate = inBurst ? 0.25 : 0.002;
    current = round(ctx, service, options.requestsPerRound ?? 20)
      .catch((err) => log('warn', 'demo round failed', err))
      .finally(() => {
        busy = false;
      });
  }, options.everyMs ?? 3_000);
  // The demo's "nightly export" job: it pings its heartbeat check, as a cron job would with curl.
  const ping = () => {
    ctx.checks.ping(DEMO_HEARTBEAT, ctx.now()).catch((err) => log('warn', 'demo heartbeat ping failed', err));
  };
  ping();
  const heartbeat = setInterval(ping, options.heartbeatEveryMs ?? 40_000);
  return {
    service,
    async stop() {
      clearInterval(timer);
      clearInterval(heartbeat);
      await current;
      await service.close();
    },
  };
}
