/**
 * `ballast chaos proxy` as a process: the command is wired to commander here
 * (the lead wires it into `ballast chaos`), run with this Node, and driven
 * over its API. Checks the printed URL, `--config` populating proxies, the
 * clean stop on SIGTERM, and exit code 2 naming the file and entry.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FaultDaemonClient } from '../src/chaos/daemon/index.ts';
import { probe, startEcho } from './chaos-proxy-harness.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'ballast-chaos-proxy-'));

/** A throwaway `ballast chaos` with only the proxy command, as main.ts will wire it. */
const ENTRY = `
import { Command } from 'commander';
import { registerChaosProxy } from './src/cli/commands/chaos-proxy.ts';
const program = new Command('ballast').exitOverride();
registerChaosProxy(program.command('chaos'));
try { await program.parseAsync(process.argv.slice(1), { from: 'user' }); } catch (err) { process.exitCode = err.exitCode === 0 ? 0 : 2; }
`;

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', ENTRY, '--', 'chaos', 'proxy', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

async function waitForOutput(r: Run, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  const start = Date.now();
  for (;;) {
    const m = r.stdout().match(pattern);
    if (m) return m;
    if (Date.now() - start > timeoutMs || r.child.exitCode !== null)
      throw new Error(`no ${pattern} in output; stdout: ${r.stdout()} stderr: ${r.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ballast chaos proxy', () => {
  it('prints the API URL, creates the proxies of --config, and stops cleanly on SIGTERM', async () => {
    const echo = await startEcho();
    const config = path.join(dir, 'ok.json');
    writeFileSync(config, JSON.stringify([{ name: 'echo', listen: '127.0.0.1:0', upstream: echo.address }]));
    const r = run(['--api', '127.0.0.1:0', '--config', config]);
    try {
      const url = (await waitForOutput(r, /listening on (http:\/\/127\.0\.0\.1:\d+)/))[1] as string;
      const listen = (await waitForOutput(r, /proxy echo: (127\.0\.0\.1:\d+) -> /))[1] as string;
      const client = new FaultDaemonClient(url);
      expect((await client.proxy('echo')).listen).toBe(listen);
      await client.addToxic('echo', { type: 'latency', attributes: { latency: 200 } });
      const p = await probe(listen);
      expect(await p.roundTrip('x')).toBeGreaterThanOrEqual(180);
      p.socket.destroy();
      r.child.kill('SIGTERM');
      expect(await r.exit).toBe(0);
      expect(r.stdout()).toMatch(/Stopping: reverting every fault/);
    } finally {
      r.child.kill('SIGKILL');
      await echo.close();
    }
  });

  const bad: Array<[string, string, RegExp]> = [
    ['a file that is not JSON', '[{"name": ', /bad\.json is not valid JSON/],
    [
      'an entry without upstream',
      JSON.stringify([
        { name: 'a', upstream: 'localhost:1' },
        { name: 'b', listen: '127.0.0.1:0' },
      ]),
      /bad\.json: missing required field: upstream at proxy 2 \(b\)/,
    ],
    [
      'a file that is no list',
      JSON.stringify({ name: 'a' }),
      /bad\.json: bad request body: expected a JSON array/,
    ],
  ];
  it.each(bad)('exits 2 on %s, naming the file and the entry', async (_name, content, message) => {
    const config = path.join(dir, 'bad.json');
    writeFileSync(config, content);
    const r = run(['--api', '127.0.0.1:0', '--config', config]);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(message);
  });

  it('exits 2 when the config file is missing', async () => {
    const r = run(['--api', '127.0.0.1:0', '--config', path.join(dir, 'missing.json')]);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(/cannot read .*missing\.json/);
  });

  it('exits 2 when a proxy of the config cannot bind its port, naming the file', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    const config = path.join(dir, 'clash.json');
    writeFileSync(
      config,
      JSON.stringify([{ name: 'pg', listen: `127.0.0.1:${port}`, upstream: 'localhost:5432' }]),
    );
    try {
      const r = run(['--api', '127.0.0.1:0', '--config', config]);
      expect(await r.exit).toBe(2);
      expect(r.stderr()).toMatch(
        /clash\.json: listen tcp 127\.0\.0\.1:\d+: bind: address already in use at proxy 1 \(pg\)/,
      );
    } finally {
      busy.close();
    }
  });

  it('exits 2 when the --api port is taken, naming the flag', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const r = run(['--api', `127.0.0.1:${port}`]);
      expect(await r.exit).toBe(2);
      expect(r.stderr()).toMatch(new RegExp(`--api 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      busy.close();
    }
  });

  it('exits 2 on an --api address that is not host:port', async () => {
    const r = run(['--api', 'localhost']);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(/expected host:port/);
  });
});
