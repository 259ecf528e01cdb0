/**
 * How many HTTP checks one Ballast process schedules and runs per second
 * against a local nginx (1 s interval, 10 % jitter, a fresh connection per
 * execution, as blackbox_exporter probes), with the scheduler's start drift,
 * and the memory of 10,000 scheduled checks. nginx on core 0, Ballast on
 * core 1. Goal: 2,000 checks/s on one core with drift p99 ≤ 100 ms.
 *
 *   npx node bench/checks/throughput.ts [--checks 500,1000,2000,3000] [--seconds 10]
 */
import { parseArgs } from 'node:util';
import { measure } from '../load/lib/measure.ts';
import { startNginx } from '../load/lib/nginx.ts';
import { fmt, printTable } from '../load/lib/table.ts';

const { values } = parseArgs({
  options: {
    checks: { type: 'string', default: '500,1000,2000,3000' },
    seconds: { type: 'string', default: '10' },
  },
});
const COUNTS = values.checks.split(',').map(Number);
const SECONDS = Number(values.seconds);
const CHILD = new URL('./scheduler-child.ts', import.meta.url).pathname;

const nginx = await startNginx({ cpu: 0, workerConnections: 16_384 });
const rows: (string | number)[][] = [];
try {
  for (const n of COUNTS) {
    const m = await measure(process.execPath, [CHILD, 'run', nginx.url, String(n), String(SECONDS)], {
      cpu: 1,
      killAfterMs: (SECONDS + 60) * 1000,
      shellPrefix: 'ulimit -n 65536',
    });
    if (m.code !== 0) throw new Error(`child exited ${m.code}: ${m.stderr}`);
    const r = JSON.parse(m.stdout.trim().split('\n').at(-1) as string);
    console.error(`  ${n} checks: ${r.perSecond.toFixed(0)}/s, drift p99 ${r.driftP99Ms.toFixed(1)} ms`);
    rows.push([
      n,
      fmt(r.perSecond),
      fmt(r.executed),
      fmt(r.skipped),
      fmt(r.driftP99Ms, 1),
      `${r.statuses.pass}/${r.statuses.fail}`,
      JSON.stringify(r.errors),
      fmt(r.cpuS / r.wallS, 2),
      fmt(m.maxRssMiB, 1),
      r.perSecond >= 0.98 * n && r.driftP99Ms <= 100 ? 'yes' : 'no',
    ]);
  }
} finally {
  await nginx.stop();
}
printTable(
  [
    'checks (1 s)',
    'executed / s',
    'executed',
    'skipped',
    'drift p99 ms',
    'pass/fail',
    'errors',
    'CPU cores used',
    'peak RSS MiB',
    'kept up',
  ],
  rows,
);

const mem = await measure(process.execPath, ['--expose-gc', CHILD, 'memory', '10000'], {
  cpu: 1,
  killAfterMs: 60_000,
});
const r = JSON.parse(mem.stdout.trim().split('\n').at(-1) as string);
console.log(
  `\n10,000 scheduled checks (hourly, none running): +${fmt(r.rssMiB, 1)} MiB RSS, +${fmt(r.heapMiB, 1)} MiB heap (definitions included)`,
);
