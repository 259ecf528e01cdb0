/**
 * Throughput per generator CPU-second: wrk, autocannon and Ballast against
 * a private nginx on 127.0.0.1 (pinned to core 0), each generator pinned to
 * core 1, closed loop with N connections for a fixed time. CPU and peak RSS
 * come from the kernel's accounting of the generator process (see lib/measure.ts).
 *
 *   npx node bench/load/throughput.ts [--seconds 10] [--connections 1,50,1000] [--profile [--profile-connections 50]]
 *
 * --profile adds a Ballast run (at 50 connections unless told) under `--cpu-prof` and
 * prints the functions with the most self time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchPlan, runBallast } from './lib/ballast.ts';
import { startNginx } from './lib/nginx.ts';
import { runAutocannon, runWrk, type ToolResult } from './lib/peers.ts';
import { topFunctions } from './lib/profile.ts';
import { fmt, printTable } from './lib/table.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '1,50,1000' },
    profile: { type: 'boolean', default: false },
    'profile-connections': { type: 'string', default: '50' },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = values.connections.split(',').map(Number);
const GEN_CPU = 1;
const opts = { cpu: GEN_CPU, killAfterMs: (SECONDS + 60) * 1000 };

const nginx = await startNginx({ cpu: 0 });
const cleanup = (): void => {
  try {
    process.kill(nginx.pid, 'SIGQUIT');
  } catch {}
};
process.once('SIGINT', () => {
  cleanup();
  process.exit(130);
});
console.log(
  `nginx pid ${nginx.pid} on ${nginx.url} (core 0); generators on core ${GEN_CPU}; ${SECONDS} s per run\n`,
);

const results: { c: number; r: ToolResult }[] = [];
try {
  for (const c of CONNECTIONS) {
    const runs: (() => Promise<ToolResult>)[] = [
      () => runWrk(nginx.url, c, SECONDS, opts),
      () => runAutocannon(nginx.url, c, SECONDS, opts),
      () =>
        runBallast(
          benchPlan(nginx.url, { executor: 'constant-vus', vus: c, durationMs: SECONDS * 1000 }, c),
          opts,
        ),
    ];
    for (const run of runs) {
      const r = await run();
      results.push({ c, r });
      console.error(`  ${c} conns ${r.tool}: ${r.requests} requests, ${r.m.cpuS.toFixed(2)} CPU s`);
    }
  }
  if (values.profile) await profile(nginx.url, Number(values['profile-connections']));
} finally {
  await nginx.stop();
}

const perCpu = (r: ToolResult): number => r.requests / r.m.cpuS;
printTable(
  [
    'conns',
    'tool',
    'requests',
    'req/s (wall)',
    'CPU s (user+sys)',
    'user s',
    'sys s',
    'req / CPU-s',
    'peak RSS MiB',
    'p50 ms',
    'p99 ms',
    'errors',
  ],
  results.map(({ c, r }) => [
    c,
    r.tool,
    fmt(r.requests),
    fmt(r.requests / SECONDS),
    fmt(r.m.cpuS, 2),
    fmt(r.m.userS, 2),
    fmt(r.m.sysS, 2),
    fmt(perCpu(r)),
    fmt(r.m.maxRssMiB, 1),
    fmt(r.p50, 2),
    fmt(r.p99, 2),
    fmt(r.errors),
  ]),
);
console.log('');
const ratioRows = CONNECTIONS.map((c) => {
  const of = (tool: string) => results.find((x) => x.c === c && x.r.tool === tool)?.r;
  const b = of('ballast');
  const w = of('wrk');
  const a = of('autocannon');
  const ratio = (x?: ToolResult) => (b && x ? `${fmt(perCpu(b) / perCpu(x), 2)}×` : 'n/a');
  const runOnly = b && 'runCpuS' in b ? fmt(b.requests / (b.runCpuS as number)) : 'n/a';
  return [c, ratio(w), ratio(a), runOnly];
});
printTable(
  ['conns', 'Ballast / wrk (req per CPU-s)', 'Ballast / autocannon', 'Ballast req / CPU-s inside runLoad'],
  ratioRows,
);

async function profile(url: string, conns: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ballast-bench-prof-'));
  try {
    const plan = benchPlan(url, { executor: 'constant-vus', vus: conns, durationMs: SECONDS * 1000 }, conns);
    const r = await runBallast(plan, opts, ['--cpu-prof', '--cpu-prof-dir', dir], 'ballast (--cpu-prof)');
    console.error(
      `  profiled run: ${r.requests} requests, ${r.m.cpuS.toFixed(2)} CPU s (profiling slows it)`,
    );
    const { totalMs, top, areas, files } = await topFunctions(dir, 25);
    const busy = totalMs - (areas.find((a) => a.name.startsWith('idle'))?.selfMs ?? 0);
    console.log(
      `\nBallast at ${conns} connections under --cpu-prof: ${fmt(r.requests)} requests; ${files} profiles (main thread + worker), ` +
        `${fmt(totalMs / 1000, 2)} s sampled, ${fmt(busy / 1000, 2)} s busy = ${fmt((busy * 1000) / r.requests, 1)} µs per request ` +
        `(kernel: user ${fmt(r.m.userS, 2)} s, sys ${fmt(r.m.sysS, 2)} s)\n`,
    );
    const perReq = (ms: number): string => fmt((ms * 1000) / r.requests, 2);
    printTable(
      ['self ms', 'µs / request', 'share of busy', 'area'],
      areas
        .filter((a) => !a.name.startsWith('idle') && a.selfMs >= busy * 0.004)
        .map((a) => [fmt(a.selfMs), perReq(a.selfMs), `${fmt((a.selfMs / busy) * 100, 1)} %`, a.name]),
    );
    console.log('');
    printTable(
      ['self ms', 'µs / request', 'function'],
      top.filter((t) => t.name !== '(idle)').map((t) => [fmt(t.selfMs), perReq(t.selfMs), t.name]),
    );
    console.log('');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
