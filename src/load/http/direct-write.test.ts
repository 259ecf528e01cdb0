import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directWriter } from './direct-write.ts';
import { HttpPool } from './pool.ts';
import { buildRequest } from './request.ts';
import { closeServer, listen, sendOne, sendSequential, testOptions } from './testing.ts';

/** Answers with the request body's length and byte sum, so a test can tell it arrived whole and in order. */
function summingServer() {
  return http.createServer((req, res) => {
    let length = 0;
    let sum = 0;
    req.on('data', (d: Buffer) => {
      length += d.length;
      for (let i = 0; i < d.length; i++) sum = (sum + (d[i] as number)) % 1_000_003;
    });
    req.on('end', () => res.end(`${length} ${sum}`));
  });
}

function expected(body: Buffer): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum = (sum + (body[i] as number)) % 1_000_003;
  return `${body.length} ${sum}`;
}

describe('direct writes through the socket handle', () => {
  const server = summingServer();
  let origin = '';
  beforeAll(async () => {
    origin = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => closeServer(server));

  it('are available on the pinned Node (24), so plain TCP skips the Writable stream', () => {
    expect(directWriter).toBeDefined();
  });

  it('a request far larger than the socket buffer arrives whole, and the connection stays usable', async () => {
    // 32 MiB cannot leave in one write(): libuv queues the rest and completes the write later.
    const big = Buffer.alloc(32 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    const pool = new HttpPool(origin, { ...testOptions, maxConnections: 1 });
    try {
      const o = await sendOne(
        pool,
        buildRequest({ method: 'POST', url: `${origin}/`, headers: {}, body: big }),
      );
      expect(o.ok && o.status).toBe(200);
      const small = Buffer.from('after the big one');
      const after = await sendSequential(
        pool,
        buildRequest({ method: 'POST', url: `${origin}/`, headers: {}, body: small }),
        3,
      );
      expect(after.map((x) => x.ok && x.status)).toEqual([200, 200, 200]);
      expect(pool.connectionsOpened).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('pipelined bodies arrive whole and in order while a big write is still queued', async () => {
    // Pipelined: the small ones are written while libuv still holds the big one, and must queue behind it.
    const pool = new HttpPool(origin, { ...testOptions, maxConnections: 1, pipelining: 4, keepBody: true });
    try {
      const bodies = [8 * 1024 * 1024, 10, 4 * 1024 * 1024, 0].map((n) => {
        const b = Buffer.alloc(n);
        for (let i = 0; i < n; i++) b[i] = (i * 13 + n) & 0xff;
        return b;
      });
      const got = await Promise.all(
        bodies.map((body) =>
          sendOne(pool, buildRequest({ method: 'POST', url: `${origin}/`, headers: {}, body })),
        ),
      );
      expect(got.map((o) => (o.ok ? o.body?.toString() : o.message))).toEqual(bodies.map(expected));
    } finally {
      await pool.close();
    }
  });
});
