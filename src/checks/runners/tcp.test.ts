import dns from 'node:dns';
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TcpCheckSpec } from '../types.ts';
import { bareHost, describeNetError, formatAddress, runTcpCheck } from './tcp.ts';

/** Starts a TCP server on `host`:0 with `onConnection`; returns its port and how to stop it. */
async function startServer(
  host: string,
  onConnection: (socket: net.Socket) => void,
): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  server.listen(0, host);
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A port nothing listens on: bound once to learn a free number, then released. */
async function closedPort(): Promise<number> {
  const { port, close } = await startServer('127.0.0.1', () => {});
  await close();
  return port;
}

const spec = (port: number, over: Partial<TcpCheckSpec> = {}): TcpCheckSpec => ({
  type: 'tcp',
  host: '127.0.0.1',
  port,
  maxBodyBytes: 64 * 1024,
  ...over,
});

describe('runTcpCheck', () => {
  let echo: Awaited<ReturnType<typeof startServer>>;
  let banner: Awaited<ReturnType<typeof startServer>>;
  let flood: Awaited<ReturnType<typeof startServer>>;
  let hangUp: Awaited<ReturnType<typeof startServer>>;
  const BANNER = '220 ballast-test ready\r\n';
  const FLOOD_BYTES = 10_000;

  beforeAll(async () => {
    echo = await startServer('127.0.0.1', (socket) => socket.pipe(socket));
    banner = await startServer('127.0.0.1', (socket) => socket.write(BANNER));
    flood = await startServer('127.0.0.1', (socket) => socket.write('x'.repeat(FLOOD_BYTES)));
    hangUp = await startServer('127.0.0.1', (socket) => socket.end('bye'));
  });
  afterAll(async () => {
    await Promise.all([echo, banner, flood, hangUp].map((s) => s.close()));
  });

  it('passes when what it sends comes back, reporting the address, the phases and the bytes read', async () => {
    const obs = await runTcpCheck(spec(echo.port, { send: 'PING 42\n', expect: 'PING 42' }), {
      timeoutMs: 5000,
    });
    expect(obs.error).toBeUndefined();
    expect(obs.context.connected).toBe(true);
    expect(obs.context.ip).toBe('127.0.0.1');
    expect(obs.context.body).toBe('PING 42\n');
    expect(obs.phases.resolve).toBe(0);
    expect(obs.phases.connect).toBeGreaterThanOrEqual(0);
    expect(obs.context.responseTimeMs).toBeGreaterThanOrEqual(obs.phases.connect!);
    expect(obs.context.responseTimeMs).toBeLessThan(5000);
  });

  it('reads a banner the server sends first, without sending anything', async () => {
    const obs = await runTcpCheck(spec(banner.port, { expect: '220 ' }), { timeoutMs: 5000 });
    expect(obs.error).toBeUndefined();
    expect(obs.context.body).toBe(BANNER);
  });

  it('only connects when there is nothing to expect', async () => {
    const obs = await runTcpCheck(spec(echo.port), { timeoutMs: 5000 });
    expect(obs.error).toBeUndefined();
    expect(obs.context.connected).toBe(true);
    expect(obs.context.body).toBeUndefined();
  });

  it('resolves a host name and times the lookup', async () => {
    const { address } = await dns.promises.lookup('localhost');
    const local = await startServer(address, (socket) => socket.pipe(socket));
    try {
      const obs = await runTcpCheck(spec(local.port, { host: 'localhost', send: 'hi', expect: 'hi' }), {
        timeoutMs: 5000,
      });
      expect(obs.error).toBeUndefined();
      expect(obs.context.ip).toBe(address);
      expect(obs.phases.resolve).toBeGreaterThan(0);
    } finally {
      await local.close();
    }
  });

  it('times out when the expected text never arrives, keeping what was read', async () => {
    const obs = await runTcpCheck(spec(banner.port, { expect: 'never sent' }), { timeoutMs: 300 });
    expect(obs.error?.kind).toBe('timeout');
    expect(obs.error?.message).toContain('timed out after 300 ms');
    expect(obs.error?.message).toContain('"never sent"');
    expect(obs.context.connected).toBe(true);
    expect(obs.context.body).toBe(BANNER);
    expect(obs.context.responseTimeMs).toBeGreaterThanOrEqual(250);
    expect(obs.context.responseTimeMs).toBeLessThan(3000);
  });

  it('reports a refused port as a connect error with connected false', async () => {
    const port = await closedPort();
    const obs = await runTcpCheck(spec(port, { expect: 'x' }), { timeoutMs: 5000 });
    expect(obs.error?.kind).toBe('connect');
    expect(obs.error?.message).toContain('connection refused');
    expect(obs.context.connected).toBe(false);
    expect(obs.context.ip).toBe('127.0.0.1');
    expect(obs.phases.connect).toBeUndefined();
  });

  it('stops at the byte cap with body_too_large and keeps exactly the capped part', async () => {
    const obs = await runTcpCheck(spec(flood.port, { expect: 'y', maxBodyBytes: 100 }), { timeoutMs: 5000 });
    expect(obs.error?.kind).toBe('body_too_large');
    expect(obs.context.body).toBe('x'.repeat(100));
  });

  it('finds the expected text when it lies within the cap', async () => {
    const obs = await runTcpCheck(
      spec(banner.port, { expect: 'ready', maxBodyBytes: BANNER.indexOf('ready') + 5 }),
      {
        timeoutMs: 5000,
      },
    );
    expect(obs.error).toBeUndefined();
    expect(obs.context.body).toBe(BANNER.slice(0, BANNER.indexOf('ready') + 5));
  });

  it('reports a server that hangs up before the expected text as a protocol error', async () => {
    const obs = await runTcpCheck(spec(hangUp.port, { expect: 'welcome' }), { timeoutMs: 5000 });
    expect(obs.error?.kind).toBe('protocol');
    expect(obs.error?.message).toContain('closed the connection');
    expect(obs.context.body).toBe('bye');
  });

  it('ends early as a timeout when the caller cancels', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const obs = await runTcpCheck(spec(banner.port, { expect: 'never sent' }), {
      timeoutMs: 30_000,
      signal: controller.signal,
    });
    expect(obs.error?.kind).toBe('timeout');
    expect(obs.error?.message).toContain('cancelled');
    expect(obs.context.responseTimeMs).toBeLessThan(10_000);
  });
});

