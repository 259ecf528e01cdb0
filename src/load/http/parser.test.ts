import { describe, expect, it } from 'vitest';
import { NEED_MORE, PARSE_ERROR, ResponseParser } from './parser.ts';

interface Parsed {
  status: number;
  body: string;
  bytes: number;
  shouldClose: boolean;
  headers: Record<string, string>;
}

/** Feeds `raw` in pieces of `step` bytes (0 = all at once); returns the completed responses or the error. */
function parseAll(
  raw: string,
  step: number,
  opts: { head?: boolean; eof?: boolean; keepHeaders?: boolean } = {},
): Parsed[] | string {
  const parser = new ResponseParser(true, opts.keepHeaders !== false);
  parser.headRequest = opts.head === true;
  const buf = Buffer.from(raw, 'latin1');
  const out: Parsed[] = [];
  const take = () => {
    out.push({
      status: parser.status,
      body: parser.body()?.toString('latin1') ?? '',
      bytes: parser.bytes,
      shouldClose: parser.shouldClose,
      headers: parser.headers,
    });
    parser.reset();
  };
  const size = step === 0 ? buf.length : step;
  for (let at = 0; at < buf.length; at += size) {
    const piece = buf.subarray(at, Math.min(buf.length, at + size));
    let off = 0;
    while (off < piece.length) {
      const r = parser.execute(piece, off);
      if (r === PARSE_ERROR) return parser.error;
      if (r === NEED_MORE) break;
      take();
      off = r;
    }
  }
  if (opts.eof && parser.finishOnEof()) take();
  return out;
}

const ok = (status: number, body: string, raw: string, extra: Partial<Parsed> = {}) => ({
  status,
  body,
  bytes: Buffer.byteLength(raw, 'latin1'),
  shouldClose: false,
  ...extra,
});

