import { describe, expect, it } from 'vitest';
import { type BuildRequestInput, buildRequest } from './request.ts';

describe('buildRequest', () => {
  const cases: {
    name: string;
    input: BuildRequestInput;
    text: string;
    origin: string;
    head?: boolean;
    idempotent: boolean;
  }[] = [
    {
      name: 'a GET has Host and keep-alive and no body framing',
      input: { method: 'get', url: 'http://127.0.0.1:8080/a/b?x=1', headers: { Accept: 'text/plain' } },
      text: 'GET /a/b?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: text/plain\r\nConnection: keep-alive\r\n\r\n',
      origin: 'http://127.0.0.1:8080',
      idempotent: true,
    },
    {
      name: 'a POST body gets its byte length, and user framing headers are replaced',
      input: {
        method: 'POST',
        url: 'https://localhost/pay',
        headers: { 'Content-Length': '999', Connection: 'upgrade' },
        body: 'né',
      },
      text: 'POST /pay HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nné',
      origin: 'https://localhost:443',
      idempotent: false,
    },
    {
      name: 'a POST without a body sends Content-Length 0 and keepAlive false sends close',
      input: { method: 'POST', url: 'http://[::1]/', headers: {}, keepAlive: false },
      text: 'POST / HTTP/1.1\r\nHost: [::1]\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
      origin: 'http://[::1]:80',
      idempotent: false,
    },
    {
      name: 'a user Host header replaces the URL host',
      input: { method: 'HEAD', url: 'http://127.0.0.1:9000', headers: { host: 'api.example' } },
      text: 'HEAD / HTTP/1.1\r\nhost: api.example\r\nConnection: keep-alive\r\n\r\n',
      origin: 'http://127.0.0.1:9000',
      head: true,
      idempotent: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const req = buildRequest(c.input);
      expect(req.bytes.toString('utf8')).toBe(c.text);
      expect(req.origin).toBe(c.origin);
      expect(req.head).toBe(c.head === true);
      expect(req.idempotent).toBe(c.idempotent);
    });
  }

  const bad: { name: string; input: BuildRequestInput; error: RegExp }[] = [
    {
      name: 'a non-http URL is refused',
      input: { method: 'GET', url: 'ftp://x/', headers: {} },
      error: /protocol/,
    },
    {
      name: 'a method with a space is refused',
      input: { method: 'GE T', url: 'http://x/', headers: {} },
      error: /method/,
    },
    {
      name: 'a header value with a line break is refused (no header injection)',
      input: { method: 'GET', url: 'http://x/', headers: { 'X-A': 'a\r\nEvil: 1' } },
      error: /line break/,
    },
    {
      name: 'a header name with a colon is refused',
      input: { method: 'GET', url: 'http://x/', headers: { 'X:A': 'a' } },
      error: /header name/,
    },
  ];
  for (const c of bad) {
    it(c.name, () => {
      expect(() => buildRequest(c.input)).toThrow(c.error);
    });
  }
});
