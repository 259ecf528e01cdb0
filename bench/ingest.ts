/**
 * Ingestion benchmark: events/s through `POST /api/v1/slos/{name}/events`
 * into PGlite and into PostgreSQL. Batches of 1,000 `{timestamp, good, total}`
 * events from a few concurrent clients, bounded by an event count and a time
 * limit, whichever comes first. Prints a table.
 *
 *   npx node bench/ingest.ts [--events 200000] [--seconds 20] [--clients 4]
 *   (PostgreSQL: BALLAST_BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { startServer } from '../src/server/index.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    seconds: { type: 'string', default: '20' },
    clients: { type: 'string', default: '4' },
    batch: { type: 'string', default: '1000' },
  },
});
const MAX_EVENTS = Number(values.events);
const MAX_MS = Number(values.seconds) * 1000;
const CLIENTS = Number(values.clients);
const BATCH = Number(values.batch);
const TOKEN = 'bench-admin-token';
const ADMIN_URL = process.env.BALLAST_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const SPEC = `apiVersion: openslo/v1
kind: Service
metadata: { name: bench }
spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: bench-availability }
spec:
  service: bench
  indicator:
    metadata: { name: bench-requests }
    spec: { ratioMetric: { counter: true, good: {}, total: {} } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.999 }]
`;

interface Result {
  driver: string;
  events: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

async function run(driver: string, options: { dataDir?: string; databaseUrl?: string }): Promise<Result> {
  const server = await startServer({ port: 0, adminToken: TOKEN, ...options });
  try {
    await post(`${server.url}/api/v1/apply`, { documents: [{ file: 'bench.yaml', content: SPEC }] });
    const url = `${server.url}/api/v1/slos/bench-availability/events`;
    let sent = 0;
    const latencies: number[] = [];
    const started = performance.now();
    const client = async (id: number) => {
      while (sent < MAX_EVENTS && performance.now() - started < MAX_MS) {
        sent += BATCH;
        const now = Date.now();
        // Spread each batch over the last day so it touches many minute buckets, as a backfill would.
        const events = Array.from({ length: BATCH }, (_, i) => ({
          timestamp: now - ((i * 7919 + id * 104729) % 1440) * 60_000,
          good: 99,
          total: 100,
        }));
        const t = performance.now();
        await post(url, { events });
        latencies.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    const seconds = (performance.now() - started) / 1000;
    const events = latencies.length * BATCH;
    latencies.sort((a, b) => a - b);
    const pick = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return { driver, events, seconds, rate: events / seconds, p50: pick(0.5), p99: pick(0.99) };
  } finally {
    await server.close();
  }
}

async function withPostgres<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `ballast_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  try {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin`drop database if exists ${admin(name)} with (force)`;
    await admin.end();
  }
}

const results: Result[] = [];
const dir = await mkdtemp(join(tmpdir(), 'ballast-bench-'));
try {
  results.push(await run('PGlite', { dataDir: join(dir, 'db') }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
try {
  results.push(await withPostgres((databaseUrl) => run('PostgreSQL', { databaseUrl })));
} catch (err) {
  process.stderr.write(`PostgreSQL skipped: ${err instanceof Error ? err.message : String(err)}\n`);
}

const rows = results.map((r) => [
  r.driver,
  r.events.toLocaleString('en-US'),
  r.seconds.toFixed(1),
  Math.round(r.rate).toLocaleString('en-US'),
  r.p50.toFixed(1),
  r.p99.toFixed(1),
]);
const header = ['store', 'events', 'seconds', 'events/s', 'batch p50 ms', 'batch p99 ms'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
process.stdout.write(
  `ingestion through POST /api/v1/slos/{name}/events: batches of ${BATCH}, ${CLIENTS} clients\n`,
);
process.stdout.write(
  `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`,
);
