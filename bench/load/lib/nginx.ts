/**
 * Starts a private nginx (Debian's /usr/sbin/nginx) on 127.0.0.1 that
 * answers every request with a small body, pinned to one core, in its own
 * temp prefix. Stopped by its master's PID (SIGQUIT waits for the worker).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export interface Nginx {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** Core nginx is pinned to (`taskset -c`). */
  cpu: number | string;
  workerConnections?: number;
  /** listen backlog (10,000 connections arrive at once in the memory bench). */
  backlog?: number;
}

/** The body every request gets. */
export const NGINX_BODY = 'hello, ballast\n';

export async function startNginx(o: NginxOptions): Promise<Nginx> {
  const dir = await mkdtemp(join(tmpdir(), 'ballast-bench-nginx-'));
  const port = await freePort();
  const wc = o.workerConnections ?? 4096;
  const backlog = o.backlog ? ` backlog=${o.backlog}` : '';
  const conf = [
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log;`,
    // nginx needs a descriptor per connection; raise its own limit when asked for many.
    wc > 4096 ? `worker_rlimit_nofile ${wc};` : '',
    `events { worker_connections ${wc}; }`,
    'http {',
    '  access_log off;',
    // The default temp paths are under /var/lib/nginx; keep everything in the prefix.
    `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;`,
    `  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
    '  keepalive_requests 1000000;',
    `  server { listen 127.0.0.1:${port}${backlog}; location / { return 200 ${JSON.stringify(NGINX_BODY)}; } }`,
    '}',
    '',
  ].join('\n');
  await writeFile(join(dir, 'nginx.conf'), conf);
  const child: ChildProcess = spawn(
    'taskset',
    ['-c', String(o.cpu), '/usr/sbin/nginx', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('nginx did not start');
  await waitForPort(port, 5000, () => (child.exitCode !== null ? `nginx exited: ${stderr}` : undefined));
  return {
    url: `http://127.0.0.1:${port}/`,
    pid,
    stop: async () => {
      if (child.exitCode === null) process.kill(pid, 'SIGQUIT');
      const t = setTimeout(() => child.exitCode === null && process.kill(pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until something accepts on 127.0.0.1:port (or `failed` says why not). */
export async function waitForPort(
  port: number,
  timeoutMs: number,
  failed: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = failed();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
