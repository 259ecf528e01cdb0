import { describe, expect, it } from 'vitest';
import { type ClientSide, clientResponseHeaders, upstreamRequestHeaders } from './headers.ts';

const side: ClientSide = { remoteAddress: '::ffff:127.0.0.1', httpVersion: '1.1', proxyName: 'orders' };

/** Flat name/value pairs as a list of [name, value], for readable expectations. */
function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

describe('upstreamRequestHeaders', () => {
  it('end-to-end headers keep their case, order and repeats; the proxy adds its own', () => {
    const out = pairs(upstreamRequestHeaders(['Host', 'p:1', 'X-A', '1', 'Accept', '*/*', 'X-A', '2'], side));
    expect(out).toEqual([
      ['X-A', '1'],
      ['Accept', '*/*'],
      ['X-A', '2'],
      ['x-forwarded-for', '127.0.0.1'],
      ['x-forwarded-host', 'p:1'],
      ['x-forwarded-proto', 'http'],
      ['via', '1.1 ballast-orders'],
    ]);
  });

  it('hop-by-hop headers and those named in Connection are dropped', () => {
    const raw = [
      'Connection',
      'keep-alive, X-Secret',
      'Keep-Alive',
      'timeout=5',
      'Transfer-Encoding',
      'chunked',
      'TE',
      'trailers',
      'Upgrade',
      'h2c',
      'Proxy-Authorization',
      'x',
      'Expect',
      '100-continue',
      'x-secret',
      's',
      'Content-Length',
      '3',
    ];
    const names = pairs(upstreamRequestHeaders(raw, side)).map(([n]) => n);
    expect(names).toEqual(['Content-Length', 'x-forwarded-for', 'x-forwarded-proto', 'via']);
  });

  it('an existing x-forwarded-for and via are appended to, existing forwarded host and proto kept', () => {
    const raw = [
      'X-Forwarded-For',
      '10.0.0.1',
      'Via',
      '1.0 edge',
      'X-Forwarded-Proto',
      'https',
      'X-Forwarded-Host',
      'shop',
      'Host',
      'p',
    ];
    const out = pairs(upstreamRequestHeaders(raw, side));
    expect(out).toEqual([
      ['X-Forwarded-Proto', 'https'],
      ['X-Forwarded-Host', 'shop'],
      ['x-forwarded-for', '10.0.0.1, 127.0.0.1'],
      ['via', '1.0 edge, 1.1 ballast-orders'],
    ]);
  });
});

describe('clientResponseHeaders', () => {
  it('end-to-end headers pass, repeats stay lists, hop-by-hop go, via is added', () => {
    const out = clientResponseHeaders(
      {
        'content-type': 'text/plain',
        'set-cookie': ['a=1', 'b=2'],
        connection: 'close, x-hop',
        'x-hop': '1',
        'transfer-encoding': 'chunked',
        'keep-alive': 'timeout=4',
      },
      side,
      undefined,
    );
    expect(out).toEqual({
      'content-type': 'text/plain',
      'set-cookie': ['a=1', 'b=2'],
      via: '1.1 ballast-orders',
    });
  });

  it('the fault header names the rule that fired, replacing one from a chained proxy', () => {
    const out = clientResponseHeaders({ via: '1.1 inner', 'x-ballast-fault': 'inner-rule' }, side, 'rule-3');
    expect(out).toEqual({ via: '1.1 inner, 1.1 ballast-orders', 'x-ballast-fault': 'rule-3' });
  });

  it('without a rule firing, a chained proxy’s fault header passes through', () => {
    const out = clientResponseHeaders({ 'x-ballast-fault': 'inner-rule' }, side, undefined);
    expect(out['x-ballast-fault']).toBe('inner-rule');
  });
});
