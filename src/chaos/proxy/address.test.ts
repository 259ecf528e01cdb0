import { describe, expect, it } from 'vitest';
import { formatHostPort, parseHostPort } from './address.ts';

describe('parseHostPort', () => {
  const cases: Array<[string, string, boolean, unknown]> = [
    ['an IPv4 address and port is read', '127.0.0.1:6379', false, { host: '127.0.0.1', port: 6379 }],
    [
      'a host name is kept for resolving at connect time',
      'db.internal:5432',
      false,
      { host: 'db.internal', port: 5432 },
    ],
    ['an IPv6 address in brackets is read', '[::1]:8474', false, { host: '::1', port: 8474 }],
    ['port 0 is allowed where the OS picks the port', 'localhost:0', true, { host: 'localhost', port: 0 }],
  ];
  it.each(cases)('%s', (_name, text, allowZero, value) => {
    expect(parseHostPort(text, allowZero)).toEqual({ ok: true, value });
  });

  const bad: Array<[string, string, boolean, RegExp]> = [
    ['a missing host is refused rather than binding every interface', ':8080', true, /expected host:port/],
    ['a missing port is refused', 'localhost', true, /expected host:port/],
    ['a port above 65535 is refused', 'localhost:70000', true, /above 65535/],
    ['port 0 is refused for an upstream', 'localhost:0', false, /cannot be connected/],
    ['a bracketed host must be IPv6', '[localhost]:80', true, /not an IPv6/],
  ];
  it.each(bad)('%s', (_name, text, allowZero, error) => {
    const r = parseHostPort(text, allowZero);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });
});

describe('formatHostPort', () => {
  it('puts IPv6 hosts in brackets and leaves others alone', () => {
    expect(formatHostPort({ host: '::1', port: 80 })).toBe('[::1]:80');
    expect(formatHostPort({ host: '127.0.0.1', port: 80 })).toBe('127.0.0.1:80');
  });
});
