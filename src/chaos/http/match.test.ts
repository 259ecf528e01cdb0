import { describe, expect, it } from 'vitest';
import { compileMatch, type RequestView } from './match.ts';
import type { HttpMatch } from './schema.ts';

function req(method: string, path: string, headers: RequestView['headers'] = {}): RequestView {
  return { method, path, headers };
}

describe('compileMatch', () => {
  it.each<[string, HttpMatch, RequestView, boolean]>([
    ['an empty match selects every request', {}, req('DELETE', '/anything'), true],
    ['an exact path selects that path', { path: '/health' }, req('GET', '/health'), true],
    ['an exact path does not select a longer one', { path: '/health' }, req('GET', '/health/x'), false],
    ['a prefix selects paths below it', { path: '/api/*' }, req('GET', '/api/orders/1'), true],
    ['a prefix "/api/*" does not select "/api" itself', { path: '/api/*' }, req('GET', '/api'), false],
    ['a prefix does not select a sibling', { path: '/api/*' }, req('GET', '/apix/1'), false],
    ['"*" selects any path', { path: '*' }, req('GET', '/x'), true],
    ['a regex searches the path', { path: { regex: 'v[0-9]+' } }, req('GET', '/api/v2/x'), true],
    [
      'an anchored regex must hold from the start',
      { path: { regex: '^/v[0-9]+' } },
      req('GET', '/api/v2'),
      false,
    ],
    ['one method selects it in any case', { method: 'post' }, req('POST', '/'), true],
    ['one method does not select another', { method: 'POST' }, req('GET', '/'), false],
    ['a method list selects any of them', { method: ['PUT', 'POST'] }, req('POST', '/'), true],
    ['path and method must both hold', { path: '/api/*', method: 'POST' }, req('GET', '/api/x'), false],
    [
      'a header value matches exactly',
      { headers: { 'X-User': 'alice' } },
      req('GET', '/', { 'x-user': 'alice' }),
      true,
    ],
    [
      'a header value is case-sensitive',
      { headers: { 'x-user': 'alice' } },
      req('GET', '/', { 'x-user': 'Alice' }),
      false,
    ],
    ['a missing header does not match a value', { headers: { 'x-user': 'alice' } }, req('GET', '/'), false],
    [
      'a header regex searches the value',
      { headers: { 'user-agent': { regex: '^curl/' } } },
      req('GET', '/', { 'user-agent': 'curl/8.0' }),
      true,
    ],
    [
      'a repeated header matches when any value does',
      { headers: { 'set-cookie': 'b=2' } },
      req('GET', '/', { 'set-cookie': ['a=1', 'b=2'] }),
      true,
    ],
    [
      'present: true needs the header',
      { headers: { authorization: { present: true } } },
      req('GET', '/'),
      false,
    ],
    [
      'present: false selects requests without it',
      { headers: { authorization: { present: false } } },
      req('GET', '/'),
      true,
    ],
    [
      'present: false refuses requests with it',
      { headers: { authorization: { present: false } } },
      req('GET', '/', { authorization: 'x' }),
      false,
    ],
    [
      'every header condition must hold',
      { headers: { a: '1', b: '2' } },
      req('GET', '/', { a: '1', b: '3' }),
      false,
    ],
  ])('%s', (_name, match, request, expected) => {
    expect(compileMatch(match)(request)).toBe(expected);
  });
});