describe('socket helpers', () => {
  const errno = (code: string) => Object.assign(new Error(`boom ${code}`), { code });
  it.each([
    {
      name: 'a refused connection reads as words',
      err: errno('ECONNREFUSED'),
      expected: 'connection refused',
    },
    { name: 'an unknown code is shown as it is', err: errno('EWHATEVER'), expected: 'EWHATEVER' },
    { name: 'an error without a code shows its message', err: new Error('plain'), expected: 'plain' },
  ])('describeNetError: $name', ({ err, expected }) => {
    expect(describeNetError(err)).toBe(expected);
  });

  it.each([
    { name: 'an IPv4 address is joined with a colon', host: '127.0.0.1', expected: '127.0.0.1:53' },
    { name: 'an IPv6 address goes in brackets', host: '::1', expected: '[::1]:53' },
    { name: 'a name is joined with a colon', host: 'localhost', expected: 'localhost:53' },
  ])('formatAddress: $name', ({ host, expected }) => {
    expect(formatAddress(host, 53)).toBe(expected);
  });

  it.each([
    { name: 'brackets around an IPv6 literal are dropped', host: '[::1]', expected: '::1' },
    { name: 'a plain host is kept', host: 'example.test', expected: 'example.test' },
  ])('bareHost: $name', ({ host, expected }) => {
    expect(bareHost(host)).toBe(expected);
  });
});
