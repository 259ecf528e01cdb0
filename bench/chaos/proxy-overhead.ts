/**
 * Overhead of Ballast's chaos fault proxy (the TCP proxy of `createFaultDaemon`,
 * no toxics) against a direct connection and haproxy (mode tcp, one thread),
 * side by side in one run:
 *
 * 1. latency: ping-pong of small messages over one kept-alive connection to an
 *    echo upstream, every round trip timed; p50/p90/p99 and the latency added to direct;
 * 2. concurrency: wrk with a few connections against a private nginx;
 * 3. throughput: one connection streaming from an upstream that writes a 1 MiB
 *    buffer over and over, MiB/s and the ratio to direct.
 *
 * Placement (2 cores): each proxy (Ballast's daemon child, haproxy) pinned to core 0;
 * the client (this process), the upstreams and nginx, and wrk on core 1. A fourth path,
 * direct-x, is direct to a second set of upstreams on core 0: the cost of crossing
 * cores without a proxy (each proxied trip crosses twice each way). Every case
 * runs `--reps` times with the paths in a rotating order; tables show the median.
 * The proxy's own CPU per case comes from /proc/PID/stat.
 *
 *   npx node bench/chaos/proxy-overhead.ts [--reps 3] [--round-trips 20000] [--warmup 2000] [--size 64]
 *       [--stream-mib 2048] [--max-seconds 10] [--wrk-connections 10] [--wrk-seconds 5]
 *       [--proxy-cpu 0] [--client-cpu 1] [--haproxy-splice] [--cases latency,wrk,throughput] [--profile]
 *
 * --profile adds one run of the latency and the throughput case, each through a fresh
 * Ballast daemon that records a CPU profile (start-up excluded), and prints the functions
 * with the most self time.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startNginx } from '../load/lib/nginx.ts';
import { runWrk } from '../load/lib/peers.ts';
import { topFunctions } from '../load/lib/profile.ts';
import { fmt, printTable } from '../load/lib/table.ts';
import { hostPort, pingPong, stream } from './lib/clients.ts';
import { haproxyVersion, startHaproxy } from './lib/haproxy.ts';
import { type Pinned, pinProcess, procCpuS, procTimes, startPinned } from './lib/processes.ts';
import { type LatencyRun, type PathName, printReport, type StreamRun, type WrkRun } from './lib/report.ts';
import { percentile } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    'round-trips': { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '2000' },
    size: { type: 'string', default: '64' },
    'stream-mib': { type: 'string', default: '2048' },
    'max-seconds': { type: 'string', default: '10' },
    'wrk-connections': { type: 'string', default: '10' },
    'wrk-seconds': { type: 'string', default: '5' },
    'proxy-cpu': { type: 'string', default: '0' },
    'client-cpu': { type: 'string', default: '1' },
    'haproxy-splice': { type: 'boolean', default: false },
    cases: { type: 'string', default: 'latency,wrk,throughput' },
    profile: { type: 'boolean', default: false },
  },
});
const REPS = Number(values.reps);
const ROUND_TRIPS = Number(values['round-trips']);
const WARMUP = Number(values.warmup);
const SIZE = Number(values.size);
const STREAM_BYTES = Number(values['stream-mib']) * 2 ** 20;
const MAX_MS = Number(values['max-seconds']) * 1000;
const WRK_CONNS = Number(values['wrk-connections']);
const WRK_SECONDS = Number(values['wrk-seconds']);
/** A core, or a taskset CPU list: `--proxy-cpu 0-1 --client-cpu 0-1` lets the scheduler place everything. */
type Cpus = number | string;
function cpuList(flag: string, text: string): Cpus {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text)) return text;
  throw new Error(`--${flag}: expected a core or a CPU list such as 0-1, got "${text}"`);
}
const PROXY_CPU = cpuList('proxy-cpu', values['proxy-cpu']);
const CLIENT_CPU = cpuList('client-cpu', values['client-cpu']);
const CASES = new Set(values.cases.split(','));
const MiB = 2 ** 20;

const DAEMON_CHILD = new URL('./daemon-child.ts', import.meta.url).pathname;
const UPSTREAM_CHILD = new URL('./upstream-child.ts', import.meta.url).pathname;

/** One way from the client to an upstream: its addresses per upstream and the proxy's PID. */
interface Path {
  name: PathName;
  pid?: number;
  echo: string;
  source: string;
  http: string;
}
type Upstreams = { echo: string; source: string; http: string };
type DaemonInfo = { api: string; proxies: Upstreams };

