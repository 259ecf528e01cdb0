/**
 * SLO evaluation benchmark: N SLOs (default 10,000) × 30 days of per-minute
 * buckets, generated in memory. Measures warm-up (loading the history),
 * one evaluate() tick of every burn-rate window (median over several ticks,
 * each after one more minute of data), and memory.
 *
 *   npx node bench/slo-eval.ts [--slos N] [--ticks K]
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SloEngine } from '../src/slo/engine.ts';
import { DAY_MS, MINUTE_MS, type SliBucket } from '../src/slo/model.ts';
import { makeSlo, seededRandom } from '../src/slo/testing.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} needs a positive number`);
    process.exit(2);
  }
  return value;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

const slos = flag('slos', 10_000);
const ticks = flag('ticks', 7);
const minutes = 30 * 1440;
const now0 = Math.floor(Date.UTC(2025, 0, 31) / MINUTE_MS) * MINUTE_MS;
const rand = seededRandom(42);

const engine = new SloEngine();
const defs = Array.from({ length: slos }, (_, i) => makeSlo({ name: `slo-${i}`, service: `svc-${i % 100}` }));
engine.setSlos(defs);

// One reusable array of bucket objects: the engine copies the numbers, and
// allocating 432M objects would measure the generator instead of the engine.
const history: SliBucket[] = Array.from({ length: minutes }, (_, m) => ({
  minute: now0 - (minutes - m) * MINUTE_MS,
  good: 0,
  total: 0,
}));
const warmStart = performance.now();
for (const def of defs) {
  const errorRate = rand() < 0.05 ? 0.02 : 0.0005;
  for (const b of history) {
    b.total = 50 + Math.floor(rand() * 50);
    b.good = b.total - (rand() < errorRate * 10 ? Math.ceil(b.total * 0.1) : 0);
  }
  engine.addBuckets(def.name, history);
}
const warmMs = performance.now() - warmStart;
const firstStart = performance.now();
const first = engine.evaluate(now0 - MINUTE_MS);
const firstMs = performance.now() - firstStart;

const tickMs: number[] = [];
// CPU time as well as wall time: on a shared machine the wall clock also counts other processes.
const tickCpuMs: number[] = [];
let transitions = first.transitions.length;
for (let k = 0; k < ticks; k++) {
  const now = now0 + k * MINUTE_MS;
  for (const def of defs) {
    const total = 50 + Math.floor(rand() * 50);
    engine.addBuckets(def.name, [{ minute: now, good: total - (rand() < 0.01 ? total : 0), total }]);
  }
  const t = performance.now();
  const cpu = process.cpuUsage();
  const { statuses, transitions: changed } = engine.evaluate(now + 30_000);
  const used = process.cpuUsage(cpu);
  tickMs.push(performance.now() - t);
  tickCpuMs.push((used.user + used.system) / 1000);
  transitions += changed.length;
  if (statuses.length !== slos) throw new Error(`evaluated ${statuses.length} SLOs, expected ${slos}`);
}
gc();
const mem = process.memoryUsage();
const sorted = [...tickMs].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
const cpuMedian = [...tickCpuMs].sort((a, b) => a - b)[Math.floor(tickCpuMs.length / 2)]!;

const rows: Array<[string, string]> = [
  ['SLOs', String(slos)],
  ['history per SLO', `${minutes} minutes (30 d), ${(slos * minutes).toLocaleString('en')} buckets`],
  ['alert windows', '5m 30m 1h 2h 6h 1d 3d + 10m no-data, 30d period'],
  [
    'warm-up (addBuckets)',
    `${(warmMs / 1000).toFixed(1)} s (${((slos * minutes) / (warmMs / 1000) / 1e6).toFixed(1)} M buckets/s)`,
  ],
  ['first evaluate (full re-sum)', `${firstMs.toFixed(0)} ms`],
  [
    `evaluate() tick, median of ${ticks}`,
    `${median.toFixed(0)} ms (min ${sorted[0]!.toFixed(0)}, max ${sorted.at(-1)!.toFixed(0)})`,
  ],
  [`evaluate() tick CPU time, median`, `${cpuMedian.toFixed(0)} ms`],
  ['alert transitions seen', String(transitions)],
  ['RSS after GC', mib(mem.rss)],
  ['heap used / total', `${mib(mem.heapUsed)} / ${mib(mem.heapTotal)}`],
  ['typed arrays (off-heap)', mib(mem.arrayBuffers)],
  ['days covered', `${(minutes * MINUTE_MS) / DAY_MS}`],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`node ${process.version}, ${new Date().toISOString()}`);
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
