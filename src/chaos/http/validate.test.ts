import { describe, expect, it } from 'vitest';
import { validateHttpFaultProxyConfig, validateHttpFaultRule } from './validate.ts';

describe('validateHttpFaultRule', () => {
  it.each([
    [
      'an abort alone gets match {} and percentage 100',
      { abort: { status: 503 } },
      { match: {}, percentage: 100, abort: { status: 503 } },
    ],
    [
      'a delay before an abort is one rule',
      {
        match: { path: '/api/*', method: ['POST'] },
        percentage: 25,
        delay: { ms: 100, jitter: 10 },
        abort: { status: 500, body: 'x' },
      },
      {
        match: { path: '/api/*', method: ['POST'] },
        percentage: 25,
        delay: { ms: 100, jitter: 10 },
        abort: { status: 500, body: 'x' },
      },
    ],
    [
      'a reset may follow a delay',
      { delay: { ms: 5 }, reset: true },
      { match: {}, percentage: 100, delay: { ms: 5 }, reset: true },
    ],
    [
      'a response delay may follow a request delay',
      { delay: { ms: 1 }, responseDelay: { ms: 2 } },
      { match: {}, percentage: 100, delay: { ms: 1 }, responseDelay: { ms: 2 } },
    ],
    [
      'an id, a regex path and header conditions are kept as written',
      {
        id: 'slow-1',
        match: {
          path: { regex: '^/v[0-9]+/' },
          headers: { 'X-User': 'a', tenant: { regex: 'b' }, auth: { present: false } },
        },
        delay: { ms: 0 },
      },
      {
        id: 'slow-1',
        match: {
          path: { regex: '^/v[0-9]+/' },
          headers: { 'X-User': 'a', tenant: { regex: 'b' }, auth: { present: false } },
        },
        percentage: 100,
        delay: { ms: 0 },
      },
    ],
    [
      'percentage 0 is allowed (a rule that only counts)',
      { percentage: 0, abort: { status: 500 } },
      { match: {}, percentage: 0, abort: { status: 500 } },
    ],
  ])('%s', (_name, input, value) => {
    expect(validateHttpFaultRule(input)).toEqual({ ok: true, value });
  });

  it.each([
    [
      'a percentage of 150 is refused',
      { percentage: 150, abort: { status: 503 } },
      'percentage',
      'at most 100',
    ],
    [
      'a negative percentage is refused',
      { percentage: -1, abort: { status: 503 } },
      'percentage',
      'at least 0',
    ],
    ['status 42 is refused', { abort: { status: 42 } }, 'abort.status', 'from 200 to 599'],
    ['status 600 is refused', { abort: { status: 600 } }, 'abort.status', 'from 200 to 599'],
    [
      'a 1xx status is refused (the client would wait for a final response)',
      { abort: { status: 100 } },
      'abort.status',
      'from 200 to 599',
    ],
    ['a missing status is required', { abort: {} }, 'abort.status', 'is required'],
    [
      'an unknown top-level key is named',
      { abort: { status: 503 }, chance: 5 },
      'chance',
      'unknown field "chance"',
    ],
    [
      'an unknown key inside match is named',
      { match: { url: '/' }, abort: { status: 503 } },
      'match.url',
      'unknown field "url"',
    ],
    [
      'a snake_case key is unknown (the shape is camelCase)',
      { response_delay: { ms: 1 } },
      'response_delay',
      'unknown field',
    ],
    [
      'a bad regex names the path and the syntax error',
      { match: { path: { regex: '(' } }, abort: { status: 503 } },
      'match.path.regex',
      'not a valid regular expression',
    ],
    [
      'a bad header regex is refused too',
      { match: { headers: { x: { regex: '[' } } }, abort: { status: 503 } },
      'match.headers.x.regex',
      'not a valid regular expression',
    ],
    [
      'a path without a leading slash is refused',
      { match: { path: 'api' }, abort: { status: 503 } },
      'match.path',
      'must start with "/"',
    ],
    [
      'a star inside a path is refused',
      { match: { path: '/a/*/b' }, abort: { status: 503 } },
      'match.path',
      'only at the end',
    ],
    [
      'a method with a digit is refused',
      { match: { method: 'G3T' }, abort: { status: 503 } },
      'match.method',
      'HTTP method',
    ],
    [
      'an empty method list is refused',
      { match: { method: [] }, abort: { status: 503 } },
      'match.method',
      'at least one',
    ],
    ['a fractional delay is refused', { delay: { ms: 1.5 } }, 'delay.ms', 'whole number'],
    ['a delay over ten minutes is refused', { delay: { ms: 600_001 } }, 'delay.ms', 'at most 600000'],
    ['a rule with no fault is refused', { match: { path: '/' } }, '(rule)', 'at least one fault'],
    [
      'abort and reset together are refused',
      { abort: { status: 503 }, reset: true },
      'reset',
      'cannot be combined with abort',
    ],
    [
      'a response delay with an abort is refused',
      { abort: { status: 503 }, responseDelay: { ms: 1 } },
      'responseDelay',
      'cannot be combined',
    ],
    [
      'an abort header with a newline is refused',
      { abort: { status: 503, headers: { a: 'x\r\ny: z' } } },
      'abort.headers.a',
      'CR, LF',
    ],
    [
      'an abort may not set content-length',
      { abort: { status: 503, headers: { 'Content-Length': '3' } } },
      'abort.headers',
      'content-length',
    ],
    ['an id with a space is refused', { id: 'my rule', abort: { status: 503 } }, 'id', 'letters, digits'],
    ['a rule that is not an object is refused', 'abort', '(rule)', 'expected object'],
  ])('%s', (_name, input, path, message) => {
    const r = validateHttpFaultRule(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('every problem is reported at once, not only the first', () => {
    const r = validateHttpFaultRule({ percentage: 150, abort: { status: 42 }, extra: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(['abort.status', 'extra', 'percentage']);
  });
});

describe('validateHttpFaultProxyConfig', () => {
  const base = { name: 'orders', listen: '127.0.0.1:0', upstream: 'http://127.0.0.1:8080' };

  it('a minimal config is valid as written', () => {
    expect(validateHttpFaultProxyConfig(base)).toEqual({ ok: true, value: base });
  });

  it.each([
    ['a listen address without a port is refused', { listen: '127.0.0.1' }, 'listen', 'host:port'],
    [
      'an upstream with a path is refused',
      { upstream: 'http://127.0.0.1:8080/api' },
      'upstream',
      'without path',
    ],
    ['an ftp upstream is refused', { upstream: 'ftp://127.0.0.1' }, 'upstream', 'http or https'],
    ['a name with a slash is refused', { name: 'a/b' }, 'name', 'letters, digits'],
    ['a zero timeout is refused', { timeoutMs: 0 }, 'timeoutMs', 'at least 1'],
    [
      'a bad rule is reported under its index',
      { rules: [{ abort: { status: 503 } }, { percentage: 101, delay: { ms: 1 } }] },
      'rules[1].percentage',
      'at most 100',
    ],
    ['an unknown key is named', { upstreamUrl: 'x' }, 'upstreamUrl', 'unknown field'],
  ])('%s', (_name, change, path, message) => {
    const r = validateHttpFaultProxyConfig({ ...base, ...change });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('a missing upstream is required', () => {
    const r = validateHttpFaultProxyConfig({ name: 'a', listen: '127.0.0.1:0' });
    expect(r).toEqual({ ok: false, issues: [{ path: 'upstream', message: 'is required' }] });
  });
});
