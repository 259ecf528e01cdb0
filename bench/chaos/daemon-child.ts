/**
 * Child process of the proxy-overhead benchmark: starts Ballast's fault daemon
 * (`createFaultDaemon`, API on a free loopback port), creates one TCP proxy per
 * `NAME=HOST:PORT` argument through its Toxiproxy-compatible API (no toxics, so
 * each proxy pipes sockets directly), prints `{"api": URL, "proxies": {NAME: LISTEN}}`
 * as one JSON line on stdout, and closes the daemon on SIGTERM (or when the bench
 * goes). The parent pins it to one core with taskset, as it does haproxy. With
 * BALLAST_BENCH_PROFILE=FILE it records a CPU profile from then on (start-up
 * excluded) and writes it to FILE (`.cpuprofile`) when stopped.
 *
 *   node bench/chaos/daemon-child.ts echo=127.0.0.1:4000 source=127.0.0.1:4001
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createFaultDaemon } from '../../src/chaos/daemon/index.ts';
import { exitWithParent } from './lib/processes.ts';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const daemon = await createFaultDaemon({ port: 0, log });
const profileTo = process.env.BALLAST_BENCH_PROFILE;
const session = profileTo ? new Session() : undefined;
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    if (session && profileTo) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(profileTo, JSON.stringify(profile));
    }
    await daemon.close();
  })().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
exitWithParent(stop);

const proxies: Record<string, string> = {};
for (const arg of process.argv.slice(2)) {
  const [name, upstream] = arg.split('=');
  if (!name || !upstream) throw new Error(`expected NAME=HOST:PORT, got ${arg}`);
  const res = await fetch(`${daemon.url}/proxies`, {
    method: 'POST',
    body: JSON.stringify({ name, listen: '127.0.0.1:0', upstream }),
  });
  const body = (await res.json()) as { listen?: string; error?: string };
  if (res.status !== 201 || !body.listen) {
    throw new Error(`POST /proxies ${name}: ${res.status} ${JSON.stringify(body)}`);
  }
  proxies[name] = body.listen;
}
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
process.stdout.write(`${JSON.stringify({ api: daemon.url, proxies })}\n`);
