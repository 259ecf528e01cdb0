/**
 * Child process of the checks benchmark: schedules N HTTP checks (every 1 s,
 * jitter) against a target with the real scheduler and the real HTTP runner
 * (undici, a fresh connection per execution), for a few seconds, and prints
 * what it measured as one JSON line. The parent pins it to one core.
 *
 *   node bench/checks/scheduler-child.ts run URL CHECKS SECONDS
 *   node bench/checks/scheduler-child.ts memory CHECKS
 */
import { executeCheck } from '../../src/checks/execute.ts';
import { CheckScheduler } from '../../src/checks/schedule/index.ts';
import type { CheckDefinition, CheckStatus } from '../../src/checks/types.ts';

const [mode, ...args] = process.argv.slice(2);

function checks(url: string, n: number, everyMs: number): CheckDefinition[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `bench-${i}`,
    service: 'bench',
    tags: [],
    locations: ['local'],
    schedule: { kind: 'interval', everyMs, jitterMs: Math.round(everyMs * 0.1) },
    timeoutMs: 5_000,
    retries: { count: 0, backoff: 'fixed', delayMs: 1_000, onlyNetworkErrors: false },
    failAfter: 1,
    recoverAfter: 1,
    conditions: ['[STATUS] == 200'],
    degradedConditions: [],
    enabled: true,
    spec: {
      type: 'http',
      request: { method: 'GET', url, headers: {} },
      followRedirects: false,
      maxRedirects: 0,
      tls: { verify: true },
      maxBodyBytes: 65_536,
    },
  }));
}

async function run(url: string, n: number, seconds: number): Promise<void> {
  const statuses: Record<CheckStatus, number> = { pass: 0, degraded: 0, fail: 0 };
  const errors = new Map<string, number>();
  let measuring = false;
  const scheduler = new CheckScheduler({
    execute: (check, signal) => executeCheck(check, { signal, artifactsDir: '/tmp' }),
    onResult: (r) => {
      if (!measuring) return;
      statuses[r.status]++;
      if (r.error) errors.set(r.error.kind, (errors.get(r.error.kind) ?? 0) + 1);
    },
    concurrency: 512,
    onError: () => {},
  });
  scheduler.setChecks(checks(url, n, 1_000));
  scheduler.start();
  // One interval of warm-up (JIT, first runs spread over the interval), then measure.
  await new Promise((r) => setTimeout(r, 2_000));
  const before = scheduler.stats();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  measuring = true;
  await new Promise((r) => setTimeout(r, seconds * 1_000));
  measuring = false;
  const after = scheduler.stats();
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) / 1000;
  await scheduler.stop();
  process.stdout.write(
    `${JSON.stringify({
      checks: n,
      executed: after.executed - before.executed,
      perSecond: (after.executed - before.executed) / wall,
      skipped: after.skipped - before.skipped,
      driftP99Ms: after.driftP99Ms,
      statuses,
      errors: Object.fromEntries(errors),
      cpuS: (cpu.user + cpu.system) / 1e6,
      wallS: wall,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
    })}\n`,
  );
}

async function memory(n: number): Promise<void> {
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 50));
    }
    const m = process.memoryUsage();
    return { rss: m.rss, heap: m.heapUsed };
  };
  const scheduler = new CheckScheduler({
    execute: async () => {
      throw new Error('not run: the interval is an hour');
    },
    onResult: () => {},
    concurrency: 1,
    onError: () => {},
  });
  const base = await settle();
  const defs = checks('http://127.0.0.1:9/', n, 3_600_000);
  scheduler.setChecks(defs);
  scheduler.start();
  const loaded = await settle();
  await scheduler.stop();
  process.stdout.write(
    `${JSON.stringify({ checks: n, rssMiB: (loaded.rss - base.rss) / 2 ** 20, heapMiB: (loaded.heap - base.heap) / 2 ** 20 })}\n`,
  );
  defs.length = 0;
}

if (mode === 'run') await run(args[0] as string, Number(args[1]), Number(args[2]));
else if (mode === 'memory') await memory(Number(args[0]));
else throw new Error('usage: scheduler-child.ts run URL CHECKS SECONDS | memory CHECKS');
