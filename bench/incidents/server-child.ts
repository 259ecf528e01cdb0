/**
 * Child process of the intake benchmark: a real Ballast server (`startServer`)
 * on a free loopback port, over PGlite in a data directory or over a
 * PostgreSQL URL. The parent pins it to one core with taskset. It prints one
 * JSON line `{"url": ...}` once it listens, then answers commands on stdin:
 * `stats` prints `{"cpuS", "loopDelayMaxMs", "gcMaxMs"}` (its own CPU time so
 * far, all threads; the longest event-loop delay and GC pause since the
 * previous `stats`), `stop` closes the server and exits.
 *
 *   node bench/incidents/server-child.ts '{"dataDir": "/tmp/x", "adminToken": "t", ...}'
 */
import module from 'node:module';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

// As bin/ballast.js does.
module.enableCompileCache?.();
const { startServer } = await import('../../src/server/index.ts');

const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof startServer>[0];
const server = await startServer({ ...options, port: 0, host: '127.0.0.1', log: false });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

// Between two `stats`: the longest event-loop block and the longest GC pause, to tell a
// server-side stall from a wait on the database when a latency spike shows up.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let gcMaxMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, e.duration);
}).observe({ entryTypes: ['gc'] });

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line === 'stats') {
    const cpu = process.cpuUsage();
    const stats = {
      cpuS: (cpu.user + cpu.system) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
      gcMaxMs,
    };
    loopDelay.reset();
    gcMaxMs = 0;
    process.stdout.write(`${JSON.stringify(stats)}\n`);
  } else if (line === 'stop') break;
}
// stdin closed (the parent went away) ends the loop too: never outlive the benchmark.
await server.close();
process.exit(0);
