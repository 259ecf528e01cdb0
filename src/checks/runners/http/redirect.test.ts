import { describe, expect, it } from 'vitest';
import { type OutgoingRequest, redirectDecision } from './redirect.ts';

const post: OutgoingRequest = {
  method: 'POST',
  url: new URL('https://a.test/login?x=1'),
  headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json', 'X-Trace': '1', Cookie: 'c=1' },
  body: '{"a":1}',
};

describe('redirectDecision', () => {
  const cases: {
    name: string;
    status: number;
    location: string | undefined;
    from?: OutgoingRequest;
    expected: {
      kind: string;
      method?: string;
      url?: string;
      headers?: string[];
      body?: string | undefined;
      message?: RegExp;
    };
  }[] = [
    { name: 'a 200 is final', status: 200, location: '/x', expected: { kind: 'final' } },
    {
      name: 'a 302 without a location is final',
      status: 302,
      location: undefined,
      expected: { kind: 'final' },
    },
    { name: 'a 304 is not a redirect to follow', status: 304, location: '/x', expected: { kind: 'final' } },
    {
      name: 'a 303 turns a POST into a GET without the body or its headers',
      status: 303,
      location: '/done',
      expected: {
        kind: 'follow',
        method: 'GET',
        url: 'https://a.test/done',
        headers: ['Authorization', 'X-Trace', 'Cookie'],
        body: undefined,
      },
    },
    {
      name: 'a 302 after a POST becomes a GET, as browsers do',
      status: 302,
      location: 'next',
      expected: { kind: 'follow', method: 'GET', url: 'https://a.test/next', body: undefined },
    },
    {
      name: 'a 307 repeats the method and the body',
      status: 307,
      location: '/again',
      expected: { kind: 'follow', method: 'POST', url: 'https://a.test/again', body: '{"a":1}' },
    },
    {
      name: 'a 308 to another origin drops credentials but keeps other headers',
      status: 308,
      location: 'https://b.test/moved#frag',
      expected: {
        kind: 'follow',
        method: 'POST',
        url: 'https://b.test/moved',
        headers: ['Content-Type', 'X-Trace'],
        body: '{"a":1}',
      },
    },
    {
      name: 'a redirect to another scheme on the same host is another origin',
      status: 301,
      location: 'http://a.test/login',
      from: { ...post, method: 'GET', body: undefined, headers: { Authorization: 'x' } },
      expected: { kind: 'follow', method: 'GET', url: 'http://a.test/login', headers: [] },
    },
    {
      name: 'a 303 after a HEAD stays a HEAD',
      status: 303,
      location: '/h',
      from: { method: 'HEAD', url: new URL('http://a.test/'), headers: {} },
      expected: { kind: 'follow', method: 'HEAD', url: 'http://a.test/h' },
    },
    {
      name: 'a location that is not a URL is invalid',
      status: 302,
      location: 'http://[bad',
      expected: { kind: 'invalid', message: /invalid location/ },
    },
    {
      name: 'a location that is not HTTP is invalid',
      status: 302,
      location: 'ftp://a.test/f',
      expected: { kind: 'invalid', message: /non-HTTP/ },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = redirectDecision(c.status, c.location, c.from ?? post);
      expect(d.kind).toBe(c.expected.kind);
      if (d.kind === 'invalid') expect(d.message).toMatch(c.expected.message ?? /./);
      if (d.kind !== 'follow') return;
      expect(d.request.method).toBe(c.expected.method);
      expect(d.request.url.href).toBe(c.expected.url);
      if (c.expected.headers) expect(Object.keys(d.request.headers)).toEqual(c.expected.headers);
      if ('body' in c.expected) expect(d.request.body).toBe(c.expected.body);
    });
  }
});
