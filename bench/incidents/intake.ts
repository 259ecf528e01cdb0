/**
 * Intake throughput of the Events v2 endpoint on PGlite and on PostgreSQL:
 * the highest fixed arrival rate (events/s) at which p99 latency stays under
 * 50 ms. For each store a real server runs in a child pinned to core 0
 * (`server-child.ts`), gets one Events v2 integration per service and the
 * intake rate limit raised out of the way, is seeded with one trigger per
 * dedup key, then takes a trigger/acknowledge/resolve mix over ~1,000 keys
 * from Ballast's own load engine (`runLoad`, `constant-arrival-rate`, the open
 * model, in this process pinned to core 1) at increasing rates: doubling until
 * a step fails, then bisecting between the best pass and the first failure, at
 * most `--max-steps` steps of at most 10 s. A step passes with p99 < 50 ms, no
 * failed or dropped request and at least 95 % of its rate achieved. Prints the
 * steps (pasteable into bench/README.md) and what the database holds at the
 * end (dedup sanity).
 *
 *   npx node bench/incidents/intake.ts [--seconds 10] [--start-rate 25] [--max-steps 12]
 *     [--keys 1000] [--drivers pglite,postgres] [--profile DIR]
 *   (PostgreSQL: BALLAST_BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { runLoad } from '../../src/load/engine/index.ts';
import type { LoadSummary } from '../../src/load/types.ts';
import { fmt, printTable } from '../load/lib/table.ts';
import { alertCatalogue, type CatalogueAlert, intakePlan, SERVICES } from './traffic.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    'start-rate': { type: 'string', default: '25' },
    'max-steps': { type: 'string', default: '12' },
    keys: { type: 'string', default: '1000' },
    drivers: { type: 'string', default: 'pglite,postgres' },
    /** Directory for a V8 CPU profile of each server child (`--cpu-prof`), written when it exits. */
    profile: { type: 'string' },
  },
});
const STEP_MS = Math.min(10, Number(values.seconds)) * 1000;
const START_RATE = Number(values['start-rate']);
const MAX_STEPS = Math.min(12, Number(values['max-steps']));
const KEYS = Number(values.keys);
const DRIVERS = values.drivers.split(',');
/** The goal's bound. */
const P99_BOUND_MS = 50;
/** Bisection stops when the failing rate is within this factor of the passing one. */
const RESOLUTION = 1.15;
const TOKEN = 'bench-admin-token';
const ADMIN_URL = process.env.BALLAST_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHILD = new URL('./server-child.ts', import.meta.url).pathname;
/**
 * The default limit (PagerDuty's: 120 events a minute per routing key, burst
 * 60) would answer 429 once a key's burst is spent, seconds into the first
 * step; these (a million a second, burst a million) are far above any rate a
 * step asks for, so every event reaches the incident service. A 429 would
 * still show as an error (only 202 counts as success).
 */
const INTAKE_PER_MINUTE = 60_000_000;
const INTAKE_BURST = 1_000_000;
/** Connection cap of the generator: also bounds the backlog a failed step leaves behind. */
const MAX_CONNECTIONS = 256;
const SERVER_CPU = 0;
const GENERATOR_CPU = 1;

interface Step {
  rate: number;
  summary: LoadSummary;
  /** Successful (202) events per second of the step. */
  achieved: number;
  serverCpuS: number;
  /** The server's longest event-loop delay and GC pause during the step. */
  loopDelayMaxMs: number;
  gcMaxMs: number;
  /** CPU of the PostgreSQL backends serving this database (undefined on PGlite). */
  backendCpuS: number | undefined;
  pass: boolean;
}

/** What `server-child.ts` answers to `stats`. */
interface ServerStats {
  cpuS: number;
  /** Longest event-loop delay and GC pause since the previous `stats`. */
  loopDelayMaxMs: number;
  gcMaxMs: number;
}

