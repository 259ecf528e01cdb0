import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusClient, PrometheusError, parseApiBody, sumOf } from './prometheus-client.ts';

// A loopback HTTP peer for the transport failures a real Prometheus will not produce on demand
// (proxy error pages, hangs). Answers from a real Prometheus are covered in test/prometheus-crosscheck.test.ts.
let server: Server;
let url = '';
const bodies: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      bodies.push(body);
      if (req.url?.startsWith('/hang')) return; // never answers
      if (req.url?.startsWith('/proxy')) {
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1700000000.5, '42'] } }),
        );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('PrometheusClient transport', () => {
  it('posts the query and time as a form and reads a scalar', async () => {
    const value = await new PrometheusClient({ url }).sum('vector(42)', 1_700_000_000_000);
    expect(value).toBe(42);
    expect(bodies.at(-1)).toBe('query=vector%2842%29&time=1700000000');
  });

  it('turns a non-JSON error page into a PrometheusError with the status code', async () => {
    const err = await new PrometheusClient({ url: `${url}/proxy` }).query('up').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    expect((err as PrometheusError).statusCode).toBe(502);
    expect((err as PrometheusError).message).toContain('Bad Gateway');
  });

  it('gives up after the timeout with errorType timeout', async () => {
    const err = await new PrometheusClient({ url: `${url}/hang`, timeoutMs: 200 })
      .query('up')
      .catch((e: unknown) => e);
    expect((err as PrometheusError).errorType).toBe('timeout');
  });

  it('reports a closed port as a network error', async () => {
    const err = await new PrometheusClient({ url: 'http://127.0.0.1:1' })
      .query('up')
      .catch((e: unknown) => e);
    expect((err as PrometheusError).errorType).toBe('network');
  });
});

describe('parseApiBody and sumOf', () => {
  const vector = (values: string[]) =>
    JSON.stringify({
      status: 'success',
      data: {
        resultType: 'vector',
        result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1, v] })),
      },
    });
  it.each([
    ['an empty vector is no data', vector([]), null],
    ['a vector sums its series', vector(['1.5', '2']), 3.5],
    ['NaN samples (0/0) are ignored', vector(['NaN', '4']), 4],
    ['a vector of only NaN is no data', vector(['NaN']), null],
  ])('%s', (_name, body, expected) => {
    expect(sumOf(parseApiBody(body, 200, 'test'))).toBe(expected);
  });

  it('raises Prometheus error bodies with their errorType', () => {
    const body = JSON.stringify({ status: 'error', errorType: 'execution', error: 'query timed out' });
    expect(() => parseApiBody(body, 503, 'test')).toThrow(/execution.*query timed out/);
  });
});
