/**
 * Each toxic's behaviour on real sockets: a TCP echo server behind the fault
 * proxy, driven through the daemon's API. Latency assertions are lower
 * bounds with slack (200 ms added → at least 180 ms), never tight windows.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NewToxic } from '../src/chaos/daemon/index.ts';
import {
  connectError,
  type Echo,
  probe,
  sleep,
  startDaemon,
  startEcho,
  type TestDaemon,
} from './chaos-proxy-harness.ts';

let echo: Echo;
let t: TestDaemon;
let listen: string;

beforeAll(async () => {
  echo = await startEcho();
  t = await startDaemon();
  listen = (await t.client.createProxy({ name: 'echo', upstream: echo.address })).listen;
});

afterAll(async () => {
  await t.close();
  await echo.close();
});

afterEach(async () => {
  await t.client.reset();
});

const add = (toxic: NewToxic) => t.client.addToxic('echo', toxic);

describe('the TCP proxy with no toxics', () => {
  it('forwards both ways and reports the bound port for listen port 0', async () => {
    expect(listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    const p = await probe(listen);
    await p.roundTrip('hello');
    expect(p.received().toString()).toBe('hello');
    p.socket.destroy();
  });

  it('passes a half-close on: the client ends, the echo ends, the data arrives first', async () => {
    const p = await probe(listen);
    p.socket.end('bye');
    const closed = await p.closed;
    expect(p.received().toString()).toBe('bye');
    expect(closed.ended).toBe(true);
  });
});

describe('latency', () => {
  it('adds its delay downstream to every round trip', async () => {
    const p = await probe(listen);
    await add({ type: 'latency', attributes: { latency: 200 } });
    expect(await p.roundTrip('a')).toBeGreaterThanOrEqual(180);
    expect(await p.roundTrip('b')).toBeGreaterThanOrEqual(180);
    p.socket.destroy();
  });

  it('adds up across streams and keeps the bytes in order', async () => {
    await add({ type: 'latency', stream: 'upstream', attributes: { latency: 100 } });
    await add({ type: 'latency', stream: 'downstream', attributes: { latency: 100 } });
    const p = await probe(listen);
    const start = performance.now();
    for (let i = 0; i < 20; i++) p.socket.write(`${i},`);
    const got = await p.waitFor(50);
    expect(performance.now() - start).toBeGreaterThanOrEqual(180);
    expect(got.toString()).toBe(Array.from({ length: 20 }, (_, i) => `${i},`).join(''));
    p.socket.destroy();
  });

  it('reaches live connections when added, updated and removed', async () => {
    const p = await probe(listen);
    expect(await p.roundTrip('x')).toBeLessThan(250);
    await add({ name: 'lag', type: 'latency', attributes: { latency: 300 } });
    expect(await p.roundTrip('x')).toBeGreaterThanOrEqual(270);
    await t.client.updateToxic('echo', 'lag', { attributes: { latency: 500 } });
    expect(await p.roundTrip('x')).toBeGreaterThanOrEqual(470);
    await t.client.removeToxic('echo', 'lag');
    expect(await p.roundTrip('x')).toBeLessThan(250);
    p.socket.destroy();
  });

  it('hands on the data it holds when removed, instead of dropping it', async () => {
    await add({ name: 'lag', type: 'latency', attributes: { latency: 5_000 } });
    const p = await probe(listen);
    p.socket.write('held');
    await sleep(100);
    await t.client.removeToxic('echo', 'lag');
    expect((await p.waitFor(4, 2_000)).toString()).toBe('held');
    p.socket.destroy();
  });
});

describe('toxicity', () => {
  it('at 0 affects no connection and at 1 affects every connection', async () => {
    await add({ name: 'lag', type: 'latency', toxicity: 0, attributes: { latency: 300 } });
    for (let i = 0; i < 5; i++) {
      const p = await probe(listen);
      expect(await p.roundTrip('x')).toBeLessThan(250);
      p.socket.destroy();
    }
    await t.client.updateToxic('echo', 'lag', { toxicity: 1 });
    for (let i = 0; i < 3; i++) {
      const p = await probe(listen);
      expect(await p.roundTrip('x')).toBeGreaterThanOrEqual(270);
      p.socket.destroy();
    }
  });

  it('is decided per connection: with rolls alternating low and high, half the connections are hit', async () => {
    let n = 0;
    const d = await startDaemon({ random: () => (n++ % 2 === 0 ? 0.1 : 0.9) });
    try {
      const proxy = await d.client.createProxy({ name: 'echo', upstream: echo.address });
      await d.client.addToxic('echo', { type: 'latency', toxicity: 0.5, attributes: { latency: 300 } });
      const slow: boolean[] = [];
      for (let i = 0; i < 4; i++) {
        const p = await probe(proxy.listen);
        slow.push((await p.roundTrip('x')) >= 270);
        // A second round trip on the same connection gets the same decision.
        slow.push((await p.roundTrip('y')) >= 270);
        p.socket.destroy();
      }
      expect(slow).toEqual([true, true, false, false, true, true, false, false]);
    } finally {
      await d.close();
    }
  });
});

describe('bandwidth', () => {
  it('paces a large echo at the given KB/s', async () => {
    await add({ type: 'bandwidth', attributes: { rate: 100 } });
    const p = await probe(listen);
    const data = Buffer.alloc(50_000, 7);
    // 50 000 bytes at 100 KB/s is 500 ms.
    expect(await p.roundTrip(data, 10_000)).toBeGreaterThanOrEqual(450);
    expect(p.received().equals(data)).toBe(true);
    p.socket.destroy();
  });
});

describe('slicer', () => {
  it('cuts data into slices of the average size, delay apart, bytes intact', async () => {
    await add({ type: 'slicer', attributes: { average_size: 10, size_variation: 0, delay: 20_000 } });
    const p = await probe(listen);
    const data = 'abcdefghij'.repeat(10);
    const ms = await p.roundTrip(data);
    expect(p.received().toString()).toBe(data);
    expect(p.chunks.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...p.chunks.map((c) => c.length))).toBeLessThanOrEqual(30);
    // Ten slices 20 ms apart: at least nine gaps.
    expect(ms).toBeGreaterThanOrEqual(160);
    p.socket.destroy();
  });
});

describe('limit_data', () => {
  it('passes exactly the limit and then closes the connection', async () => {
    await add({ type: 'limit_data', attributes: { bytes: 10 } });
    const p = await probe(listen);
    p.socket.write('0123456789ABCDEFGHIJKLMNOP');
    const closed = await p.closed;
    expect(p.received().toString()).toBe('0123456789');
    expect(closed.error).toBeUndefined();
  });
});

describe('slow_close', () => {
  it('delays the close by its delay', async () => {
    const plain = await probe(listen);
    const startPlain = performance.now();
    plain.socket.end();
    expect((await plain.closed).at - startPlain).toBeLessThan(250);

    await add({ type: 'slow_close', attributes: { delay: 300 } });
    const p = await probe(listen);
    await p.roundTrip('data still flows');
    const start = performance.now();
    p.socket.end();
    const closed = await p.closed;
    expect(closed.at - start).toBeGreaterThanOrEqual(270);
    expect(closed.ended).toBe(true);
  });
});

describe('timeout', () => {
  it('drops the data and closes the connection after its timeout', async () => {
    await add({ type: 'timeout', attributes: { timeout: 300 } });
    const p = await probe(listen);
    const start = performance.now();
    p.socket.write('lost');
    const closed = await p.closed;
    expect(closed.at - start).toBeGreaterThanOrEqual(270);
    expect(p.received().length).toBe(0);
  });

  it('with timeout 0 holds the connection silent until the toxic is removed, then closes it', async () => {
    await add({ name: 'hold', type: 'timeout', attributes: { timeout: 0 } });
    const p = await probe(listen);
    p.socket.write('lost');
    const early = await Promise.race([p.closed, sleep(500).then(() => 'open')]);
    expect(early).toBe('open');
    expect(p.received().length).toBe(0);
    await t.client.removeToxic('echo', 'hold');
    await p.closed;
    expect(p.received().length).toBe(0);
    // New connections are normal again.
    const q = await probe(listen);
    expect(await q.roundTrip('ok')).toBeLessThan(250);
    q.socket.destroy();
  });
});

describe('reset_peer', () => {
  it('resets the connection at the first data when its timeout is 0', async () => {
    await add({ type: 'reset_peer', attributes: { timeout: 0 } });
    const p = await probe(listen);
    p.socket.write('hello');
    const closed = await p.closed;
    expect(closed.error).toBe('ECONNRESET');
    expect(p.received().length).toBe(0);
  });

  it('resets the connection its timeout after the first data', async () => {
    await add({ type: 'reset_peer', stream: 'upstream', attributes: { timeout: 200 } });
    const p = await probe(listen);
    const start = performance.now();
    p.socket.write('hello');
    const closed = await p.closed;
    expect(closed.error).toBe('ECONNRESET');
    expect(closed.at - start).toBeGreaterThanOrEqual(180);
  });
});

describe('loss', () => {
  it('in drop mode closes new connections at once and counts them', async () => {
    const before = await t.client.proxyStats('echo');
    await add({ type: 'loss', attributes: { mode: 'drop' } });
    const p = await probe(listen).catch(() => undefined);
    if (p) {
      const closed = await p.closed;
      expect(p.received().length).toBe(0);
      expect(closed.at).toBeGreaterThan(0);
    }
    const after = await t.client.proxyStats('echo');
    expect(after.dropped - before.dropped).toBe(1);
  });

  it('in stall mode accepts and never forwards, until the toxic goes', async () => {
    const accepted = echo.accepted();
    await add({ name: 'stall', type: 'loss', attributes: { mode: 'stall' } });
    const p = await probe(listen);
    p.socket.write('anyone?');
    expect(await Promise.race([p.closed, sleep(400).then(() => 'open')])).toBe('open');
    expect(p.received().length).toBe(0);
    expect(echo.accepted()).toBe(accepted);
    await t.client.removeToxic('echo', 'stall');
    await p.closed;
  });

  it('leaves connections that were open before it alone', async () => {
    const p = await probe(listen);
    await add({ type: 'loss', attributes: { mode: 'drop' } });
    expect(await p.roundTrip('still here')).toBeLessThan(250);
    p.socket.destroy();
  });
});

describe('enabled', () => {
  it('false refuses connections and drops open ones; true takes them again', async () => {
    const open = await probe(listen);
    await t.client.updateProxy('echo', { enabled: false });
    expect((await open.closed).at).toBeGreaterThan(0);
    expect(await connectError(listen)).toBe('ECONNREFUSED');
    const back = await t.client.updateProxy('echo', { enabled: true });
    expect(back.listen).toBe(listen);
    const p = await probe(listen);
    expect(await p.roundTrip('back')).toBeLessThan(250);
    p.socket.destroy();
  });
});

describe('an upstream that fails', () => {
  it('that does not resolve: the client is closed, the error counted and logged', async () => {
    const proxy = await t.client.createProxy({ name: 'nowhere', upstream: 'no-such-host.invalid:5432' });
    try {
      const p = await probe(proxy.listen);
      const closed = await p.closed;
      expect(p.received().length).toBe(0);
      expect(closed.at).toBeGreaterThan(0);
      const stats = await t.client.proxyStats('nowhere');
      expect(stats.upstream_errors).toBe(1);
      expect(stats.last_upstream_error).toMatch(/ENOTFOUND|EAI_AGAIN/);
      expect(
        t.lines.some((l) => l.startsWith('proxy nowhere: upstream no-such-host.invalid:5432 failed')),
      ).toBe(true);
    } finally {
      await t.client.deleteProxy('nowhere');
    }
  });

  it('that refuses: the client is closed and the proxy keeps serving', async () => {
    const gone = await startEcho();
    await gone.close();
    const proxy = await t.client.createProxy({ name: 'refused', upstream: gone.address });
    try {
      for (let i = 0; i < 3; i++) await (await probe(proxy.listen)).closed;
      const stats = await t.client.proxyStats('refused');
      expect([stats.upstream_errors, stats.last_upstream_error]).toEqual([
        3,
        expect.stringMatching(/ECONNREFUSED/),
      ]);
      // The daemon is fine: the echo proxy still answers.
      const p = await probe(listen);
      expect(await p.roundTrip('ok')).toBeLessThan(250);
      p.socket.destroy();
    } finally {
      await t.client.deleteProxy('refused');
    }
  });
});
