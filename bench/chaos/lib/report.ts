/** The tables of the proxy-overhead benchmark (Markdown, pasteable into bench/README.md). */
import type { ToolResult } from '../../load/lib/peers.ts';
import { fmt, printTable } from '../../load/lib/table.ts';
import { median } from './stats.ts';

/** direct-x: direct to upstreams on the proxy's core (crossing cores, no proxy). */
export type PathName = 'direct' | 'direct-x' | 'ballast' | 'haproxy';

export interface LatencyRun {
  path: PathName;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  proxyCpuUsPerRt: number;
  clientCpuUsPerRt: number;
}
export interface StreamRun {
  path: PathName;
  mibS: number;
  bytes: number;
  proxyCpuSPerGiB: number;
  /** User time's share of the proxy's CPU (the rest is the kernel: copies, TCP, syscalls). */
  proxyUserShare: number;
  proxyCores: number;
  clientCores: number;
}
export interface WrkRun {
  path: PathName;
  r: ToolResult;
  proxyCores: number;
  proxyCpuUsPerReq: number;
  clientCores: number;
}

export interface Runs {
  latency: LatencyRun[];
  streams: StreamRun[];
  wrks: WrkRun[];
}

export interface ReportOptions {
  size: number;
  roundTrips: number;
  wrkConnections: number;
  wrkSeconds: number;
}

const ALL: PathName[] = ['direct', 'direct-x', 'ballast', 'haproxy'];
/** The paths that have runs, in table order. */
const pathsOf = (runs: Run[]): PathName[] => ALL.filter((p) => runs.some((r) => r.path === p));
type Run = { path: PathName };
const runsOf = <T extends Run>(runs: T[], p: PathName): T[] => runs.filter((r) => r.path === p);
const med = <T extends Run>(runs: T[], p: PathName, f: (r: T) => number): number =>
  median(runsOf(runs, p).map(f));
/** The median, formatted. */
const m = <T extends Run>(runs: T[], p: PathName, f: (r: T) => number, digits = 0): string =>
  fmt(med(runs, p, f), digits);
/** Every rep's figure, in run order. */
const each = <T extends Run>(runs: T[], p: PathName, f: (r: T) => number, digits = 0): string =>
  runsOf(runs, p)
    .map((r) => fmt(f(r), digits))
    .join(' / ');
/** A proxy's own figure; blank for direct. */
const px = (p: PathName, text: () => string): string => (p.startsWith('direct') ? '' : text());

/** Prints the latency, concurrency, throughput and goal tables (medians over the reps) for the cases run. */
export function printReport(runs: Runs, o: ReportOptions): void {
  if (runs.latency.length > 0) printLatency(runs.latency, o);
  if (runs.wrks.length > 0) printWrk(runs.wrks, o);
  if (runs.streams.length > 0) printStreams(runs.streams);
  printGoals(runs);
}

function printLatency(latency: LatencyRun[], o: ReportOptions): void {
  const d50 = med(latency, 'direct', (r) => r.p50);
  const d99 = med(latency, 'direct', (r) => r.p99);
  console.log(
    `\n### Latency: ping-pong, ${o.size} B each way, one connection, ${fmt(o.roundTrips)} round trips (µs)\n`,
  );
  printTable(
    [
      'path',
      'p50',
      'p90',
      'p99',
      'max',
      'added p50',
      'added p99',
      'p50 of each rep',
      'proxy CPU µs / trip',
      'client+echo CPU µs / trip',
    ],
    pathsOf(latency).map((p) => [
      p,
      m(latency, p, (r) => r.p50, 1),
      m(latency, p, (r) => r.p90, 1),
      m(latency, p, (r) => r.p99, 1),
      m(latency, p, (r) => r.max),
      p === 'direct' ? '' : fmt(med(latency, p, (r) => r.p50) - d50, 1),
      p === 'direct' ? '' : fmt(med(latency, p, (r) => r.p99) - d99, 1),
      each(latency, p, (r) => r.p50, 1),
      px(p, () => m(latency, p, (r) => r.proxyCpuUsPerRt, 1)),
      m(latency, p, (r) => r.clientCpuUsPerRt, 1),
    ]),
  );
}