/** A server child pinned to one core, spoken to line by line. */
interface ServerChild {
  url: string;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

async function startChild(storeOptions: { dataDir?: string; databaseUrl?: string }): Promise<ServerChild> {
  const options = {
    ...storeOptions,
    adminToken: TOKEN,
    intakePerMinute: INTAKE_PER_MINUTE,
    intakeBurst: INTAKE_BURST,
  };
  const child: ChildProcess = spawn(
    'taskset',
    [
      '-c',
      String(SERVER_CPU),
      process.execPath,
      ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : []),
      CHILD,
      JSON.stringify(options),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const r = await Promise.race([
      lines.next(),
      exited.then((code) => ({ done: true as const, value: `exit ${code}` })),
    ]);
    if (r.done) throw new Error(`server child ended (${r.value ?? 'stdout closed'})`);
    return r.value;
  };
  const ready = JSON.parse(await nextLine()) as { url: string };
  return {
    url: ready.url,
    stats: async () => {
      child.stdin?.write('stats\n');
      return JSON.parse(await nextLine());
    },
    stop: async () => {
      child.stdin?.end('stop\n');
      const kill = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

async function api(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * CPU seconds of the PostgreSQL backends of one database so far, per backend
 * PID (from /proc; the server runs on this machine). Background processes
 * (WAL writer, checkpointer) are not counted.
 */
function backendCpu(sql: postgres.Sql, database: string): () => Promise<Map<number, number>> {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return async () => {
    const rows = await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${database}`;
    const out = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        // Fields after the command name in parentheses: state is field 3, utime 14, stime 15.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(pid, (Number(rest[11]) + Number(rest[12])) / ticks);
      } catch {
        // The backend ended between the query and the read.
      }
    }
    return out;
  };
}

function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, s] of after) sum += s - (before.get(pid) ?? 0);
  return sum;
}

/** Waits until the server is idle (under 10 % of a core over half a second): the last step's backlog is done. */
async function drained(server: ServerChild): Promise<void> {
  let last = await server.stats();
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await server.stats();
    if (now.cpuS - last.cpuS < 0.05) return;
    last = now;
  }
}

/**
 * The next rate to try: `start`, then doubling while every step passes, then
 * the middle of the best pass and the lowest failure (halving when even the
 * first fails), until they are within `RESOLUTION` or the steps run out.
 */
function nextRate(steps: readonly Step[]): number | undefined {
  if (steps.length >= MAX_STEPS) return undefined;
  if (steps.length === 0) return START_RATE;
  const passed = steps.filter((s) => s.pass).map((s) => s.rate);
  const failed = steps.filter((s) => !s.pass).map((s) => s.rate);
  const lo = passed.length > 0 ? Math.max(...passed) : undefined;
  const hi = failed.length > 0 ? Math.min(...failed) : undefined;
  if (hi === undefined) return (lo as number) * 2;
  if (lo === undefined) return hi / 2 >= 1 ? Math.floor(hi / 2) : undefined;
  if (hi <= lo || hi / lo <= RESOLUTION) return undefined;
  const mid = (lo + hi) / 2;
  const rounded = mid >= 100 ? Math.round(mid / 10) * 10 : Math.round(mid);
  return rounded > lo && rounded < hi ? rounded : undefined;
}

interface DriverResult {
  driver: string;
  seed: LoadSummary;
  steps: Step[];
  counts: DatabaseCounts;
  sent: number;
}

interface DatabaseCounts {
  incidents: Record<string, number>;
  alerts: Record<string, number>;
  distinctKeys: number;
  eventsLogged: number;
  timelineEntries: number;
}

async function countDatabase(query: (text: string) => Promise<Record<string, unknown>[]>) {
  const grouped = async (text: string) =>
    Object.fromEntries((await query(text)).map((r) => [String(r.k), Number(r.n)]));
  const one = async (text: string) => Number((await query(text))[0]?.n ?? 0);
  return {
    incidents: await grouped('select state as k, count(*) as n from incidents group by state order by state'),
    alerts: await grouped('select status as k, count(*) as n from alerts group by status order by status'),
    distinctKeys: await one('select count(distinct dedup_key) as n from alerts'),
    eventsLogged: await one('select count(*) as n from alert_events_in'),
    timelineEntries: await one('select count(*) as n from incident_timeline'),
  } satisfies DatabaseCounts;
}

async function runDriver(
  driver: string,
  storeOptions: { dataDir?: string; databaseUrl?: string },
  backends: (() => Promise<Map<number, number>>) | undefined,
  workDir: string,
): Promise<Omit<DriverResult, 'counts'>> {
  const server = await startChild(storeOptions);
  try {
    const routingKeys: Record<string, string> = {};
    for (const service of SERVICES) {
      const created = (await api(`${server.url}/api/v1/integrations`, {
        name: `bench-${service}`,
        kind: 'events-v2',
        service,
      })) as { key: string };
      routingKeys[service] = created.key;
    }
    const catalogue: CatalogueAlert[] = alertCatalogue(routingKeys, KEYS);
    const catalogueFile = join(workDir, `catalogue-${driver}.json`);
    await writeFile(catalogueFile, JSON.stringify(catalogue));

    // Seed: one trigger per key, in order, so every key has its alert and every service its incident.
    const seed = await runLoad(
      intakePlan({
        serverUrl: server.url,
        catalogueFile,
        executor: { executor: 'iterations', vus: 8, iterations: KEYS, maxDurationMs: 120_000 },
        sequenceStart: 0,
        order: 'sequential',
        actions: 'triggers',
        maxConnections: 8,
      }),
    );
    process.stderr.write(
      `${driver}: seeded ${seed.requests.ok}/${KEYS} keys in ${(seed.durationMs / 1000).toFixed(1)} s\n`,
    );
    let sent = seed.requests.ok;
    await drained(server);

    const steps: Step[] = [];
    for (let rate = nextRate(steps); rate !== undefined; rate = nextRate(steps)) {
      const cpu0 = await server.stats();
      const pg0 = await backends?.();
      const summary = await runLoad(
        intakePlan({
          serverUrl: server.url,
          catalogueFile,
          executor: { executor: 'constant-arrival-rate', rate, timeUnitMs: 1000, durationMs: STEP_MS },
          // Past every counter an earlier step can have used (a step sends at most rate × seconds).
          sequenceStart: (steps.length + 1) * 10_000_000,
          order: 'random',
          actions: 'mix',
          maxConnections: MAX_CONNECTIONS,
        }),
      );
      const cpu1 = await server.stats();
      const pg1 = await backends?.();
      sent += summary.requests.ok;
      const seconds = summary.durationMs / 1000;
      const achieved = summary.requests.ok / seconds;
      const step: Step = {
        rate,
        summary,
        achieved,
        serverCpuS: cpu1.cpuS - cpu0.cpuS,
        loopDelayMaxMs: cpu1.loopDelayMaxMs,
        gcMaxMs: cpu1.gcMaxMs,
        backendCpuS: pg0 && pg1 ? cpuBetween(pg0, pg1) : undefined,
        pass:
          summary.latency_ms.p99 < P99_BOUND_MS &&
          summary.requests.failed === 0 &&
          summary.dropped === 0 &&
          achieved >= 0.95 * rate,
      };
      steps.push(step);
      process.stderr.write(
        `${driver}: ${rate}/s → ${achieved.toFixed(0)}/s, p50 ${summary.latency_ms.p50.toFixed(1)} ms, ` +
          `p99 ${summary.latency_ms.p99.toFixed(1)} ms, failed ${summary.requests.failed}, ` +
          `dropped ${summary.dropped}; per-second p99 ${summary.series.map((x) => x.latency_ms.p99.toFixed(0)).join(' ')}` +
          `; generator lag ${summary.series.map((x) => x.lag_ms.toFixed(0)).join(' ')}` +
          `; server loop delay max ${cpu1.loopDelayMaxMs.toFixed(0)} ms, GC max ${cpu1.gcMaxMs.toFixed(0)} ms` +
          (summary.valid ? '' : ` (generator: ${summary.invalid_reasons.join('; ')})`) +
          `: ${step.pass ? 'pass' : 'FAIL'}\n`,
      );
      await drained(server);
    }
    return { driver, seed, steps, sent };
  } finally {
    await server.stop();
  }
}

async function withPglite(workDir: string): Promise<DriverResult> {
  const dataDir = join(workDir, 'pglite');
  const r = await runDriver('PGlite', { dataDir }, undefined, workDir);
  // The child has closed the database (and released its lock): read what it holds.
  const db = await PGlite.create(dataDir);
  try {
    const counts = await countDatabase(async (text) => (await db.query<Record<string, unknown>>(text)).rows);
    return { ...r, counts };
  } finally {
    await db.close();
  }
}

async function withPostgres(workDir: string): Promise<DriverResult> {
  const name = `ballast_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  try {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const version =
      (await admin<{ v: string }[]>`select current_setting('server_version') as v`)[0]?.v ?? '?';
    const r = await runDriver(
      `PostgreSQL ${version.split(' ')[0]}`,
      { databaseUrl: url.toString() },
      backendCpu(admin, name),
      workDir,
    );
    const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      const counts = await countDatabase((text) => db.unsafe(text));
      return { ...r, counts };
    } finally {
      await db.end();
    }
  } finally {
    await admin`drop database if exists ${admin(name)} with (force)`;
    await admin.end();
  }
}

// The generator runs here, in every thread of this process pinned to its core, rather than in a
// fresh child per step: a cold generator's first second lagged by 10-20 ms, which landed in p99.
execFileSync('taskset', ['-a', '-cp', String(GENERATOR_CPU), String(process.pid)]);
const loadBefore = loadavg()[0] as number;
const results: DriverResult[] = [];
const workDir = await mkdtemp(join(tmpdir(), 'ballast-bench-intake-'));
try {
  if (DRIVERS.includes('pglite')) results.push(await withPglite(workDir));
  if (DRIVERS.includes('postgres')) {
    try {
      results.push(await withPostgres(workDir));
    } catch (err) {
      process.stderr.write(`PostgreSQL skipped: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}

const errorsOf = (s: LoadSummary): string => {
  const kinds = Object.entries(s.errors)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${k} ${n}`);
  return kinds.length > 0 ? `${s.requests.failed} (${kinds.join(', ')})` : String(s.requests.failed);
};

console.log(
  `\nEvents v2 intake, ${KEYS} dedup keys over ${SERVICES.length} services, ` +
    `${STEP_MS / 1000} s per step, server on core ${SERVER_CPU}, generator on core ${GENERATOR_CPU}, ` +
    `Node ${process.versions.node}, load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]?.toFixed(1)} after\n`,
);
printTable(
  [
    'store',
    'target/s',
    'events/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'dropped',
    'server CPU',
    'PG backends CPU',
    'server loop delay / GC max ms',
    `p99 < ${P99_BOUND_MS} ms`,
  ],
  results.flatMap((r) =>
    [...r.steps]
      .sort((a, b) => a.rate - b.rate)
      .map((s) => {
        const seconds = s.summary.durationMs / 1000;
        return [
          r.driver,
          fmt(s.rate),
          fmt(s.achieved),
          fmt(s.summary.latency_ms.p50, 1),
          fmt(s.summary.latency_ms.p99, 1),
          errorsOf(s.summary),
          fmt(s.summary.dropped),
          fmt(s.serverCpuS / seconds, 2),
          s.backendCpuS === undefined ? '' : fmt(s.backendCpuS / seconds, 2),
          `${fmt(s.loopDelayMaxMs)} / ${fmt(s.gcMaxMs)}`,
          s.pass ? 'yes' : 'no',
        ];
      }),
  ),
);
console.log('');
printTable(
  [
    'store',
    'best rate with p99 < 50 ms',
    'seed (1 trigger per key)',
    'events accepted',
    'logged',
    'replays',
    'alert records',
    'incidents',
    'timeline entries',
  ],
  results.map((r) => {
    const best = r.steps.filter((s) => s.pass).sort((a, b) => b.rate - a.rate)[0];
    const c = r.counts;
    const alerts = Object.values(c.alerts).reduce((a, b) => a + b, 0);
    const incidents = Object.values(c.incidents).reduce((a, b) => a + b, 0);
    return [
      r.driver,
      best ? `${fmt(best.achieved)} events/s (p99 ${fmt(best.summary.latency_ms.p99, 1)} ms)` : 'none',
      `${fmt(r.seed.requests.ok)} in ${fmt(r.seed.durationMs / 1000, 1)} s`,
      fmt(r.sent),
      fmt(c.eventsLogged),
      fmt(r.sent - c.eventsLogged),
      `${fmt(alerts)} (${fmt(c.distinctKeys)} keys; ${Object.entries(c.alerts)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')})`,
      `${fmt(incidents)} (${Object.entries(c.incidents)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')})`,
      fmt(c.timelineEntries),
    ];
  }),
);
