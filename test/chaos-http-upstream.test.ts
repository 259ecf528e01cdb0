/**
 * The HTTP fault proxy when things go wrong around it: the upstream is down,
 * slow, breaks mid-response or has a self-signed certificate; the client goes
 * away mid-request; the proxy closes with requests in flight. Never a crash.
 */
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpFaultProxy, type HttpFaultProxy } from '../src/chaos/http/index.ts';
import { startUpstream, type TestUpstream } from '../src/chaos/http/testing.ts';
import { makeTestCertificates, type TestCertificates } from '../src/checks/runners/http/testing.ts';

let upstream: TestUpstream;
const agent = new Agent();
const proxies: HttpFaultProxy[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await agent.close();
  await upstream.close();
});

async function proxyTo(url: string, extra: { timeoutMs?: number; insecureSkipVerify?: boolean } = {}) {
  const p = await createHttpFaultProxy({
    name: `p${proxies.length}`,
    listen: '127.0.0.1:0',
    upstream: url,
    ...extra,
  });
  proxies.push(p);
  return p;
}

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a failing upstream', () => {
  it('an upstream that is down gives 502 with a body that says why, request after request', async () => {
    const port = await freePort();
    const p = await proxyTo(`http://127.0.0.1:${port}`);
    for (let i = 0; i < 3; i++) {
      const r = await request(`${p.url}/x`, { dispatcher: agent });
      expect(r.statusCode).toBe(502);
      expect(await r.body.text()).toBe(
        `ballast http fault proxy "${p.name}": upstream http://127.0.0.1:${port} could not be reached or broke the connection (ECONNREFUSED)\n`,
      );
    }
    expect(p.stats()).toMatchObject({ requests: 3, upstreamErrors: 3, upstreamTimeouts: 0, inFlight: 0 });
    // Aborts need no upstream.
    p.addRule({ abort: { status: 503 } });
    expect((await request(`${p.url}/x`, { dispatcher: agent })).statusCode).toBe(503);
  });

  it('an upstream slower than timeoutMs gives 504 on time, and its request is cancelled', async () => {
    const p = await proxyTo(upstream.url, { timeoutMs: 300 });
    const started = performance.now();
    const r = await request(`${p.url}/slow?ms=10000`, { dispatcher: agent });
    const elapsed = performance.now() - started;
    expect(r.statusCode).toBe(504);
    expect(await r.body.text()).toContain('did not answer within 300 ms (UND_ERR_HEADERS_TIMEOUT)');
    expect(elapsed).toBeGreaterThanOrEqual(270);
    // undici's own timers tick about once a second; the proxy keeps its own deadline.
    expect(elapsed).toBeLessThan(950);
    expect(p.stats().upstreamTimeouts).toBe(1);
    await until(() => upstream.cutShort.includes('/slow'));
  });

  describe('an upstream that breaks mid-response', () => {
    let broken: net.Server;
    let origin: string;

    beforeAll(async () => {
      // Promises 100 bytes, sends 7, then drops the connection.
      broken = net.createServer((socket) => {
        socket.on('error', () => {});
        socket.once('data', () => {
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
          setTimeout(() => socket.destroy(), 50);
        });
      });
      await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise((resolve) => broken.close(resolve));
    });

    it('cuts the client off instead of ending the body cleanly', async () => {
      const p = await proxyTo(origin);
      const r = await request(`${p.url}/x`, { dispatcher: agent });
      expect(r.statusCode).toBe(200);
      await expect(r.body.text()).rejects.toThrow();
      await until(() => p.stats().upstreamErrors === 1);
      expect(p.stats()).toMatchObject({ inFlight: 0, clientAborts: 0 });
    });

    it('answers 502 when it broke while a response delay held its headers back', async () => {
      const p = await proxyTo(origin);
      p.addRule({ responseDelay: { ms: 300 } });
      const r = await request(`${p.url}/x`, { dispatcher: agent });
      expect(r.statusCode).toBe(502);
      expect(await r.body.text()).toContain('broke the connection');
      expect(p.stats()).toMatchObject({ upstreamErrors: 1, clientAborts: 0 });
    });
  });
});

describe('a client that goes away', () => {
  it('mid-wait for the upstream: the upstream request is cancelled and the proxy forgets it', async () => {
    const p = await proxyTo(upstream.url);
    const before = upstream.cutShort.length;
    const ac = new AbortController();
    const pending = request(`${p.url}/slow?ms=10000&client=leaves`, { dispatcher: agent, signal: ac.signal });
    await until(() => upstream.hits.includes('/slow?ms=10000&client=leaves'));
    ac.abort();
    await expect(pending).rejects.toThrow();
    await until(() => upstream.cutShort.length > before);
    await until(() => p.stats().inFlight === 0);
    expect(p.stats().clientAborts).toBe(1);
  });

  it('during an injected delay: nothing is forwarded', async () => {
    const p = await proxyTo(upstream.url);
    p.addRule({ match: { path: '/never' }, delay: { ms: 30_000 } });
    const ac = new AbortController();
    const pending = request(`${p.url}/never`, { dispatcher: agent, signal: ac.signal });
    await until(() => p.stats().inFlight === 1);
    ac.abort();
    await expect(pending).rejects.toThrow();
    await until(() => p.stats().inFlight === 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(upstream.hits).not.toContain('/never');
  });

  it('mid-download of a large body: the upstream stops sending', async () => {
    const p = await proxyTo(upstream.url);
    const before = upstream.cutShort.length;
    const r = await request(`${p.url}/big?bytes=${200 * 1024 * 1024}`, { dispatcher: agent });
    const it = r.body[Symbol.asyncIterator]();
    await it.next();
    r.body.destroy();
    await until(() => upstream.cutShort.length > before);
    expect(upstream.cutShort.at(-1)).toBe('/big');
    await until(() => p.stats().inFlight === 0);
  });
});

describe('closing and TLS', () => {
  it('close() with requests in flight resolves promptly and cuts them', async () => {
    const p = await createHttpFaultProxy({ name: 'closing', listen: '127.0.0.1:0', upstream: upstream.url });
    p.addRule({ delay: { ms: 30_000 } });
    const pending = new Promise<Error>((resolve) => {
      http
        .get(`${p.url}/x`, { agent: false }, () => resolve(new Error('got a response')))
        .on('error', resolve);
    });
    await until(() => p.stats().inFlight === 1);
    const started = performance.now();
    await p.close();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await pending).message).not.toBe('got a response');
    await p.close();
  });

  describe('an https upstream with a self-signed certificate', () => {
    let certs: TestCertificates;
    let server: https.Server;
    let origin: string;

    beforeAll(async () => {
      certs = makeTestCertificates();
      server = https.createServer(certs.selfSigned, (_req, res) => res.end('secure'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `https://localhost:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      certs.remove();
    });

    it('is refused by default with a 502 naming the certificate problem', async () => {
      const p = await proxyTo(origin);
      const r = await request(`${p.url}/`, { dispatcher: agent });
      expect(r.statusCode).toBe(502);
      expect(await r.body.text()).toMatch(/SELF_SIGNED|CERT/);
    });

    it('is reached with insecureSkipVerify', async () => {
      const p = await proxyTo(origin, { insecureSkipVerify: true });
      const r = await request(`${p.url}/`, { dispatcher: agent });
      expect(r.statusCode).toBe(200);
      expect(await r.body.text()).toBe('secure');
    });
  });
});
