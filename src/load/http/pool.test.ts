import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpPool } from './pool.ts';
import { buildRequest } from './request.ts';
import { closeServer, listen, sendAll, sendOne, sendSequential, testOptions } from './testing.ts';

/** A node:http server whose routes exercise the framings; counts the TCP connections it accepted. */
function framingServer() {
  const state = { connections: 0, held: [] as http.ServerResponse[] };
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/length') return res.end('content-length body');
    if (url === '/chunked') {
      res.write('chunk one, ');
      res.write('chunk two');
      return res.end();
    }
    if (url === '/close') {
      res.setHeader('Connection', 'close');
      return res.end('bye');
    }
    if (url === '/204') {
      res.statusCode = 204;
      return res.end();
    }
    if (url === '/304') {
      res.statusCode = 304;
      return res.end();
    }
    if (url === '/hold') {
      state.held.push(res);
      return;
    }
    if (url === '/echo') {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => res.end(`${req.method} ${Buffer.concat(parts).toString()}`));
      return;
    }
    res.statusCode = 404;
    res.end('not found');
  });
  server.on('connection', () => state.connections++);
  return { server, state };
}

describe('HttpPool against node:http', () => {
  const { server, state } = framingServer();
  let base = '';
  const pools: HttpPool[] = [];
  const pool = (opts: Partial<typeof testOptions> & { keepBody?: boolean; keepHeaders?: boolean } = {}) => {
    const p = new HttpPool(base, { ...testOptions, keepBody: true, ...opts });
    pools.push(p);
    return p;
  };
  const get = (path: string, method = 'GET', body?: string) =>
    buildRequest({ method, url: `${base}${path}`, headers: { 'X-Test': 'yes' }, body });

  beforeAll(async () => {
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterEach(async () => {
    for (const r of state.held.splice(0)) r.end('released');
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });
  afterAll(() => closeServer(server));

  const bodies: {
    name: string;
    path: string;
    method?: string;
    status: number;
    body: string;
    send?: string;
  }[] = [
    {
      name: 'a content-length body arrives whole',
      path: '/length',
      status: 200,
      body: 'content-length body',
    },
    { name: 'a chunked body arrives whole', path: '/chunked', status: 200, body: 'chunk one, chunk two' },
    { name: 'a 204 has no body', path: '/204', status: 204, body: '' },
    { name: 'a 304 has no body', path: '/304', status: 304, body: '' },
    { name: 'a HEAD response has no body', path: '/length', method: 'HEAD', status: 200, body: '' },
    {
      name: 'a POST body reaches the server',
      path: '/echo',
      method: 'POST',
      status: 200,
      body: 'POST ping',
      send: 'ping',
    },
    { name: 'a 404 is a complete response, not an error', path: '/missing', status: 404, body: 'not found' },
  ];
  for (const c of bodies) {
    it(`${c.name}, and the connection is then reused`, async () => {
      const p = pool();
      const req = get(c.path, c.method, c.send);
      const [first, second] = await sendSequential(p, req, 2);
      for (const o of [first, second]) {
        expect(o?.ok).toBe(true);
        if (!o?.ok) return;
        expect(o.status).toBe(c.status);
        expect(o.body?.toString() ?? '').toBe(c.body);
        expect(o.sentAt).toBeLessThanOrEqual(o.firstByteAt);
        expect(o.firstByteAt).toBeLessThanOrEqual(o.doneAt);
      }
      expect(p.connectionsOpened).toBe(1);
    });
  }

  it.each([
    ['without keepHeaders a response carries the empty header record', false, {}],
    ['with keepHeaders a response carries its headers by lower-case name', true, { 'content-length': '19' }],
  ])('%s', async (_name, keepHeaders, expected) => {
    const o = await sendOne(pool({ keepHeaders }), get('/length'));
    expect(o).toMatchObject({ ok: true, status: 200, headers: expected });
    if (!o.ok) return;
    if (keepHeaders) expect(o.headers.date).toBeDefined();
    else expect(Object.keys(o.headers)).toEqual([]);
  });

  it('the outcome record is valid during the callback and reused by the next response', async () => {
    const p = pool();
    const req = get('/length');
    const seen: { status: number; bytes: number; record: object }[] = [];
    await new Promise<void>((resolve) => {
      const next = () =>
        p.send(req, (o) => {
          seen.push({ status: o.ok ? o.status : 0, bytes: o.ok ? o.bytes : 0, record: o });
          if (seen.length < 3) next();
          else resolve();
        });
      next();
    });
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200]);
    expect(seen.every((s) => s.bytes > 0)).toBe(true);
    // One connection, one record: whoever keeps it past the callback sees the latest response.
    expect(new Set(seen.map((s) => s.record)).size).toBe(1);
  });

  it('keep-alive reuses one server connection for many sequential requests', async () => {
    const before = state.connections;
    const p = pool();
    const outcomes = await sendSequential(p, get('/length'), 50);
    expect(outcomes.every((o) => o.ok && o.status === 200)).toBe(true);
    expect(state.connections - before).toBe(1);
    expect(p.openConnections).toBe(1);
  });

  it('a request sent from inside the previous callback reuses the connection', async () => {
    const before = state.connections;
    const p = pool();
    const req = get('/length');
    const statuses = await new Promise<number[]>((resolve) => {
      const seen: number[] = [];
      const next = () =>
        p.send(req, (o) => {
          seen.push(o.ok ? o.status : 0);
          if (seen.length < 20) next();
          else resolve(seen);
        });
      next();
    });
    expect(statuses).toEqual(Array(20).fill(200));
    expect(state.connections - before).toBe(1);
  });

  it('with keepAlive off every request gets its own connection', async () => {
    const before = state.connections;
    const p = pool({ keepAlive: false });
    const req = buildRequest({ method: 'GET', url: `${base}/length`, headers: {}, keepAlive: false });
    const outcomes = await sendSequential(p, req, 3);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(state.connections - before).toBe(3);
  });

  it('a Connection: close response retires the connection and the next request opens a new one', async () => {
    const before = state.connections;
    const p = pool();
    const outcomes = await sendSequential(p, get('/close'), 3);
    expect(outcomes.map((o) => (o.ok ? o.body?.toString() : o.error))).toEqual(['bye', 'bye', 'bye']);
    expect(state.connections - before).toBe(3);
  });

  it('the connection cap holds: extra requests queue and saturated is reported', async () => {
    const p = pool({ maxConnections: 2 });
    const req = get('/hold');
    const all = sendAll(p, [req, req, req, req, req]);
    await waitFor(() => state.held.length === 2);
    expect(p.openConnections).toBe(2);
    expect(p.inFlight).toBe(2);
    expect(p.queued).toBe(3);
    expect(p.saturated).toBe(true);
    // Release responses until all five have been served by the same two connections.
    while (state.held.length > 0 || p.queued > 0 || p.inFlight > 0) {
      for (const r of state.held.splice(0)) r.end('released');
      await new Promise((r) => setTimeout(r, 5));
    }
    const outcomes = await all;
    expect(outcomes.every((o) => o.ok && o.body?.toString() === 'released')).toBe(true);
    expect(p.connectionsOpened).toBe(2);
    expect(p.queuedTotal).toBe(3);
    expect(p.saturated).toBe(false);
  });

  it('a response slower than timeoutMs fails with timeout and the pool recovers', async () => {
    const p = pool({ timeoutMs: 100 });
    const slow = await sendOne(p, get('/hold'));
    expect(slow.ok).toBe(false);
    if (!slow.ok) {
      expect(slow.error).toBe('timeout');
      expect(slow.sentAt).toBeGreaterThan(0);
      expect(slow.doneAt - (slow.sentAt ?? 0)).toBeGreaterThanOrEqual(99);
    }
    const fast = await sendOne(p, get('/length'));
    expect(fast.ok).toBe(true);
    expect(p.connectionsOpened).toBe(2);
  });

  it('close() fails queued and in-flight requests and resolves once sockets are closed', async () => {
    const p = pool({ maxConnections: 1 });
    const all = sendAll(p, [get('/hold'), get('/hold')]);
    await waitFor(() => state.held.length === 1);
    await p.close();
    const outcomes = await all;
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error))).toEqual(['other', 'other']);
    expect(p.openConnections).toBe(0);
    const after = await sendOne(p, get('/length'));
    expect(after.ok ? 'ok' : after.error).toBe('other');
  });
});