describe('ResponseParser', () => {
  const cases: { name: string; raw: string; head?: boolean; eof?: boolean; expected: Partial<Parsed>[] }[] = [
    (() => {
      const raw = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello';
      return { name: 'a content-length body is read exactly', raw, expected: [ok(200, 'hello', raw)] };
    })(),
    (() => {
      const raw =
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
      return {
        name: 'a chunked body is reassembled from its chunks',
        raw,
        expected: [ok(200, 'hello world', raw)],
      };
    })(),
    (() => {
      const raw =
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA;name=value\r\n0123456789\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n';
      return {
        name: 'chunk extensions and trailers are accepted and skipped',
        raw,
        expected: [ok(200, '0123456789', raw)],
      };
    })(),
    (() => {
      const a = 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na';
      const b = 'HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n';
      return {
        name: 'two pipelined responses in one buffer are returned in order',
        raw: a + b,
        expected: [ok(200, 'a', a), ok(404, 'b', b)],
      };
    })(),
    (() => {
      const raw = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok';
      return {
        name: 'a 100 Continue is skipped and the final response read',
        raw,
        expected: [ok(201, 'ok', raw)],
      };
    })(),
    (() => {
      const raw = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n';
      return {
        name: 'a HEAD response has no body despite its content-length',
        raw,
        head: true,
        expected: [ok(200, '', raw)],
      };
    })(),
    (() => {
      const raw = 'HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n';
      return { name: 'a 204 response has no body', raw, expected: [ok(204, '', raw)] };
    })(),
    (() => {
      const raw = 'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n';
      return { name: 'a 304 response has no body', raw, expected: [ok(304, '', raw)] };
    })(),
    (() => {
      const raw = 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end';
      return {
        name: 'a body without length runs until the connection closes',
        raw,
        eof: true,
        expected: [ok(200, 'until the end', raw, { shouldClose: true })],
      };
    })(),
    (() => {
      const raw = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
      return {
        name: 'Connection: close asks to retire the connection',
        raw,
        expected: [ok(200, '', raw, { shouldClose: true })],
      };
    })(),
    (() => {
      const raw = 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n';
      return {
        name: 'an HTTP/1.0 response without keep-alive closes',
        raw,
        expected: [ok(200, '', raw, { shouldClose: true })],
      };
    })(),
    (() => {
      const raw = 'HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 0\r\n\r\n';
      return {
        name: 'header names are lower-cased and repeats joined',
        raw,
        expected: [ok(200, '', raw, { headers: { 'set-cookie': 'a=1, b=2', 'content-length': '0' } })],
      };
    })(),
    (() => {
      const raw = 'HTTP/1.1 200 OK\r\nX-A: a\nb\r\nContent-Length: 2\r\n\r\nhi';
      return { name: 'a bare LF inside a value belongs to the value', raw, expected: [ok(200, 'hi', raw)] };
    })(),
    (() => {
      const raw = '\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx';
      return { name: 'an empty line before the status line is skipped', raw, expected: [ok(200, 'x', raw)] };
    })(),
  ];

  for (const step of [0, 1, 3, 7]) {
    for (const c of cases) {
      it(`${c.name} (fed ${step === 0 ? 'whole' : `${step} byte(s) at a time`})`, () => {
        const result = parseAll(c.raw, step, { head: c.head, eof: c.eof });
        expect(typeof result).not.toBe('string');
        expect(result).toHaveLength(c.expected.length);
        (result as Parsed[]).forEach((r, i) => {
          expect(r).toMatchObject(c.expected[i] as Partial<Parsed>);
        });
      });
    }
  }

  const bad: { name: string; raw: string; error: RegExp }[] = [
    {
      name: 'garbage instead of a status line is an error',
      raw: 'SSH-2.0-OpenSSH\r\n\r\n',
      error: /bad status line/,
    },
    {
      name: 'a header line without a colon is an error',
      raw: 'HTTP/1.1 200 OK\r\nnocolon\r\n\r\n',
      error: /bad header line/,
    },
    {
      name: 'a header name with a space is an error',
      raw: 'HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n',
      error: /bad header name/,
    },
    {
      name: 'a non-numeric content-length is an error',
      raw: 'HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n',
      error: /content-length/,
    },
    {
      name: 'conflicting content-lengths are an error',
      raw: 'HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n',
      error: /content-length/,
    },
    {
      name: 'a chunk size that is not hex is an error',
      raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      error: /hexadecimal/,
    },
    {
      name: 'chunk data longer than its size is an error',
      raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n',
      error: /longer than its size/,
    },
    {
      name: 'a head larger than 64 KiB is an error',
      raw: `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`,
      error: /too large/,
    },
  ];
  for (const step of [0, 1]) {
    for (const c of bad) {
      it(`${c.name} (fed ${step === 0 ? 'whole' : 'byte by byte'})`, () => {
        const result = parseAll(c.raw, step === 0 ? 0 : c.raw.length > 1000 ? 997 : 1);
        expect(result).toMatch(c.error);
      });
    }
  }

  // Without keepHeaders a whole head takes a one-pass path of its own: it must come to exactly the
  // same results and errors as the general path, whatever the response and however it is fed.
  const withoutHeaders = (r: Parsed[] | string) =>
    typeof r === 'string' ? r : r.map(({ headers: _, ...rest }) => rest);
  for (const step of [0, 1, 5]) {
    for (const c of [...cases, ...bad]) {
      it(`${c.name}: the same without keepHeaders (fed ${step === 0 ? 'whole' : `${step} byte(s) at a time`})`, () => {
        const opts = { head: 'head' in c && c.head === true, eof: 'eof' in c && c.eof === true };
        const general = parseAll(c.raw, step, opts);
        const load = parseAll(c.raw, step, { ...opts, keepHeaders: false });
        expect(withoutHeaders(load)).toEqual(withoutHeaders(general));
      });
    }
  }

  it('a response cut short before its content-length is incomplete, not finished at EOF', () => {
    const parser = new ResponseParser(false);
    const buf = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    expect(parser.execute(buf, 0)).toBe(NEED_MORE);
    expect(parser.started).toBe(true);
    expect(parser.finishOnEof()).toBe(false);
    expect(parser.body()).toBeUndefined();
  });
});

