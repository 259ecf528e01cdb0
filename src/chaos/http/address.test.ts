import { describe, expect, it } from 'vitest';
import { listenUrl, parseListen, parseUpstream } from './address.ts';

describe('parseListen', () => {
  it.each([
    ['an IPv4 host and port 0 are read', '127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['a bracketed IPv6 host is read without brackets', '[::1]:8080', { host: '::1', port: 8080 }],
    ['a name is kept as written', 'localhost:9000', { host: 'localhost', port: 9000 }],
    ['all interfaces must be asked for explicitly', '0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
  ])('%s', (_name, text, value) => {
    expect(parseListen(text)).toEqual({ ok: true, value });
  });

  it.each([
    ['a port alone is refused (the host is required)', ':8080', 'expected host:port'],
    ['a host alone is refused', '127.0.0.1', 'expected host:port'],
    ['a port above 65535 is refused', '127.0.0.1:70000', 'above 65535'],
    ['an unbracketed IPv6 address is refused', '::1:80', 'expected host:port'],
    ['brackets around a name are refused', '[localhost]:80', 'not an IPv6 address'],
  ])('%s', (_name, text, error) => {
    const r = parseListen(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });
});

describe('parseUpstream', () => {
  it.each([
    ['an http origin is kept', 'http://127.0.0.1:8080', 'http://127.0.0.1:8080', false],
    ['a trailing slash is dropped', 'http://127.0.0.1:8080/', 'http://127.0.0.1:8080', false],
    ['https marks the upstream as TLS', 'https://localhost:8443', 'https://localhost:8443', true],
    ['a default port is dropped', 'http://localhost:80', 'http://localhost', false],
  ])('%s', (_name, text, origin, tls) => {
    expect(parseUpstream(text)).toEqual({ ok: true, value: { origin, tls } });
  });

  it.each([
    ['host:port without a scheme asks for one', '127.0.0.1:8080', 'expected a URL with its scheme'],
    ['a name and port without a scheme asks for one', 'localhost:8080', 'expected a URL with its scheme'],
    ['garbage is refused', 'http://exa mple', 'expected a URL'],
    ['another scheme is refused', 'ws://127.0.0.1', 'scheme must be http or https, got "ws"'],
    ['a path is refused', 'http://h/api', 'without path'],
    ['a query is refused', 'http://h/?a=1', 'without path'],
    ['credentials are refused', 'http://u:p@h', 'credentials'],
  ])('%s', (_name, text, error) => {
    const r = parseUpstream(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(error);
  });
});

describe('listenUrl', () => {
  it('an IPv6 host is bracketed in the URL', () => {
    expect(listenUrl({ host: '::1', port: 1 })).toBe('http://[::1]:1');
    expect(listenUrl({ host: '127.0.0.1', port: 2 })).toBe('http://127.0.0.1:2');
  });
});
