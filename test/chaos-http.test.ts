/**
 * The HTTP fault proxy against a real local upstream: transparent forwarding
 * (status, headers, query, streamed bodies both ways) and each fault: abort,
 * percentage, delay, response delay, reset, header match, rule removal.
 */
import http from 'node:http';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createHttpFaultProxy,
  FAULT_HEADER,
  HttpFaultError,
  type HttpFaultProxy,
} from '../src/chaos/http/index.ts';
import {
  type Echo,
  patternChunk,
  patternSha256,
  startUpstream,
  type TestUpstream,
} from '../src/chaos/http/testing.ts';

let upstream: TestUpstream;
let proxy: HttpFaultProxy;
const agent = new Agent({ connections: 32 });

beforeAll(async () => {
  upstream = await startUpstream();
  proxy = await createHttpFaultProxy({ name: 'orders', listen: '127.0.0.1:0', upstream: upstream.url });
});

afterEach(() => {
  proxy.clear();
  upstream.hits.length = 0;
});

afterAll(async () => {
  await proxy.close();
  await agent.close();
  await upstream.close();
});

async function call(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const started = performance.now();
  const r = await request(`${proxy.url}${path}`, { dispatcher: agent, ...init });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, text, ms: performance.now() - started };
}

describe('without rules the proxy is transparent', () => {
  it('method, path, query, status, end-to-end headers and body pass through; the proxy marks itself', async () => {
    const r = await call('/orders/7?status=201&q=a%20b&q=2', {
      method: 'PUT',
      headers: { 'x-request-id': 'abc', 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(r.status).toBe(201);
    expect(r.headers['x-upstream']).toBe('yes');
    expect(r.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(r.headers.via).toBe('1.1 ballast-orders');
    expect(r.headers[FAULT_HEADER]).toBeUndefined();
    const seen = JSON.parse(r.text) as Echo;
    expect(seen.method).toBe('PUT');
    expect(seen.url).toBe('/orders/7?status=201&q=a%20b&q=2');
    expect(seen.bodyBytes).toBe(5);
    expect(seen.headers['x-request-id']).toBe('abc');
    expect(seen.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    expect(seen.headers['x-forwarded-host']).toBe(proxy.url.replace('http://', ''));
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers.via).toBe('1.1 ballast-orders');
  });

  it('a HEAD request and a bodyless GET stay bodyless upstream', async () => {
    const head = await call('/x', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    const get = JSON.parse((await call('/x')).text) as Echo;
    expect(get.bodyBytes).toBe(0);
    expect(get.headers['transfer-encoding']).toBeUndefined();
  });

  it('sequential requests reuse one kept-alive upstream connection', async () => {
    const before = upstream.connections();
    for (let i = 0; i < 50; i++) expect((await call(`/seq/${i}`)).status).toBe(200);
    expect(upstream.connections() - before).toBeLessThanOrEqual(1);
  });

  it('a 5 MB upload and a 5 MB download arrive byte for byte', async () => {
    const size = 5 * 1024 * 1024;
    const upload = await request(`${proxy.url}/upload`, {
      dispatcher: agent,
      method: 'POST',
      body: patternChunk(0, size),
    });
    const seen = (await upload.body.json()) as Echo;
    expect(seen.bodyBytes).toBe(size);
    expect(seen.sha256).toBe(patternSha256(size));

    const download = await request(`${proxy.url}/big?bytes=${size}`, { dispatcher: agent });
    const bytes = Buffer.from(await download.body.arrayBuffer());
    expect(bytes.length).toBe(size);
    expect(bytes.equals(patternChunk(0, size))).toBe(true);
  });

  it('a response streams: its first chunk reaches the client while the upstream still holds the rest', async () => {
    const r = await request(`${proxy.url}/hold`, { dispatcher: agent });
    const chunks = r.body[Symbol.asyncIterator]();
    const first = await within(5_000, chunks.next(), 'first chunk of a held response');
    expect(String(first.value)).toBe('first\n');
    upstream.release();
    let rest = '';
    for (let c = await chunks.next(); !c.done; c = await chunks.next()) rest += String(c.value);
    expect(rest).toBe('last\n');
  });

  it('a request body streams: the upstream sees its first chunk before the client sends the rest', async () => {
    const firstSeen = upstream.firstUploadChunk();
    async function* body() {
      yield patternChunk(0, 1024);
      await within(5_000, firstSeen, 'upstream seeing the first chunk of an unfinished upload');
      yield patternChunk(1024, 1024);
    }
    const r = await request(`${proxy.url}/upload`, {
      dispatcher: agent,
      method: 'POST',
      body: Readable.from(body()),
    });
    const seen = (await r.body.json()) as Echo;
    expect(seen.bodyBytes).toBe(2048);
    expect(seen.sha256).toBe(patternSha256(2048));
  });
});

describe('fault rules', () => {
  it('an abort on POST /api/* answers 503 there and leaves other methods and paths alone', async () => {
    const rule = proxy.addRule({ match: { path: '/api/*', method: 'POST' }, abort: { status: 503 } });
    const hit = await call('/api/orders', { method: 'POST', body: '{}' });
    expect(hit.status).toBe(503);
    expect(hit.headers[FAULT_HEADER]).toBe(rule.id);
    expect(hit.text).toBe(`fault injected by ballast rule "${rule.id}"\n`);
    expect((await call('/api/orders')).status).toBe(200);
    expect((await call('/other', { method: 'POST', body: '{}' })).status).toBe(200);
    expect(upstream.hits).toEqual(['/api/orders', '/other']);
    expect(proxy.stats().rules).toEqual([{ id: rule.id, matched: 1, injected: 1 }]);
  });

  it('an abort sends its own body and headers', async () => {
    proxy.addRule({
      id: 'teapot',
      abort: {
        status: 418,
        body: '{"e":1}',
        headers: { 'content-type': 'application/json', 'retry-after': '3' },
      },
    });
    const r = await call('/x');
    expect(r.status).toBe(418);
    expect(r.text).toBe('{"e":1}');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['retry-after']).toBe('3');
    expect(r.headers[FAULT_HEADER]).toBe('teapot');
  });

  it('percentage 50 over 400 requests faults between 30 and 70 % of them', async () => {
    const rule = proxy.addRule({ percentage: 50, abort: { status: 503 } });
    const before = proxy.stats().injected;
    let aborted = 0;
    for (let batch = 0; batch < 25; batch++) {
      const rs = await Promise.all(Array.from({ length: 16 }, () => call('/p')));
      aborted += rs.filter((r) => r.status === 503).length;
    }
    expect(aborted).toBeGreaterThanOrEqual(120);
    expect(aborted).toBeLessThanOrEqual(280);
    expect(proxy.stats().rules).toEqual([{ id: rule.id, matched: 400, injected: aborted }]);
    expect(proxy.stats().injected - before).toBe(aborted);
  });

  it('a 300 ms delay adds at least 270 ms and then forwards', async () => {
    const base = await call('/d');
    const rule = proxy.addRule({ match: { path: '/d' }, delay: { ms: 300 } });
    const slow = await call('/d');
    expect(slow.status).toBe(200);
    expect(slow.headers[FAULT_HEADER]).toBe(rule.id);
    expect(slow.ms).toBeGreaterThanOrEqual(270);
    expect(slow.ms - base.ms).toBeLessThan(3_000);
    expect(upstream.hits).toEqual(['/d', '/d']);
  });

  it('a delay then an abort waits first and never reaches the upstream', async () => {
    proxy.addRule({ delay: { ms: 200 }, abort: { status: 500 } });
    const r = await call('/da');
    expect(r.status).toBe(500);
    expect(r.ms).toBeGreaterThanOrEqual(180);
    expect(upstream.hits).toEqual([]);
  });

  it('a 300 ms response delay holds the upstream’s answer at least 270 ms', async () => {
    const rule = proxy.addRule({ responseDelay: { ms: 300 } });
    const r = await call('/rd?status=202');
    expect(r.status).toBe(202);
    expect(r.headers[FAULT_HEADER]).toBe(rule.id);
    expect(r.ms).toBeGreaterThanOrEqual(270);
  });

  it('a reset gives the client a socket error and no response', async () => {
    proxy.addRule({ match: { path: '/reset' }, reset: true });
    const err = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const req = http.get(`${proxy.url}/reset`, { agent: false }, () => reject(new Error('got a response')));
      req.on('error', resolve);
    });
    expect(err.code === 'ECONNRESET' || /socket hang up/.test(err.message)).toBe(true);
    expect(upstream.hits).toEqual([]);
    expect((await call('/after-reset')).status).toBe(200);
    expect(proxy.stats().clientAborts).toBe(0);
  });

  it('a header match faults only the requests that carry it', async () => {
    proxy.addRule({ match: { headers: { 'x-user': 'alice' } }, abort: { status: 429 } });
    expect((await call('/h', { headers: { 'x-user': 'alice' } })).status).toBe(429);
    expect((await call('/h', { headers: { 'x-user': 'bob' } })).status).toBe(200);
    expect((await call('/h')).status).toBe(200);
  });

  it('removing a rule restores plain forwarding, and removing it again is harmless', async () => {
    const rule = proxy.addRule({ abort: { status: 503 } });
    expect((await call('/r')).status).toBe(503);
    expect(proxy.removeRule(rule.id)).toBe(true);
    expect((await call('/r')).status).toBe(200);
    expect(proxy.removeRule(rule.id)).toBe(false);
    expect(proxy.rules()).toEqual([]);
  });

  it('removing a rule releases requests waiting in its delay, and they are forwarded', async () => {
    const rule = proxy.addRule({ delay: { ms: 30_000 }, abort: { status: 503 } });
    const pending = call('/released');
    await until(() => proxy.stats().rules[0]?.injected === 1);
    proxy.removeRule(rule.id);
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(10_000);
    expect(upstream.hits).toEqual(['/released']);
  });

  it('an update changes what a rule does without changing its place or id', async () => {
    const rule = proxy.addRule({ abort: { status: 500 } });
    proxy.updateRule(rule.id, { abort: { status: 502 } });
    expect((await call('/u')).status).toBe(502);
    expect(proxy.rules().map((r) => r.id)).toEqual([rule.id]);
  });

  it.each([
    ['percentage 150', { percentage: 150, abort: { status: 503 } }, 'percentage', 'at most 100'],
    ['status 42', { abort: { status: 42 } }, 'abort.status', '200 to 599'],
    ['an unknown key', { abort: { status: 503 }, probability: 1 }, 'probability', 'unknown field'],
    [
      'a bad regex',
      { match: { path: { regex: '*a' } }, abort: { status: 503 } },
      'match.path.regex',
      'not a valid regular expression',
    ],
  ])('a rule with %s is refused with an error naming the field', (_name, input, path, message) => {
    let err: unknown;
    try {
      proxy.addRule(input as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpFaultError);
    expect((err as HttpFaultError).code).toBe('invalid_rule');
    expect((err as HttpFaultError).issues).toContainEqual({
      path,
      message: expect.stringContaining(message),
    });
    expect((err as HttpFaultError).message).toContain(`${path}: `);
    expect(proxy.rules()).toEqual([]);
  });
});

async function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${ms} ms waiting for ${what} (buffered?)`)),
      ms,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}
