/**
 * Honesty under a server stall. The target answers in about a millisecond
 * but holds every answer for 1.5 s once, 3 s after its first request. Driven
 * at 500 req/s for 8 s, an open-model generator that measures from each
 * request's intended send time must report p90 ≈ 0.70 s and p99 ≈ 1.42 s
 * (derivation in bench/README.md); closed-loop tools hide the stall.
 * Each tool gets a fresh target (pinned to core 0); generators run on core 1.
 *
 *   npx node bench/load/honesty.ts [--rate 500] [--seconds 8]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { benchPlan, runBallast } from './lib/ballast.ts';
import { runAutocannon, runWrk, type ToolResult } from './lib/peers.ts';
import { fmt, printTable } from './lib/table.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '8' },
    'stall-at': { type: 'string', default: '3' },
    stall: { type: 'string', default: '1.5' },
    tools: { type: 'string', default: 'ballast,wrk,autocannon,autocannon-R' },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const STALL_AT_S = Number(values['stall-at']);
const STALL_S = Number(values.stall);
const opts = { cpu: 1, killAfterMs: (SECONDS + 60) * 1000 };

/**
 * Latency x exceeded by a fraction q of all requests: a request due s into the
 * stall waits STALL_S − s, so P(latency > x) = (STALL_S − x) / SECONDS for x ≤ STALL_S.
 */
const analytic = (q: number): number => STALL_S - q * SECONDS;
const P90 = analytic(0.1) * 1000;
const P99 = analytic(0.01) * 1000;

interface Target {
  url: string;
  child: ChildProcess;
}

async function startTarget(): Promise<Target> {
  const script = new URL('./lib/stall-target.ts', import.meta.url).pathname;
  const lifetime = (SECONDS + 30) * 1000;
  const child = spawn(
    'taskset',
    [
      '-c',
      '0',
      process.execPath,
      script,
      String(STALL_AT_S * 1000),
      String(STALL_S * 1000),
      String(lifetime),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      const m = /port=(\d+)/.exec(d.toString());
      if (m?.[1]) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`stall target exited ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

async function withTarget(run: (url: string) => Promise<ToolResult>): Promise<ToolResult> {
  const t = await startTarget();
  try {
    return await run(t.url);
  } finally {
    const exited = new Promise((r) => t.child.once('exit', r));
    if (t.child.pid !== undefined && t.child.exitCode === null) process.kill(t.child.pid, 'SIGTERM');
    await exited;
  }
}

const ballastPlan = (url: string) =>
  benchPlan(
    url,
    { executor: 'constant-arrival-rate', rate: RATE, timeUnitMs: 1000, durationMs: SECONDS * 1000 },
    1000,
  );

const runs: [string, (url: string) => Promise<ToolResult>][] = [
  ['ballast', (u) => runBallast(ballastPlan(u), opts, [], 'ballast (open model, 500/s)')],
  ['wrk', (u) => runWrk(u, 50, SECONDS, opts)],
  ['autocannon', (u) => runAutocannon(u, 50, SECONDS, opts, [], 'autocannon (-c 50)')],
  [
    'autocannon-R',
    (u) =>
      runAutocannon(u, 50, SECONDS, opts, ['--overallRate', String(RATE)], `autocannon (-c 50 -R ${RATE})`),
  ],
];
const results: ToolResult[] = [];
const wanted = new Set(values.tools.split(','));
for (const [name, run] of runs) {
  if (!wanted.has(name)) continue;
  const r = await withTarget(run);
  console.error(`  ${name}: ${r.requests} requests`);
  results.push(r);
}

const err = (v: number, want: number): string => `${fmt(((v - want) / want) * 100, 1)} %`;
console.log(
  `\nstall: ${STALL_S} s at t = ${STALL_AT_S} s; ${RATE} req/s for ${SECONDS} s; analytic p90 ${fmt(P90)} ms, p99 ${fmt(P99)} ms\n`,
);
printTable(
  [
    'tool',
    'requests',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'p90 vs analytic',
    'p99 vs analytic',
    'errors',
  ],
  results.map((r) => [
    r.tool,
    fmt(r.requests),
    fmt(r.p50, 2),
    fmt(r.p90, 1),
    fmt(r.p99, 1),
    fmt(r.max, 1),
    err(r.p90, P90),
    err(r.p99, P99),
    fmt(r.errors),
  ]),
);
const b = results.find((r) => r.tool.startsWith('ballast'));
if (b && 'summary' in b) {
  const s = (b as ToolResult & { summary: import('../../src/load/types.ts').LoadSummary }).summary;
  console.log(
    `\nBallast: valid=${s.valid}${s.invalid_reasons.length ? ` (${s.invalid_reasons.join('; ')})` : ''}; dropped ${s.dropped}; ` +
      `service time p50 ${fmt(s.service_time_ms.p50, 2)} ms, p99 ${fmt(s.service_time_ms.p99, 1)} ms; achieved ${fmt(s.rate.achieved, 1)} req/s`,
  );
  console.log(`Ballast per second (t: worst schedule lag ms / p99 latency ms / requests done):`);
  console.log(
    s.series
      .map((x) => `${x.t}: ${fmt(x.lag_ms, 1)} / ${fmt(x.latency_ms.p99, 0)} / ${x.ok + x.failed}`)
      .join(', '),
  );
  const within = Math.abs(b.p90 - P90) / P90 <= 0.1 && Math.abs(b.p99 - P99) / P99 <= 0.1;
  console.log(`goal (Ballast p90 and p99 within 10 % of analytic): ${within ? 'met' : 'MISSED'}`);
}