function printWrk(wrks: WrkRun[], o: ReportOptions): void {
  const wrkDirect = med(wrks, 'direct', (w) => w.r.requests);
  console.log(`\n### Concurrent: wrk, ${o.wrkConnections} connections, ${o.wrkSeconds} s, nginx upstream\n`);
  printTable(
    [
      'path',
      'req/s',
      'vs direct',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'errors',
      'req/s of each rep',
      'proxy CPU (cores)',
      'proxy CPU µs / req',
      'wrk+nginx CPU (cores)',
    ],
    pathsOf(wrks).map((p) => [
      p,
      m(wrks, p, (w) => w.r.requests / o.wrkSeconds),
      `${fmt(med(wrks, p, (w) => w.r.requests) / wrkDirect, 2)}×`,
      m(wrks, p, (w) => w.r.p50, 3),
      m(wrks, p, (w) => w.r.p90, 3),
      m(wrks, p, (w) => w.r.p99, 3),
      fmt(runsOf(wrks, p).reduce((a, w) => a + w.r.errors, 0)),
      each(wrks, p, (w) => w.r.requests / o.wrkSeconds),
      px(p, () => m(wrks, p, (w) => w.proxyCores, 2)),
      px(p, () => m(wrks, p, (w) => w.proxyCpuUsPerReq, 1)),
      m(wrks, p, (w) => w.clientCores, 2),
    ]),
  );
}

function printStreams(streams: StreamRun[]): void {
  const sDirect = med(streams, 'direct', (s) => s.mibS);
  console.log('\n### Throughput: one connection, upstream writes a 1 MiB buffer repeatedly\n');
  printTable(
    [
      'path',
      'MiB/s',
      'vs direct',
      'MiB/s of each rep',
      'proxy CPU s / GiB',
      'of which user',
      'proxy CPU (cores)',
      'client+source CPU (cores)',
    ],
    pathsOf(streams).map((p) => [
      p,
      m(streams, p, (s) => s.mibS),
      `${fmt(med(streams, p, (s) => s.mibS) / sDirect, 2)}×`,
      each(streams, p, (s) => s.mibS),
      px(p, () => m(streams, p, (s) => s.proxyCpuSPerGiB, 3)),
      px(p, () => `${m(streams, p, (s) => s.proxyUserShare * 100)} %`),
      px(p, () => m(streams, p, (s) => s.proxyCores, 2)),
      m(streams, p, (s) => s.clientCores, 2),
    ]),
  );
}

function printGoals({ latency, streams }: Runs): void {
  if (latency.length === 0 && streams.length === 0) return;
  const d50 = med(latency, 'direct', (r) => r.p50);
  const sDirect = med(streams, 'direct', (s) => s.mibS);
  const addedP50 = med(latency, 'ballast', (r) => r.p50) - d50;
  const tputRatio = med(streams, 'ballast', (s) => s.mibS) / sDirect;
  const haRatio = med(streams, 'haproxy', (s) => s.mibS) / sDirect;
  console.log('\n### Goals\n');
  printTable(
    ['goal', 'Ballast', 'met', 'haproxy (same measure)'],
    [
      latency.length > 0 && [
        'added latency p50 < 100 µs',
        `${fmt(addedP50, 1)} µs`,
        addedP50 < 100 ? 'yes' : 'no',
        `${fmt(med(latency, 'haproxy', (r) => r.p50) - d50, 1)} µs`,
      ],
      streams.length > 0 && [
        'throughput / direct ≥ 0.80',
        `${fmt(tputRatio, 2)}×`,
        tputRatio >= 0.8 ? 'yes' : 'no',
        `${fmt(haRatio, 2)}×`,
      ],
    ].filter((row) => row !== false),
  );
}
