import { lookup } from 'node:dns/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation, PhaseTimings } from '../types.ts';
import {
  closeServer,
  httpSpec,
  insecure,
  listen,
  makeTestCertificates,
  rawServer,
  refusedPort,
  startDnsServer,
  type TestCertificates,
  type TestDnsServer,
} from './http/testing.ts';
import { runHttpCheck } from './http.ts';

const ctx = { timeoutMs: 10_000 };

/** Every phase that is present is a plausible duration, and together they fit in the response time. */
function expectPlausiblePhases(o: Observation, names: (keyof PhaseTimings)[]): void {
  for (const name of names) {
    expect(o.phases[name], `phase ${name}`).toBeGreaterThanOrEqual(0);
  }
  const sum = Object.values(o.phases).reduce((a, b) => a + (b ?? 0), 0);
  // Slack for the work around the phases (parsing, timers) that no phase counts.
  expect(sum).toBeLessThanOrEqual(o.context.responseTimeMs + 5);
}

/** Routes of the plain HTTP test server. */
function route(req: IncomingMessage, res: ServerResponse, received: { body: string }): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const hops = /^\/redirect\/(\d+)$/.exec(url.pathname);
  if (hops) {
    const n = Number(hops[1]);
    if (n === 0) res.end('arrived');
    else res.writeHead(302, { location: `/redirect/${n - 1}` }).end();
    return;
  }
  switch (url.pathname) {
    case '/hello':
      res.setHeader('X-Custom', 'yes');
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.writeHead(201, { 'Content-Type': 'text/plain; charset=utf-8' }).end('hello wörld');
      return;
    case '/echo':
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          method: req.method,
          test: req.headers['x-test'] ?? null,
          body: received.body,
          url: req.url,
        }),
      );
      return;
    case '/see-other':
      res.writeHead(303, { location: '/echo?after=303' }).end();
      return;
    case '/slow':
      // Never answers: the check's deadline must end it.
      return;
    case '/slow-body':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part');
      return;
    case '/huge': {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      let sent = 0;
      const write = () => {
        // Bounded: 64 chunks (1 MiB), written as the socket drains.
        while (sent < 64) {
          sent++;
          if (!res.write(chunk)) {
            res.once('drain', write);
            return;
          }
        }
        res.end();
      };
      res.on('error', () => undefined);
      write();
      return;
    }
    default:
      res.writeHead(404).end('not found');
  }
}

