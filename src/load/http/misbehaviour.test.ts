import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { RequestOutcome } from './outcome.ts';
import { HttpPool } from './pool.ts';
import { buildRequest } from './request.ts';
import { closeServer, listen, sendOne, sendSequential, testOptions } from './testing.ts';

/** A raw TCP server that runs `onRequest` with the socket on the first bytes of each connection. */
async function rawServer(onRequest: (socket: net.Socket) => void) {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => onRequest(socket));
  });
  const port = await listen(server);
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** Writes `text` one byte per write, each on its own turn of the event loop, then runs `after`. */
function dribble(socket: net.Socket, text: string, after?: () => void): void {
  socket.setNoDelay(true);
  const bytes = Buffer.from(text, 'latin1');
  let i = 0;
  const step = () => {
    if (socket.destroyed) return;
    if (i >= bytes.length) return after?.();
    socket.write(bytes.subarray(i, i + 1));
    i++;
    setImmediate(step);
  };
  step();
}

async function once(url: string, opts: Partial<typeof testOptions> = {}): Promise<RequestOutcome> {
  const pool = new HttpPool(url, { ...testOptions, keepBody: true, ...opts });
  const outcome = await sendOne(pool, buildRequest({ method: 'GET', url, headers: {} }));
  await pool.close();
  return outcome;
}

const summary = (o: RequestOutcome) => (o.ok ? `${o.status} ${o.body?.toString() ?? ''}` : o.error);

describe('HttpPool against misbehaving servers', () => {
  const cases: { name: string; serve: (s: net.Socket) => void; expected: string }[] = [
    {
      name: 'a chunked body dribbled byte by byte over TCP is reassembled',
      serve: (s) =>
        dribble(
          s,
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nabcd\r\n3\r\nefg\r\n0\r\nT: 1\r\n\r\n',
        ),
      expected: '200 abcdefg',
    },
    {
      name: 'a content-length body dribbled byte by byte is read exactly',
      serve: (s) => dribble(s, 'HTTP/1.1 201 Created\r\nContent-Length: 6\r\n\r\nslowly'),
      expected: '201 slowly',
    },
    {
      name: 'a body delimited by the server closing the connection completes at the close',
      serve: (s) => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close'),
      expected: '200 until close',
    },
    {
      name: 'a server closing mid-body gives closed_mid_response',
      serve: (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part'),
      expected: 'closed_mid_response',
    },
    {
      name: 'a server closing mid-head gives closed_mid_response',
      serve: (s) => dribble(s, 'HTTP/1.1 200 OK\r\nContent-Len', () => s.end()),
      expected: 'closed_mid_response',
    },
    {
      name: 'a server resetting mid-chunk gives closed_mid_response',
      serve: (s) => {
        s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc');
        setImmediate(() => s.resetAndDestroy());
      },
      expected: 'closed_mid_response',
    },
    {
      name: 'a fresh connection closed without an answer gives reset',
      serve: (s) => s.destroy(),
      expected: 'reset',
    },
    {
      name: 'garbage instead of HTTP gives bad_response',
      serve: (s) => s.write('SSH-2.0-OpenSSH_9.2\r\n\r\n'),
      expected: 'bad_response',
    },
    {
      name: 'a bad chunk size gives bad_response',
      serve: (s) => s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnothex\r\n'),
      expected: 'bad_response',
    },
    {
      name: 'a server that never answers gives timeout',
      serve: () => {},
      expected: 'timeout',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { server, url } = await rawServer(c.serve);
      const outcome = await once(url, { timeoutMs: 300 });
      expect(summary(outcome)).toBe(c.expected);
      if (!outcome.ok) expect(outcome.message.length).toBeGreaterThan(0);
      await closeServer(server);
    });
  }

  it('a garbage response drops the connection and the next request uses a new one', async () => {
    let connections = 0;
    const { server, url } = await rawServer((s) => {
      connections++;
      s.write(connections === 1 ? 'garbage\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const pool = new HttpPool(url, { ...testOptions, keepBody: true });
    const outcomes = await sendSequential(pool, buildRequest({ method: 'GET', url, headers: {} }), 2);
    expect(outcomes.map(summary)).toEqual(['bad_response', '200 ok']);
    expect(connections).toBe(2);
    await pool.close();
    await closeServer(server);
  });

  it('a timeout on a pipelined connection fails the oldest with timeout and the rest with reset', async () => {
    const { server, url } = await rawServer(() => {});
    const pool = new HttpPool(url, { ...testOptions, maxConnections: 1, pipelining: 3, timeoutMs: 200 });
    const req = buildRequest({ method: 'GET', url, headers: {} });
    const outcomes = await Promise.all([sendOne(pool, req), sendOne(pool, req), sendOne(pool, req)]);
    expect(outcomes.map(summary)).toEqual(['timeout', 'reset', 'reset']);
    await pool.close();
    await closeServer(server);
  });

  it('a refused port gives connect_refused for every request', async () => {
    const probe = net.createServer();
    const port = await listen(probe);
    await closeServer(probe);
    const url = `http://127.0.0.1:${port}/`;
    const pool = new HttpPool(url, { ...testOptions, maxConnections: 2 });
    const req = buildRequest({ method: 'GET', url, headers: {} });
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => sendOne(pool, req)));
    expect(outcomes.map(summary)).toEqual(Array(5).fill('connect_refused'));
    expect(outcomes.every((o) => !o.ok && o.sentAt === undefined)).toBe(true);
    expect(pool.openConnections).toBe(0);
    await pool.close();
  });

  it('a name that does not resolve gives dns', async () => {
    const outcome = await once('http://no-such-host.invalid:8080/');
    expect(summary(outcome)).toBe('dns');
  });
});
