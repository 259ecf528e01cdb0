/**
 * A private haproxy (Debian's /usr/sbin/haproxy) as the peer TCP proxy: mode
 * tcp, one thread, one frontend and backend per upstream on 127.0.0.1, config
 * in a temp directory, run in the foreground (`-db`) pinned to one core and
 * stopped by its PID.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForPort } from '../../load/lib/nginx.ts';
import { freePort } from '../../load/lib/ports.ts';
import { type Pinned, startPinned } from './processes.ts';

export const HAPROXY = '/usr/sbin/haproxy';

export interface Haproxy {
  pid: number;
  /** NAME → listen address (127.0.0.1:PORT). */
  proxies: Record<string, string>;
  stop(): Promise<void>;
}

/** `HAProxy version 2.6.12-1+deb12u4 2026/10/17`. */
export function haproxyVersion(): string {
  const r = spawnSync(HAPROXY, ['-v'], { encoding: 'utf8' });
  return (r.stdout.split('\n')[0] ?? '').replace(/ - https:.*$/, '').trim() || 'unknown';
}

/** Starts haproxy with a frontend per `upstreams` entry (NAME → HOST:PORT), pinned to `cpu`. */
export async function startHaproxy(
  upstreams: Record<string, string>,
  cpu: number | string,
  /** `option splice-auto`: let haproxy move data with splice(2) (off by default, as in haproxy). */
  splice = false,
): Promise<Haproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'ballast-bench-haproxy-'));
  const proxies: Record<string, string> = {};
  const lines = [
    'global',
    '  nbthread 1',
    '  maxconn 4096',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    ...(splice ? ['  option splice-auto'] : []),
  ];
  for (const [name, upstream] of Object.entries(upstreams)) {
    const port = await freePort();
    proxies[name] = `127.0.0.1:${port}`;
    lines.push(
      `frontend fe_${name}`,
      `  bind 127.0.0.1:${port}`,
      `  default_backend be_${name}`,
      `backend be_${name}`,
      `  server s_${name} ${upstream}`,
    );
  }
  const cfg = join(dir, 'haproxy.cfg');
  await writeFile(cfg, `${lines.join('\n')}\n`);
  let p: Pinned<undefined> | undefined;
  try {
    p = await startPinned<undefined>(HAPROXY, ['-f', cfg, '-db'], { cpu, json: false });
    const started = p;
    for (const listen of Object.values(proxies)) {
      await waitForPort(Number(listen.split(':')[1]), 5_000, () =>
        started.stderr().includes('ALERT') ? `haproxy failed: ${started.stderr()}` : undefined,
      );
    }
  } catch (err) {
    await p?.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const started = p;
  return {
    pid: started.pid,
    proxies,
    stop: async () => {
      await started.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