const loadavg = async (): Promise<string> =>
  (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
const loadBefore = await loadavg();
const cpuModel = cpus()[0]?.model ?? 'unknown';
const facts = [
  `cores: ${cpus().length} (${cpuModel}), Linux ${release()}`,
  `Node ${process.version}, ${haproxyVersion()}${values['haproxy-splice'] ? ' (option splice-auto)' : ''}`,
  `load average before: ${loadBefore}`,
  `placement: proxies (Ballast daemon child, haproxy) on core ${PROXY_CPU}; client (this process), upstreams, nginx, wrk on core ${CLIENT_CPU}` +
    (PROXY_CPU !== CLIENT_CPU
      ? `; direct-x: direct, with a second set of upstreams on core ${PROXY_CPU}`
      : ''),
  `latency: ${fmt(ROUND_TRIPS)} round trips of ${SIZE} B after ${fmt(WARMUP)} warm-up; throughput: ${fmt(STREAM_BYTES / MiB)} MiB or ${MAX_MS / 1000} s per case; wrk: ${WRK_CONNS} connections, ${WRK_SECONDS} s; ${REPS} reps, median shown`,
];
console.log(facts.join('\n'));
console.log('');

await pinProcess(process.pid, CLIENT_CPU);
const stops: (() => Promise<void>)[] = [];
const sidePids: number[] = [];

const cleanup = async (): Promise<void> => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
};
process.once('SIGINT', () => {
  void cleanup().finally(() => process.exit(130));
});

const latency: LatencyRun[] = [];
const streams: StreamRun[] = [];
const wrks: WrkRun[] = [];

try {
  const upstreams = await startUpstreams(CLIENT_CPU);
  const daemon = await startDaemon(upstreams);
  stops.push(daemon.stop);
  const haproxy = await startHaproxy(upstreams, PROXY_CPU, values['haproxy-splice']);
  stops.push(haproxy.stop);
  const paths: Path[] = [
    { name: 'direct', ...upstreams },
    // The same direct path with the upstreams on the proxy's core: what crossing cores costs, without a proxy.
    ...(PROXY_CPU !== CLIENT_CPU
      ? [{ name: 'direct-x' as const, ...(await startUpstreams(PROXY_CPU)) }]
      : []),
    { name: 'ballast', pid: daemon.pid, ...daemon.info.proxies },
    { name: 'haproxy', pid: haproxy.pid, ...(haproxy.proxies as Upstreams) },
  ];
  console.error(
    `upstreams ${JSON.stringify(upstreams)}; Ballast daemon pid ${daemon.pid} (${daemon.info.api}); haproxy pid ${haproxy.pid}`,
  );
  const rotated = (rep: number): Path[] => paths.map((_, i) => paths[(i + rep) % paths.length] as Path);

  for (let rep = 0; rep < REPS && CASES.has('latency'); rep++) {
    for (const p of rotated(rep)) latency.push(await runLatency(p));
  }
  for (let rep = 0; rep < REPS && CASES.has('wrk'); rep++) {
    for (const p of rotated(rep)) wrks.push(await runWrkCase(p));
  }
  for (let rep = 0; rep < REPS && CASES.has('throughput'); rep++) {
    for (const p of rotated(rep)) streams.push(await runStream(p));
  }
  if (values.profile) await profile(upstreams);
} finally {
  await cleanup();
}
const loadAfter = await loadavg();

/** Starts the echo and source upstreams (one child) and nginx on `cpu`; stopped in cleanup. */
async function startUpstreams(cpu: Cpus): Promise<Upstreams> {
  const up = await startPinned<{ echo: number; source: number }>(process.execPath, [UPSTREAM_CHILD], { cpu });
  stops.push(up.stop);
  const nginx = await startNginx({ cpu });
  stops.push(nginx.stop);
  sidePids.push(up.pid, nginx.pid);
  return {
    echo: `127.0.0.1:${up.info.echo}`,
    source: `127.0.0.1:${up.info.source}`,
    http: new URL(nginx.url).host,
  };
}

/** Starts Ballast's daemon child on the proxy core with one proxy per upstream. */
async function startDaemon(upstreams: Upstreams, profileFile?: string): Promise<Pinned<DaemonInfo>> {
  const args = Object.entries(upstreams).map(([name, addr]) => `${name}=${addr}`);
  return startPinned<DaemonInfo>(process.execPath, [DAEMON_CHILD, ...args], {
    cpu: PROXY_CPU,
    env: profileFile ? { BALLAST_BENCH_PROFILE: profileFile } : {},
  });
}

/** This process, the upstream children and nginx: the client side (wrk counts its own). */
function sideCpuS(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6 + sidePids.reduce((a, pid) => a + procCpuS(pid), 0);
}

/**
 * CPU seconds the path's proxy used while `fn` ran (0 for direct), and those of
 * the client side (this process, the upstream child, nginx).
 */
async function withProxyCpu<T>(
  p: Path,
  fn: () => Promise<T>,
): Promise<{ r: T; cpuS: number; userS: number; sideS: number; wallS: number }> {
  const times = (): { userS: number; sysS: number } => (p.pid ? procTimes(p.pid) : { userS: 0, sysS: 0 });
  const c0 = times();
  const s0 = sideCpuS();
  const t0 = performance.now();
  const r = await fn();
  const wallS = (performance.now() - t0) / 1000;
  const c1 = times();
  const userS = c1.userS - c0.userS;
  return { r, cpuS: userS + c1.sysS - c0.sysS, userS, sideS: sideCpuS() - s0, wallS };
}