describe('runHttpCheck over plain HTTP', () => {
  let server: http.Server;
  let base = '';
  const bodies: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        bodies.push(body);
        route(req, res, { body });
      });
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => closeServer(server));

  it('captures status, headers (lower-case, repeats joined) and the UTF-8 body', async () => {
    const o = await runHttpCheck(httpSpec(`${base}/hello`), ctx);
    expect(o.error).toBeUndefined();
    expect(o.context.status).toBe(201);
    expect(o.context.body).toBe('hello wörld');
    expect(o.context.headers?.['x-custom']).toBe('yes');
    expect(o.context.headers?.['set-cookie']).toBe('a=1, b=2');
    expect(o.context.headers?.['content-type']).toBe('text/plain; charset=utf-8');
    expect(o.context.connected).toBe(true);
    expect(o.context.ip).toBe('127.0.0.1');
    expect(o.context.certificateExpirationMs).toBeUndefined();
    expect(o.certificateNotAfter).toBeUndefined();
  });

  it('sends the method, headers and body as given', async () => {
    const spec = httpSpec(`${base}/echo`, {
      request: { method: 'PUT', url: `${base}/echo?q=1#frag`, headers: { 'X-Test': 'abc' }, body: '{"a":1}' },
    });
    const o = await runHttpCheck(spec, ctx);
    expect(JSON.parse(o.context.body ?? '')).toEqual({
      method: 'PUT',
      test: 'abc',
      body: '{"a":1}',
      url: '/echo?q=1',
    });
  });

  it('times the phases of a plain request: resolve is 0 for an IP literal and there is no tls phase', async () => {
    const o = await runHttpCheck(httpSpec(`${base}/hello`), ctx);
    expect(o.phases.resolve).toBe(0);
    expect(o.phases.tls).toBeUndefined();
    expectPlausiblePhases(o, ['resolve', 'connect', 'processing', 'transfer']);
    expect(o.context.responseTimeMs).toBeGreaterThan(0);
  });

  it('uses a fresh connection for every execution', async () => {
    let connections = 0;
    const count = () => connections++;
    server.on('connection', count);
    await runHttpCheck(httpSpec(`${base}/hello`), ctx);
    await runHttpCheck(httpSpec(`${base}/hello`), ctx);
    server.off('connection', count);
    expect(connections).toBe(2);
  });

  it('follows redirects up to the limit and judges the final response', async () => {
    const o = await runHttpCheck(httpSpec(`${base}/redirect/3`, { maxRedirects: 3 }), ctx);
    expect(o.error).toBeUndefined();
    expect(o.context.status).toBe(200);
    expect(o.context.body).toBe('arrived');
  });

  it('reports a protocol error when the redirects pass the limit', async () => {
    const o = await runHttpCheck(httpSpec(`${base}/redirect/3`, { maxRedirects: 2 }), ctx);
    expect(o.error?.kind).toBe('protocol');
    expect(o.error?.message).toContain('too many redirects');
    expect(o.context.status).toBe(302);
  });

  it('does not follow redirects when told not to: the redirect is the answer', async () => {
    const o = await runHttpCheck(httpSpec(`${base}/redirect/1`, { followRedirects: false }), ctx);
    expect(o.error).toBeUndefined();
    expect(o.context.status).toBe(302);
    expect(o.context.headers?.location).toBe('/redirect/0');
  });

  it('turns a POST into a GET without its body after a 303', async () => {
    const spec = httpSpec(`${base}/see-other`, {
      request: {
        method: 'POST',
        url: `${base}/see-other`,
        headers: { 'content-type': 'text/plain' },
        body: 'form',
      },
    });
    const o = await runHttpCheck(spec, ctx);
    expect(JSON.parse(o.context.body ?? '')).toMatchObject({
      method: 'GET',
      body: '',
      url: '/echo?after=303',
    });
  });

  it('ends a request the server never answers with a timeout at the deadline', async () => {
    const o = await runHttpCheck(httpSpec(`${base}/slow`), { timeoutMs: 300 });
    expect(o.error?.kind).toBe('timeout');
    expect(o.context.connected).toBe(true);
    expect(o.context.responseTimeMs).toBeGreaterThanOrEqual(250);
    expect(o.context.responseTimeMs).toBeLessThan(5000);
  });

  it('keeps the status of a response whose body stalls past the deadline', async () => {
    const o = await runHttpCheck(httpSpec(`${base}/slow-body`), { timeoutMs: 300 });
    expect(o.error?.kind).toBe('timeout');
    expect(o.context.status).toBe(200);
    expect(o.context.body).toBe('first part');
  });

  it('caps a huge body, keeps the capped part and says how much was read', async () => {
    const o = await runHttpCheck(httpSpec(`${base}/huge`, { maxBodyBytes: 1000 }), ctx);
    expect(o.error?.kind).toBe('body_too_large');
    expect(o.context.body).toBe('x'.repeat(1000));
    const read = Number(/reading (\d+) bytes/.exec(o.error?.message ?? '')?.[1]);
    expect(read).toBeGreaterThan(1000);
    expect(read).toBeLessThan(1024 * 1024);
    expect(o.context.status).toBe(200);
  });

  it('reads a body of exactly the cap without an error', async () => {
    const o = await runHttpCheck(
      httpSpec(`${base}/hello`, { maxBodyBytes: Buffer.byteLength('hello wörld') }),
      ctx,
    );
    expect(o.error).toBeUndefined();
    expect(o.context.body).toBe('hello wörld');
  });

  it('reports a cancelled execution as a timeout', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const o = await runHttpCheck(httpSpec(`${base}/slow`), { timeoutMs: 10_000, signal: controller.signal });
    expect(o.error).toEqual({ kind: 'timeout', message: 'the execution was cancelled' });
    expect(o.context.responseTimeMs).toBeLessThan(5000);
  });

  it('rejects a header the protocol cannot carry as a config error', async () => {
    const spec = httpSpec(`${base}/hello`, {
      request: { method: 'GET', url: `${base}/hello`, headers: { 'bad header': 'x' } },
    });
    const o = await runHttpCheck(spec, ctx);
    expect(o.error?.kind).toBe('config');
  });
});