describe('HttpPool pipelining and connection reuse races (raw server)', () => {
  it('pipelined requests are written before any answer and matched in order', async () => {
    let maxOutstanding = 0;
    const server = net.createServer((socket) => {
      let buffered = '';
      socket.on('data', (d) => {
        buffered += d.toString('latin1');
        const paths = [...buffered.matchAll(/GET (\S+) HTTP\/1\.1\r\n[\s\S]*?\r\n\r\n/g)].map(
          (m) => m[1] as string,
        );
        maxOutstanding = Math.max(maxOutstanding, paths.length);
        if (paths.length < 4) return;
        buffered = '';
        // Answer in request order, alternating framings, all in one write.
        const out = paths.map((path, i) =>
          i % 2 === 0
            ? `HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`
            : `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${path.length.toString(16)}\r\n${path}\r\n0\r\n\r\n`,
        );
        socket.write(out.join(''));
      });
    });
    const port = await listen(server);
    const p = new HttpPool(`http://127.0.0.1:${port}`, {
      ...testOptions,
      maxConnections: 1,
      pipelining: 4,
      keepBody: true,
    });
    const reqs = ['/a', '/bb', '/ccc', '/dddd'].map((path) =>
      buildRequest({ method: 'GET', url: `http://127.0.0.1:${port}${path}`, headers: {} }),
    );
    const outcomes = await sendAll(p, reqs);
    expect(outcomes.map((o) => (o.ok ? o.body?.toString() : o.error))).toEqual([
      '/a',
      '/bb',
      '/ccc',
      '/dddd',
    ]);
    expect(maxOutstanding).toBe(4);
    expect(p.connectionsOpened).toBe(1);
    await p.close();
    await closeServer(server);
  });

  it('a keep-alive connection the server closed while idle is replaced transparently', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      // Answer one request, then close the idle connection shortly after.
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        setTimeout(() => socket.end(), 10);
      });
    });
    const port = await listen(server);
    const p = new HttpPool(`http://127.0.0.1:${port}`, testOptions);
    const req = buildRequest({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {} });
    const first = await sendOne(p, req);
    await waitFor(() => p.openConnections === 0);
    const second = await sendOne(p, req);
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(connections).toBe(2);
    await p.close();
    await closeServer(server);
  });

  const races: { name: string; method: string; expected: string[] }[] = [
    {
      name: 'an idempotent request on a reused connection closed before any answer is retried once',
      method: 'GET',
      expected: ['ok', 'ok'],
    },
    {
      name: 'a POST on a reused connection closed before any answer fails with reset',
      method: 'POST',
      expected: ['ok', 'reset'],
    },
  ];
  for (const c of races) {
    it(c.name, async () => {
      // Each connection answers its first request and silently drops the connection on the second.
      const server = net.createServer((socket) => {
        let seen = 0;
        socket.on('data', () => {
          seen++;
          if (seen === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
          else socket.destroy();
        });
      });
      const port = await listen(server);
      const p = new HttpPool(`http://127.0.0.1:${port}`, testOptions);
      const req = buildRequest({ method: c.method, url: `http://127.0.0.1:${port}/`, headers: {} });
      const outcomes = await sendSequential(p, req, 2);
      expect(outcomes.map((o) => (o.ok ? 'ok' : o.error))).toEqual(c.expected);
      await p.close();
      await closeServer(server);
    });
  }
});

/** Polls a condition set by server callbacks (bounded: fails the test after 5 s). */
async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}