async function runLatency(p: Path): Promise<LatencyRun> {
  const { r, cpuS, sideS } = await withProxyCpu(p, () =>
    pingPong(hostPort(p.echo), { warmup: WARMUP, count: ROUND_TRIPS, size: SIZE, maxMs: MAX_MS * 3 }),
  );
  const sorted = Float64Array.from(r.rttUs).sort();
  const run = {
    path: p.name,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    // The warm-up trips ran through the proxy too.
    proxyCpuUsPerRt: (cpuS * 1e6) / (r.done + WARMUP),
    clientCpuUsPerRt: (sideS * 1e6) / (r.done + WARMUP),
  };
  if (r.done < ROUND_TRIPS) console.error(`  ${p.name}: only ${r.done} round trips before the time limit`);
  console.error(
    `  latency ${p.name}: p50 ${fmt(run.p50, 1)} µs, p99 ${fmt(run.p99, 1)} µs, ${fmt(r.done)} trips in ${fmt(r.wallS, 2)} s`,
  );
  return run;
}

async function runStream(p: Path): Promise<StreamRun> {
  const { r, cpuS, userS, sideS, wallS } = await withProxyCpu(p, () =>
    stream(hostPort(p.source), { maxBytes: STREAM_BYTES, maxMs: MAX_MS, warmupBytes: 64 * MiB }),
  );
  const run = {
    path: p.name,
    mibS: r.bytes / MiB / r.seconds,
    bytes: r.bytes,
    // The 64 MiB warm-up went through the proxy as well.
    proxyCpuSPerGiB: cpuS / ((r.bytes + 64 * MiB) / 2 ** 30),
    proxyUserShare: userS / cpuS,
    proxyCores: cpuS / wallS,
    clientCores: sideS / wallS,
  };
  console.error(
    `  stream ${p.name}: ${fmt(run.mibS)} MiB/s (${fmt(r.bytes / MiB)} MiB in ${fmt(r.seconds, 2)} s, ${fmt(r.bytes / Math.max(1, r.reads) / 1024, 1)} KiB per read)`,
  );
  return run;
}

async function runWrkCase(p: Path): Promise<WrkRun> {
  const { r, cpuS, sideS, wallS } = await withProxyCpu(p, () =>
    runWrk(`http://${p.http}/`, WRK_CONNS, WRK_SECONDS, {
      cpu: CLIENT_CPU,
      killAfterMs: (WRK_SECONDS + 30) * 1000,
    }),
  );
  console.error(
    `  wrk ${p.name}: ${fmt(r.requests / WRK_SECONDS)} req/s, p99 ${fmt(r.p99, 3)} ms, errors ${r.errors}`,
  );
  return {
    path: p.name,
    r,
    proxyCores: cpuS / wallS,
    proxyCpuUsPerReq: (cpuS * 1e6) / r.requests,
    clientCores: (sideS + r.m.cpuS) / wallS,
  };
}

/** One run of the latency and the throughput case, each through a fresh daemon recording a CPU profile. */
async function profile(upstreams: Upstreams): Promise<void> {
  for (const kind of ['latency', 'throughput'] as const) {
    const dir = await mkdtemp(join(tmpdir(), 'ballast-bench-chaos-prof-'));
    try {
      const d = await startDaemon(upstreams, join(dir, `${kind}.cpuprofile`));
      const p: Path = { name: 'ballast', pid: d.pid, ...d.info.proxies };
      let units: number;
      let unit: string;
      try {
        if (kind === 'latency') {
          const r = await runLatency(p);
          units = ROUND_TRIPS + WARMUP;
          unit = 'round trip';
          console.error(`  profiled latency run: p50 ${fmt(r.p50, 1)} µs (profiling slows it)`);
        } else {
          const r = await runStream(p);
          units = (r.bytes + 64 * MiB) / MiB;
          unit = 'MiB';
        }
      } finally {
        await d.stop();
      }
      const { totalMs, top } = await topFunctions(dir, 20);
      // Idle, and the inspector call that stops the profiler (an artefact of taking it).
      const skip = (name: string): boolean => name === '(idle)' || name.startsWith('post node:inspector');
      const busy = totalMs - top.filter((t) => skip(t.name)).reduce((a, t) => a + t.selfMs, 0);
      console.log(
        `\nBallast daemon's CPU profile, ${kind} case: ${fmt(totalMs / 1000, 2)} s sampled, ` +
          `${fmt(busy / 1000, 2)} s busy = ${fmt((busy * 1000) / units, 2)} µs per ${unit}\n`,
      );
      printTable(
        ['self ms', `µs / ${unit}`, 'share of busy', 'function'],
        top
          .filter((t) => !skip(t.name))
          .map((t) => [
            fmt(t.selfMs),
            fmt((t.selfMs * 1000) / units, 2),
            `${fmt((t.selfMs / busy) * 100, 1)} %`,
            t.name,
          ]),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

printReport(
  { latency, streams, wrks },
  { size: SIZE, roundTrips: ROUND_TRIPS, wrkConnections: WRK_CONNS, wrkSeconds: WRK_SECONDS },
);
console.log(`\nload average before: ${loadBefore}; after: ${loadAfter}`);