describe('runHttpCheck across origins', () => {
  it('follows a redirect to another origin on a new connection, without the credentials', async () => {
    const seen: { authorization?: string; trace?: string }[] = [];
    const target = http.createServer((req, res) => {
      seen.push({ authorization: req.headers.authorization, trace: String(req.headers['x-trace']) });
      res.end('other origin');
    });
    const targetPort = await listen(target);
    const origin = http.createServer((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${targetPort}/landing` }).end();
    });
    const originPort = await listen(origin);
    let connections = 0;
    for (const s of [origin, target]) s.on('connection', () => connections++);
    try {
      const url = `http://127.0.0.1:${originPort}/start`;
      const headers = { Authorization: 'Bearer secret', 'X-Trace': 't-1' };
      const o = await runHttpCheck(httpSpec(url, { request: { method: 'GET', url, headers } }), ctx);
      expect(o.error).toBeUndefined();
      expect(o.context.body).toBe('other origin');
      expect(seen).toEqual([{ authorization: undefined, trace: 't-1' }]);
      expect(connections).toBe(2);
      expectPlausiblePhases(o, ['resolve', 'connect', 'processing', 'transfer']);
    } finally {
      await closeServer(origin);
      await closeServer(target);
    }
  });
});

describe('runHttpCheck errors before or outside HTTP', () => {
  let dns: TestDnsServer;
  let appServer: http.Server;
  let appPort = 0;

  beforeAll(async () => {
    dns = await startDnsServer({ 'app.test': '127.0.0.1' }, ['hanging.test']);
    appServer = http.createServer((_req, res) => res.end('app'));
    appPort = await listen(appServer);
  });
  afterAll(async () => {
    await dns.close();
    await closeServer(appServer);
  });

  const cases: { name: string; url: string; kind: string; message: RegExp }[] = [
    {
      name: 'a URL that does not parse is a config error',
      url: 'not a url',
      kind: 'config',
      message: /invalid URL/,
    },
    {
      name: 'a URL that is not http(s) is a config error',
      url: 'ftp://127.0.0.1/',
      kind: 'config',
      message: /not http/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const o = await runHttpCheck(httpSpec(c.url), ctx);
      expect(o.error?.kind).toBe(c.kind);
      expect(o.error?.message).toMatch(c.message);
      expect(o.context.connected).toBe(false);
    });
  }

  it('reports a refused connection as connect, not connected', async () => {
    const port = await refusedPort();
    const o = await runHttpCheck(httpSpec(`http://127.0.0.1:${port}/`), ctx);
    expect(o.error?.kind).toBe('connect');
    expect(o.error?.message).toContain('ECONNREFUSED');
    expect(o.context.connected).toBe(false);
    expect(o.context.ip).toBe('127.0.0.1');
  });

  it('reports a name that does not resolve as dns', async () => {
    const o = await runHttpCheck(httpSpec('http://nothing-here.invalid/'), ctx, { lookup: dns.lookup });
    expect(o.error?.kind).toBe('dns');
    expect(o.error?.message).toContain('nothing-here.invalid');
    expect(o.context.connected).toBe(false);
    expect(dns.queries).toContain('nothing-here.invalid');
  });

  it('ends in a timeout at the deadline when the resolver does not answer', async () => {
    const o = await runHttpCheck(
      httpSpec('http://hanging.test/'),
      { timeoutMs: 300 },
      { lookup: dns.lookup },
    );
    expect(o.error?.kind).toBe('timeout');
    expect(o.context.connected).toBe(false);
    expect(o.context.responseTimeMs).toBeGreaterThanOrEqual(250);
    expect(o.context.responseTimeMs).toBeLessThan(1500);
    expect(dns.queries).toContain('hanging.test');
  });

  it('resolves a name, times the lookup and reports the address connected to', async () => {
    const o = await runHttpCheck(httpSpec(`http://app.test:${appPort}/`), ctx, { lookup: dns.lookup });
    expect(o.error).toBeUndefined();
    expect(o.context.body).toBe('app');
    expect(o.context.ip).toBe('127.0.0.1');
    expect(o.phases.resolve).toBeGreaterThan(0);
    expectPlausiblePhases(o, ['resolve', 'connect', 'processing', 'transfer']);
  });

  it('resolves names with the system resolver by default (localhost from the hosts file)', async () => {
    const { address } = await lookup('localhost');
    const server = http.createServer((_req, res) => res.end('local'));
    const port = await listen(server, address);
    try {
      const o = await runHttpCheck(httpSpec(`http://localhost:${port}/`), ctx);
      expect(o.error).toBeUndefined();
      expect(o.context.ip).toBe(address);
      expect(o.phases.resolve).toBeGreaterThanOrEqual(0);
    } finally {
      await closeServer(server);
    }
  });

  it('reports an answer that is not HTTP as a protocol error', async () => {
    const server = await rawServer((socket) => socket.end('NOT HTTP AT ALL\r\n\r\n'));
    try {
      const o = await runHttpCheck(httpSpec(`http://127.0.0.1:${server.port}/`), ctx);
      expect(o.error?.kind).toBe('protocol');
      expect(o.error?.message).toContain('HTTP');
      expect(o.context.connected).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('reports a connection closed before the response as a protocol error', async () => {
    const server = await rawServer((socket) => socket.once('data', () => socket.destroy()));
    try {
      const o = await runHttpCheck(httpSpec(`http://127.0.0.1:${server.port}/`), ctx);
      expect(o.error?.kind).toBe('protocol');
      expect(o.error?.message).toContain('closed');
    } finally {
      await server.close();
    }
  });
});

describe('runHttpCheck over HTTPS', () => {
  let certs: TestCertificates;
  const servers: https.Server[] = [];
  let selfSignedUrl = '';
  let expiredUrl = '';
  let mutualUrl = '';
  const clientNames: string[] = [];

  async function serve(options: https.ServerOptions, handler: http.RequestListener): Promise<string> {
    const server = https.createServer(options, handler);
    servers.push(server);
    return `https://127.0.0.1:${await listen(server)}`;
  }

  beforeAll(async () => {
    certs = makeTestCertificates();
    selfSignedUrl = await serve(certs.selfSigned, (_req, res) => res.end('secure'));
    expiredUrl = await serve(certs.expired, (_req, res) => res.end('stale'));
    mutualUrl = await serve(
      { ...certs.server, ca: certs.ca.cert, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        clientNames.push(String(peer.subject?.CN));
        res.end('mutual');
      },
    );
  });
  afterAll(async () => {
    for (const s of servers) await closeServer(s);
    certs.remove();
  });

  it('rejects a self-signed certificate when verifying, and still reports its expiry', async () => {
    const now = Date.now();
    const o = await runHttpCheck(httpSpec(`${selfSignedUrl}/`), { ...ctx, now: () => now });
    expect(o.error).toEqual({ kind: 'tls', message: 'self-signed certificate' });
    expect(o.context.connected).toBe(true);
    expect(o.certificateNotAfter).toBeGreaterThan(now);
    expect(o.context.certificateExpirationMs).toBe((o.certificateNotAfter ?? 0) - now);
  });

  it('accepts the self-signed certificate when verification is off, with a tls phase', async () => {
    const now = Date.now();
    const o = await runHttpCheck(httpSpec(`${selfSignedUrl}/`, { tls: insecure }), {
      ...ctx,
      now: () => now,
    });
    expect(o.error).toBeUndefined();
    expect(o.context.body).toBe('secure');
    expect(o.phases.tls).toBeGreaterThan(0);
    expectPlausiblePhases(o, ['resolve', 'connect', 'tls', 'processing', 'transfer']);
    // Made with -days 2: it expires in about two days.
    const day = 24 * 3600 * 1000;
    expect(o.context.certificateExpirationMs).toBeGreaterThan(day);
    expect(o.context.certificateExpirationMs).toBeLessThanOrEqual(2 * day + 60_000);
  });

  it('accepts the certificate when it is given as a trusted CA', async () => {
    const o = await runHttpCheck(
      httpSpec(`${selfSignedUrl}/`, { tls: { verify: true, ca: certs.selfSigned.cert } }),
      ctx,
    );
    expect(o.error).toBeUndefined();
    expect(o.context.status).toBe(200);
  });

  it('rejects a certificate that does not name the server', async () => {
    const tls = { verify: true, ca: certs.selfSigned.cert, servername: 'elsewhere.test' };
    const o = await runHttpCheck(httpSpec(`${selfSignedUrl}/`, { tls }), ctx);
    expect(o.error?.kind).toBe('tls');
    expect(o.error?.message).toContain("does not match certificate's altnames");
  });

  it('rejects an expired certificate and reports a negative time to expiry', async () => {
    const o = await runHttpCheck(
      httpSpec(`${expiredUrl}/`, { tls: { verify: true, ca: certs.expired.cert } }),
      ctx,
    );
    expect(o.error).toEqual({ kind: 'tls', message: 'certificate has expired' });
    expect(o.context.certificateExpirationMs).toBeLessThan(0);
  });

  it('fails against a server requiring a client certificate when none is presented', async () => {
    const o = await runHttpCheck(
      httpSpec(`${mutualUrl}/`, { tls: { verify: true, ca: certs.ca.cert } }),
      ctx,
    );
    expect(o.error?.kind).toBe('tls');
    expect(o.error?.message).toContain('certificate required');
    expect(o.context.status).toBeUndefined();
  });

  it('presents the client certificate and passes, with SNI from servername', async () => {
    const tls = { verify: true, ca: certs.ca.cert, clientCert: certs.client, servername: 'localhost' };
    const o = await runHttpCheck(httpSpec(`${mutualUrl}/`, { tls }), ctx);
    expect(o.error).toBeUndefined();
    expect(o.context.body).toBe('mutual');
    expect(clientNames).toContain('ballast-check');
  });

  it('reports a client key that does not parse as a config error', async () => {
    const tls = {
      verify: true,
      ca: certs.ca.cert,
      clientCert: { cert: certs.client.cert, key: 'not a key' },
    };
    const o = await runHttpCheck(httpSpec(`${mutualUrl}/`, { tls }), ctx);
    expect(o.error?.kind).toBe('config');
  });

  it('times the handshake and reads the certificate of the origin a plain HTTP redirect leads to', async () => {
    const origin = http.createServer((_req, res) =>
      res.writeHead(301, { location: `${selfSignedUrl}/` }).end(),
    );
    const port = await listen(origin);
    try {
      const o = await runHttpCheck(httpSpec(`http://127.0.0.1:${port}/`, { tls: insecure }), ctx);
      expect(o.error).toBeUndefined();
      expect(o.context.body).toBe('secure');
      expect(o.phases.tls).toBeGreaterThan(0);
      expect(o.certificateNotAfter).toBeGreaterThan(Date.now());
    } finally {
      await closeServer(origin);
    }
  });

  it('reports https to a plain HTTP server as a tls error', async () => {
    const server = http.createServer((_req, res) => res.end('plain'));
    const port = await listen(server);
    try {
      const o = await runHttpCheck(httpSpec(`https://127.0.0.1:${port}/`, { tls: insecure }), ctx);
      expect(o.error?.kind).toBe('tls');
    } finally {
      await closeServer(server);
    }
  });
});
