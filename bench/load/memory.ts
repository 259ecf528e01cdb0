/**
 * Memory of the Ballast generator (one worker, pinned to core 1) against a
 * private nginx (core 0):
 *  (a) a constant arrival rate for a long run, RSS sampled every 10 s from
 *      /proc/PID/status; prints the series and the least-squares slope after
 *      the first minute (flat = no growth per request);
 *  (b) 10,000 VUs with maxConnections 10,000 (one keep-alive connection
 *      each) for 15 s; prints peak RSS (kernel's ru_maxrss) and the most
 *      descriptors seen open.
 *
 *   npx node bench/load/memory.ts [--minutes 10] [--rate 2000] [--connections 10000] [--skip-a] [--skip-b]
 */
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { benchPlan, runBallast } from './lib/ballast.ts';
import { rssMiB } from './lib/measure.ts';
import { startNginx } from './lib/nginx.ts';
import { fmt, printTable } from './lib/table.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '10000' },
    'conn-seconds': { type: 'string', default: '15' },
    'sample-seconds': { type: 'string', default: '10' },
    'skip-a': { type: 'boolean', default: false },
    'skip-b': { type: 'boolean', default: false },
  },
});

if (!values['skip-a'])
  await constantRate(Number(values.minutes), Number(values.rate), Number(values['sample-seconds']));
if (!values['skip-b']) await manyConnections(Number(values.connections), Number(values['conn-seconds']));

async function constantRate(minutes: number, rate: number, sampleS: number): Promise<void> {
  const nginx = await startNginx({ cpu: 0 });
  const durationMs = minutes * 60_000;
  const samples: { t: number; rss: number }[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const plan = benchPlan(
      nginx.url,
      { executor: 'constant-arrival-rate', rate, timeUnitMs: 1000, durationMs },
      200,
    );
    const t0 = performance.now();
    const r = await runBallast(plan, {
      cpu: 1,
      killAfterMs: durationMs + 120_000,
      onPid: (pid) => {
        timer = setInterval(() => {
          const rss = rssMiB(pid);
          if (rss !== undefined) samples.push({ t: (performance.now() - t0) / 1000, rss });
        }, sampleS * 1000);
      },
    });
    clearInterval(timer);
    console.log(
      `\n(a) constant ${rate} req/s for ${minutes} min: ${fmt(r.requests)} requests, ${fmt(r.errors)} failed, ` +
        `valid=${r.summary.valid}${r.summary.invalid_reasons.length ? ` (${r.summary.invalid_reasons.join('; ')})` : ''}\n`,
    );
    printTable(
      ['t s', 'RSS MiB'],
      samples.map((s) => [fmt(s.t), fmt(s.rss, 1)]),
    );
    const steady = samples.filter((s) => s.t >= 60);
    const slope = slopePerMinute(steady.length >= 2 ? steady : samples);
    const rss = samples.map((s) => s.rss);
    console.log(
      `\nRSS first ${fmt(rss[0] ?? Number.NaN, 1)} MiB, last ${fmt(rss.at(-1) ?? Number.NaN, 1)} MiB, peak (ru_maxrss) ${fmt(r.m.maxRssMiB, 1)} MiB; ` +
        `slope after the first minute ${fmt(slope, 2)} MiB/min (${steady.length} samples)`,
    );
  } finally {
    clearInterval(timer);
    await nginx.stop();
  }
}

async function manyConnections(connections: number, seconds: number): Promise<void> {
  const nginx = await startNginx({ cpu: 0, workerConnections: connections * 2, backlog: 65535 });
  let maxFds = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    const plan = benchPlan(
      nginx.url,
      { executor: 'constant-vus', vus: connections, durationMs: seconds * 1000 },
      connections,
    );
    const r = await runBallast(plan, {
      cpu: 1,
      killAfterMs: seconds * 1000 + 120_000,
      shellPrefix: `ulimit -n ${Math.max(connections * 2, 1024)}`,
      onPid: (pid) => {
        timer = setInterval(() => {
          try {
            maxFds = Math.max(maxFds, readdirSync(`/proc/${pid}/fd`).length);
          } catch {}
        }, 500);
      },
    });
    clearInterval(timer);
    const s = r.summary;
    console.log(`\n(b) ${fmt(connections)} VUs, maxConnections ${fmt(connections)}, ${seconds} s\n`);
    printTable(
      ['requests', 'failed', 'errors by kind', 'most fds open', 'peak RSS MiB', 'CPU s', 'p50 ms', 'p99 ms'],
      [
        [
          fmt(r.requests),
          fmt(r.errors),
          JSON.stringify(s.errors),
          fmt(maxFds),
          fmt(r.m.maxRssMiB, 1),
          fmt(r.m.cpuS, 2),
          fmt(r.p50, 1),
          fmt(r.p99, 1),
        ],
      ],
    );
    console.log(
      `goal (10,000 connections in under 500 MB): ${r.m.maxRssMiB * 1.048576 < 500 ? 'met' : 'MISSED'}`,
    );
  } finally {
    clearInterval(timer);
    await nginx.stop();
  }
}

/** Least-squares slope of RSS over time, in MiB per minute. */
function slopePerMinute(s: { t: number; rss: number }[]): number {
  const n = s.length;
  if (n < 2) return Number.NaN;
  const mt = s.reduce((a, x) => a + x.t, 0) / n;
  const mr = s.reduce((a, x) => a + x.rss, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of s) {
    num += (x.t - mt) * (x.rss - mr);
    den += (x.t - mt) ** 2;
  }
  return (num / den) * 60;
}
