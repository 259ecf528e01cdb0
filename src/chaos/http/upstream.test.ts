import { PassThrough } from 'node:stream';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { classifyUpstreamError, failureBody, headersDeadline } from './upstream.ts';

describe('classifyUpstreamError', () => {
  it.each([
    [
      'a refused connection is a 502',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'error',
      502,
      'ECONNREFUSED',
    ],
    [
      'a reset is a 502',
      Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
      'error',
      502,
      'UND_ERR_SOCKET',
    ],
    [
      'a headers timeout is a 504',
      new errors.HeadersTimeoutError(),
      'timeout',
      504,
      'UND_ERR_HEADERS_TIMEOUT',
    ],
    ['a body timeout is a 504', new errors.BodyTimeoutError(), 'timeout', 504, 'UND_ERR_BODY_TIMEOUT'],
    [
      'a connect timeout is a 504',
      new errors.ConnectTimeoutError(),
      'timeout',
      504,
      'UND_ERR_CONNECT_TIMEOUT',
    ],
    [
      'a code on the cause counts',
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }),
      'error',
      502,
      'ECONNRESET',
    ],
    ['an error without a code reports its message', new Error('odd'), 'error', 502, 'odd'],
  ])('%s', (_name, err, kind, status, reason) => {
    expect(classifyUpstreamError(err)).toEqual({ kind, status, reason });
  });
});

describe('failureBody', () => {
  it('a 502 body names the proxy, the upstream and the cause', () => {
    const body = failureBody(
      'orders',
      'http://127.0.0.1:1',
      { kind: 'error', status: 502, reason: 'ECONNREFUSED' },
      100,
    );
    expect(body).toBe(
      'ballast http fault proxy "orders": upstream http://127.0.0.1:1 could not be reached or broke the connection (ECONNREFUSED)\n',
    );
  });

  it('a 504 body says how long the proxy waited', () => {
    const body = failureBody(
      'o',
      'http://u',
      { kind: 'timeout', status: 504, reason: 'UND_ERR_HEADERS_TIMEOUT' },
      250,
    );
    expect(body).toContain('did not answer within 250 ms');
  });
});

describe('headersDeadline', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('without a body the deadline runs from the start and passes as a headers timeout', async () => {
    const d = headersDeadline(null, 50);
    await sleep(150);
    expect(d.signal.aborted).toBe(true);
    expect(classifyUpstreamError(d.signal.reason)).toMatchObject({ kind: 'timeout', status: 504 });
  });

  it('with a body the deadline starts only when the body has been sent', async () => {
    const body = new PassThrough();
    body.resume();
    const d = headersDeadline(body, 50);
    await sleep(150);
    expect(d.signal.aborted).toBe(false);
    body.end();
    await sleep(150);
    expect(d.signal.aborted).toBe(true);
  });

  it('a cleared deadline never passes', async () => {
    const d = headersDeadline(null, 30);
    d.clear();
    await sleep(100);
    expect(d.signal.aborted).toBe(false);
  });
});