describe('ResponseParser without keepHeaders (the load path)', () => {
  /** Parses one whole response with `keepHeaders` off. */
  function framing(raw: string, eof = false) {
    const parser = new ResponseParser(true, false);
    const buf = Buffer.from(raw, 'latin1');
    const r = parser.execute(buf, 0);
    if (r === PARSE_ERROR) return { error: parser.error };
    const done = r !== NEED_MORE || (eof && parser.finishOnEof());
    return {
      done,
      status: parser.status,
      body: parser.body()?.toString('latin1') ?? '',
      shouldClose: parser.shouldClose,
      headers: parser.headers,
    };
  }

  const cases: { name: string; raw: string; eof?: boolean; expected: Record<string, unknown> }[] = [
    {
      name: 'content-length in any letter case frames the body',
      raw: 'HTTP/1.1 200 OK\r\nServer: x\r\nCONTENT-length:   5  \r\n\r\nhello',
      expected: { done: true, status: 200, body: 'hello', shouldClose: false },
    },
    {
      name: 'a repeated identical content-length is accepted',
      raw: 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nhi',
      expected: { done: true, status: 200, body: 'hi' },
    },
    {
      name: 'chunked as the last transfer coding frames chunks',
      raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip ,\tChunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
      expected: { done: true, status: 200, body: 'abc', shouldClose: false },
    },
    {
      name: 'a transfer coding other than chunked last reads to close',
      raw: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw bytes',
      eof: true,
      expected: { done: true, body: 'raw bytes', shouldClose: true },
    },
    {
      name: 'connection: close among other tokens closes',
      raw: 'HTTP/1.1 204 No Content\r\nConnection: Upgrade, CLOSE\r\n\r\n',
      expected: { done: true, status: 204, shouldClose: true },
    },
    {
      name: 'HTTP/1.0 stays open only with keep-alive',
      raw: 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n',
      expected: { done: true, status: 200, shouldClose: false },
    },
    {
      name: 'a status line without a reason phrase is accepted',
      raw: 'HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n',
      expected: { done: true, status: 503 },
    },
    {
      name: 'a head with more lines than the scan records (128) still finds a late content-length',
      raw: `HTTP/1.1 200 OK\r\n${'X-Filler: 1\r\n'.repeat(200)}Content-Length: 3\r\n\r\nabc`,
      expected: { done: true, status: 200, body: 'abc', shouldClose: false },
    },
    {
      name: 'line ends at odd and even offsets are all found (one-letter names and empty values)',
      raw: 'HTTP/1.1 200 OK\r\nA:\r\nBB:\r\nC: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi',
      expected: { done: true, status: 200, body: 'hi', shouldClose: true },
    },
    {
      name: 'a bare CR inside a value does not end the line or the head',
      raw: 'HTTP/1.1 200 OK\r\nX-Odd: a\rb\r\r\nContent-Length: 1\r\n\r\nz',
      expected: { done: true, status: 200, body: 'z' },
    },
    {
      name: 'a header name that is not a token is still an error',
      raw: 'HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n',
      expected: { error: 'bad header name "bad name"' },
    },
    {
      name: 'a content-length with a sign is an error',
      raw: 'HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello',
      expected: { error: 'bad content-length "+5"' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(framing(c.raw, c.eof)).toMatchObject(c.expected);
    });
  }

  it('a head split at any byte parses the same as a whole one (line ends of a carried head are re-scanned)', () => {
    const raw =
      'HTTP/1.1 200 OK\r\nServer: x\r\nDate: today\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok';
    const buf = Buffer.from(raw, 'latin1');
    const results: unknown[] = [];
    for (let cut = 1; cut < buf.length; cut++) {
      const parser = new ResponseParser(true, false);
      const a = parser.execute(buf.subarray(0, cut), 0);
      const b = a === NEED_MORE ? parser.execute(buf.subarray(cut), 0) : a;
      results.push([b !== NEED_MORE && b !== PARSE_ERROR, parser.status, parser.body()?.toString()]);
    }
    expect(new Set(results.map((r) => JSON.stringify(r)))).toEqual(
      new Set([JSON.stringify([true, 200, 'ok'])]),
    );
  });

  it('builds no header record: headers is the shared empty record', () => {
    const r = framing('HTTP/1.1 200 OK\r\nX-Request-Id: 7\r\nContent-Length: 0\r\n\r\n');
    expect(r.headers).toEqual({});
    expect(Object.isFrozen(r.headers)).toBe(true);
  });

  it('builds the header record when keepHeaders is switched on', () => {
    const parser = new ResponseParser(false, true);
    const raw = Buffer.from(
      'HTTP/1.1 200 OK\r\nX-Request-Id: 7\r\nSet-Cookie: a\r\nset-cookie: b\r\nContent-Length: 0\r\n\r\n',
    );
    expect(parser.execute(raw, 0)).toBe(raw.length);
    expect(parser.headers).toEqual({ 'x-request-id': '7', 'set-cookie': 'a, b', 'content-length': '0' });
  });

  it('reads only up to `end` of a reused buffer, ignoring stale bytes after it', () => {
    const parser = new ResponseParser(true, false);
    const buf = Buffer.alloc(256, 0x20);
    // Stale bytes of an earlier read, with a complete head, sit past `end`.
    buf.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 100, 'latin1');
    const first = 'HTTP/1.1 201 Created\r\nContent-Length: 4\r\n';
    buf.write(first, 0, 'latin1');
    expect(parser.execute(buf, 0, first.length)).toBe(NEED_MORE);
    // The next read overwrites the same buffer from 0.
    const rest = '\r\nbody';
    buf.write(rest, 0, 'latin1');
    expect(parser.execute(buf, 0, rest.length)).toBe(rest.length);
    expect(parser.status).toBe(201);
    expect(parser.body()?.toString()).toBe('body');
  });
});
