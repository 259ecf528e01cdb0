import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConditionContext } from '../types.ts';
import { SHOWN_VALUE_MAX } from './display.ts';
import { evaluateCondition } from './evaluate.ts';
import { parseCondition } from './parse.ts';

const DAY_MS = 86_400_000;

const BODY = JSON.stringify({
  data: [{ id: 7 }],
  items: [],
  tags: ['a', 'b', 'c'],
  user: { name: 'ann', admin: true },
  'odd-key': 'x',
  count: 5,
  ratio: 0.75,
  numeric: '42',
  next: null,
  status: 'all good',
  empty: '',
});

const http = (): ConditionContext => ({
  status: 200,
  responseTimeMs: 120.4,
  body: BODY,
  headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': '1234', 'x-empty': '' },
  connected: true,
  ip: '127.0.0.1',
});
const failing = (): ConditionContext => ({ ...http(), status: 503, responseTimeMs: 812 });
const textBody = (body: string): ConditionContext => ({
  ...http(),
  body,
  headers: { 'content-type': 'text/plain' },
});
const tls = (): ConditionContext => ({
  responseTimeMs: 30,
  connected: true,
  certificateExpirationMs: 30 * DAY_MS - 5000,
});
const expiredTls = (): ConditionContext => ({
  ...tls(),
  certificateExpirationMs: -(2 * DAY_MS + 3 * 3_600_000),
});
const dns = (): ConditionContext => ({
  responseTimeMs: 5,
  dnsRcode: 'NOERROR',
  body: '127.0.0.1\n127.0.0.2',
  ip: '127.0.0.1',
});
const nxdomain = (): ConditionContext => ({ responseTimeMs: 5, dnsRcode: 'NXDOMAIN', body: '' });
const refused = (): ConditionContext => ({ responseTimeMs: 3, connected: false });

function evaluate(text: string, ctx: ConditionContext) {
  const result = parseCondition(text);
  if ('error' in result) throw new Error(`expected ${text} to parse: ${result.error.message}`);
  return evaluateCondition(result.condition, ctx);
}

describe('evaluateCondition', () => {
  it.each([
    // [STATUS] and the operators
    ['a matching status passes', '[STATUS] == 200', http, true, '[STATUS] (200) == 200'],
    [
      'a wrong status fails showing the actual one',
      '[STATUS] == 200',
      failing,
      false,
      '[STATUS] (503) == 200',
    ],
    ['!= passes on a different status', '[STATUS] != 500', http, true, '[STATUS] (200) != 500'],
    ['!= fails on the same status', '[STATUS] != 503', failing, false, '[STATUS] (503) != 503'],
    ['< compares numbers', '[STATUS] < 300', http, true, '[STATUS] (200) < 300'],
    ['<= holds on equality', '[STATUS] <= 200', http, true, '[STATUS] (200) <= 200'],
    ['> fails on equality', '[STATUS] > 200', http, false, '[STATUS] (200) > 200'],
    ['>= holds on equality', '[STATUS] >= 200', http, true, '[STATUS] (200) >= 200'],
    ['a literal on the left works too', '300 > [STATUS]', http, true, '300 > [STATUS] (200)'],
    [
      'a status the check type does not provide fails with no value',
      '[STATUS] == 200',
      dns,
      false,
      '[STATUS] (no value) == 200',
    ],
    // [RESPONSE_TIME]
    [
      'a bare number beside the response time means ms',
      '[RESPONSE_TIME] < 300',
      failing,
      false,
      '[RESPONSE_TIME] (812) < 300',
    ],
    [
      'the response time shows rounded to whole ms',
      '[RESPONSE_TIME] < 300ms',
      http,
      true,
      '[RESPONSE_TIME] (120) < 300ms',
    ],
    [
      'the response time compares with seconds',
      '[RESPONSE_TIME] < 1s',
      failing,
      true,
      '[RESPONSE_TIME] (812) < 1s',
    ],
    [
      'the response time compares with a compound duration',
      '[RESPONSE_TIME] >= 1m30s',
      http,
      false,
      '[RESPONSE_TIME] (120) >= 1m30s',
    ],
    [
      'the response time equals any of a list of durations',
      '[RESPONSE_TIME] == any(5ms, 1s)',
      dns,
      true,
      '[RESPONSE_TIME] (5) == any(5ms, 1s)',
    ],
    // [BODY] as text
    ['the whole body equals a word', '[BODY] == OK', () => textBody('OK'), true, '[BODY] (OK) == OK'],
    [
      'the whole body equals quoted text with spaces',
      '[BODY] == "all good"',
      () => textBody('all good'),
      true,
      '[BODY] (all good) == "all good"',
    ],
    ['the whole body shows on one line', '[BODY] == x', dns, false, '[BODY] (127.0.0.1 127.0.0.2) == x'],
    ['an empty body shows as two quotes', '[BODY] == x', nxdomain, false, '[BODY] ("") == x'],
    ['a missing body fails with no value', '[BODY] == ok', tls, false, '[BODY] (no value) == ok'],
    // [BODY] JSON paths
    ['a JSON path reaches into arrays', '[BODY].data[0].id == 7', http, true, '[BODY].data[0].id (7) == 7'],
    [
      'a wrong JSON value shows the actual one',
      '[BODY].data[0].id == 5',
      http,
      false,
      '[BODY].data[0].id (7) == 5',
    ],
    ['a nested key is read', '[BODY].user.name == ann', http, true, '[BODY].user.name (ann) == ann'],
    [
      'a key with a dash is read with quotes',
      '[BODY]["odd-key"] == x',
      http,
      true,
      '[BODY]["odd-key"] (x) == x',
    ],
    ['a key with a dash is read bare', '[BODY].odd-key == x', http, true, '[BODY].odd-key (x) == x'],
    ['a JSON true equals true', '[BODY].user.admin == true', http, true, '[BODY].user.admin (true) == true'],
    ['a JSON null equals null', '[BODY].next == null', http, true, '[BODY].next (null) == null'],
    [
      'a JSON number equals a decimal literal',
      '[BODY].ratio == 0.750',
      http,
      true,
      '[BODY].ratio (0.75) == 0.750',
    ],
    [
      'a JSON number equals a quoted literal as text',
      '[BODY].count == "5"',
      http,
      true,
      '[BODY].count (5) == "5"',
    ],
    [
      'a JSON string of digits equals the number as text',
      '[BODY].numeric == 42',
      http,
      true,
      '[BODY].numeric (42) == 42',
    ],
    [
      'a JSON string of digits orders as a number',
      '[BODY].numeric > 7',
      http,
      true,
      '[BODY].numeric (42) > 7',
    ],
    ['a JSON number orders as a number', '[BODY].count >= 5', http, true, '[BODY].count (5) >= 5'],
    ['an array shows as compact JSON', '[BODY].tags == x', http, false, '[BODY].tags (["a","b","c"]) == x'],
    [
      'an object equals its compact JSON',
      '[BODY].user == {"name":"ann","admin":true}',
      http,
      true,
      '[BODY].user ({"name":"ann","admin":true}) == {"name":"ann","admin":true}',
    ],
    [
      'an array index starts a path',
      '[BODY][1] == b',
      () => textBody('["a","b"]'),
      true,
      '[BODY][1] (b) == b',
    ],
    ['an absent key fails with missing', '[BODY].x == 1', http, false, '[BODY].x (missing) == 1'],
    [
      'an index past the end fails with missing',
      '[BODY].data[3].id == 5',
      http,
      false,
      '[BODY].data[3].id (missing) == 5',
    ],
    [
      'a key into a number fails with missing',
      '[BODY].count.x == 5',
      http,
      false,
      '[BODY].count.x (missing) == 5',
    ],
    [
      'an index into an object fails with missing',
      '[BODY].user[0] == 5',
      http,
      false,
      '[BODY].user[0] (missing) == 5',
    ],
    [
      'an inherited key is not found',
      '[BODY].user.constructor == x',
      http,
      false,
      '[BODY].user.constructor (missing) == x',
    ],
    ['a missing value also fails !=', '[BODY].x != 1', http, false, '[BODY].x (missing) != 1'],
    [
      'a body that is not JSON fails saying so',
      '[BODY].x == 1',
      () => textBody('<html>'),
      false,
      '[BODY].x (body is not JSON) == 1',
    ],
    ['a path without a body fails with no value', '[BODY].x == 1', tls, false, '[BODY].x (no value) == 1'],
    [
      'two JSON values compare with each other',
      '[BODY].count < [BODY].numeric',
      http,
      true,
      '[BODY].count (5) < [BODY].numeric (42)',
    ],
    [
      'ordering text fails with a clear note',
      '[BODY].user.name < 5',
      http,
      false,
      '[BODY].user.name (ann) < 5 (< compares numbers only)',
    ],
    [
      'ordering an object fails with a clear note',
      '[BODY].user >= 1',
      http,
      false,
      '[BODY].user ({"name":"ann","admin":true}) >= 1 (>= compares numbers only)',
    ],
    // [HEADER]
    [
      'a header is read by its lower-case name',
      '[HEADER].content-length == 1234',
      http,
      true,
      '[HEADER].content-length (1234) == 1234',
    ],
    [
      'a header name is case-insensitive',
      '[HEADER].Content-Length > 1000',
      http,
      true,
      '[HEADER].Content-Length (1234) > 1000',
    ],
    [
      'a header orders as a number when it reads as one',
      '[HEADER].content-length < 1000',
      http,
      false,
      '[HEADER].content-length (1234) < 1000',
    ],
    [
      'a header not sent fails with missing',
      '[HEADER].etag == x',
      http,
      false,
      '[HEADER].etag (missing) == x',
    ],
    [
      'a header named like an object property is not found',
      '[HEADER].constructor == x',
      http,
      false,
      '[HEADER].constructor (missing) == x',
    ],
    [
      'headers the check type lacks fail with no value',
      '[HEADER].etag == x',
      tls,
      false,
      '[HEADER].etag (no value) == x',
    ],
    [
      'an empty header equals empty quotes',
      '[HEADER].x-empty == ""',
      http,
      true,
      '[HEADER].x-empty ("") == ""',
    ],
    [
      'a header stored with capitals is still found',
      '[HEADER].x-odd == 1',
      () => ({ ...http(), headers: { 'X-Odd': '1' } }),
      true,
      '[HEADER].x-odd (1) == 1',
    ],
    // [CONNECTED], [IP], [CERTIFICATE_EXPIRATION], [DNS_RCODE]
    ['connected equals true', '[CONNECTED] == true', http, true, '[CONNECTED] (true) == true'],
    [
      'a refused connection shows false',
      '[CONNECTED] == true',
      refused,
      false,
      '[CONNECTED] (false) == true',
    ],
    [
      'connected missing fails with no value',
      '[CONNECTED] == true',
      nxdomain,
      false,
      '[CONNECTED] (no value) == true',
    ],
    ['the IP equals an address', '[IP] == 127.0.0.1', dns, true, '[IP] (127.0.0.1) == 127.0.0.1'],
    ['the IP matches a pattern', '[IP] == pat(127.0.0.*)', http, true, '[IP] (127.0.0.1) == pat(127.0.0.*)'],
    [
      'a certificate far from expiry passes',
      '[CERTIFICATE_EXPIRATION] > 7d',
      tls,
      true,
      '[CERTIFICATE_EXPIRATION] (29d23h59m) > 7d',
    ],
    [
      'an expired certificate shows how long ago',
      '[CERTIFICATE_EXPIRATION] > 48h',
      expiredTls,
      false,
      '[CERTIFICATE_EXPIRATION] (expired 2d3h ago) > 48h',
    ],
    [
      'a bare number beside the certificate expiry means ms',
      '[CERTIFICATE_EXPIRATION] > 1000',
      tls,
      true,
      '[CERTIFICATE_EXPIRATION] (29d23h59m) > 1000',
    ],
    [
      'no certificate fails with no value',
      '[CERTIFICATE_EXPIRATION] > 7d',
      http,
      false,
      '[CERTIFICATE_EXPIRATION] (no value) > 7d',
    ],
    [
      'a DNS response code equals a word',
      '[DNS_RCODE] == NOERROR',
      dns,
      true,
      '[DNS_RCODE] (NOERROR) == NOERROR',
    ],
    [
      'NXDOMAIN fails an expected NOERROR',
      '[DNS_RCODE] == NOERROR',
      nxdomain,
      false,
      '[DNS_RCODE] (NXDOMAIN) == NOERROR',
    ],
    [
      'a DNS response code outside DNS fails with no value',
      '[DNS_RCODE] == NOERROR',
      http,
      false,
      '[DNS_RCODE] (no value) == NOERROR',
    ],
    // len()
    ['len of an empty array is 0', 'len([BODY].items) > 0', http, false, 'len([BODY].items) (0) > 0'],
    ['len of an array counts items', 'len([BODY].tags) == 3', http, true, 'len([BODY].tags) (3) == 3'],
    ['len of an object counts keys', 'len([BODY].user) == 2', http, true, 'len([BODY].user) (2) == 2'],
    [
      'len of a string counts characters',
      'len([BODY].user.name) == 3',
      http,
      true,
      'len([BODY].user.name) (3) == 3',
    ],
    [
      'len counts a character outside the BMP once',
      'len([BODY]) == 4',
      () => textBody('ok👍!'),
      true,
      'len([BODY]) (4) == 4',
    ],
    [
      'len of the whole body counts its characters',
      'len([BODY]) == 2',
      () => textBody('OK'),
      true,
      'len([BODY]) (2) == 2',
    ],
    [
      'len of a header counts characters',
      'len([HEADER].content-length) == 4',
      http,
      true,
      'len([HEADER].content-length) (4) == 4',
    ],
    [
      'len of a number fails saying it has no length',
      'len([BODY].count) > 0',
      http,
      false,
      'len([BODY].count) (5 has no length) > 0',
    ],
    [
      'len of a missing path fails with missing',
      'len([BODY].nope) > 0',
      http,
      false,
      'len([BODY].nope) (missing) > 0',
    ],
    [
      'len of a body that is not JSON fails saying so',
      'len([BODY].items) > 0',
      () => textBody('nope'),
      false,
      'len([BODY].items) (body is not JSON) > 0',
    ],
    // has()
    [
      'has finds a present path',
      'has([BODY].user.name) == true',
      http,
      true,
      'has([BODY].user.name) (true) == true',
    ],
    ['has holds for a JSON null', 'has([BODY].next) == true', http, true, 'has([BODY].next) (true) == true'],
    [
      'has == false holds for an absent path',
      'has([BODY].error) == false',
      http,
      true,
      'has([BODY].error) (false) == false',
    ],
    [
      'the bare has form fails on an absent path',
      'has([BODY].nope)',
      http,
      false,
      'has([BODY].nope) (false) == true',
    ],
    [
      'the bare has form passes on a present path',
      'has([BODY].data[0].id)',
      http,
      true,
      'has([BODY].data[0].id) (true) == true',
    ],
    [
      'has is false when the body is not JSON',
      'has([BODY].token)',
      () => textBody('<html>'),
      false,
      'has([BODY].token) (false) == true',
    ],
    [
      'has is false without a body',
      'has([BODY].token) != true',
      tls,
      true,
      'has([BODY].token) (false) != true',
    ],
    [
      'has finds a header',
      'has([HEADER].content-type)',
      http,
      true,
      'has([HEADER].content-type) (true) == true',
    ],
    [
      'has tells whether the check type provides a placeholder',
      'has([STATUS]) == false',
      dns,
      true,
      'has([STATUS]) (false) == false',
    ],
    // pat()
    [
      'pat matches a prefix with *',
      '[HEADER].content-type == pat(application/json*)',
      http,
      true,
      '[HEADER].content-type (application/json; charset=utf-8) == pat(application/json*)',
    ],
    [
      'pat fails on another content type',
      '[HEADER].content-type == pat(application/json*)',
      () => textBody('x'),
      false,
      '[HEADER].content-type (text/plain) == pat(application/json*)',
    ],
    [
      'pat finds a word anywhere in the body',
      '[BODY] == pat(*all good*)',
      http,
      true,
      `[BODY] (${BODY.slice(0, SHOWN_VALUE_MAX - 1)}…) == pat(*all good*)`,
    ],
    ['pat with ? matches one character', '[STATUS] == pat(2??)', http, true, '[STATUS] (200) == pat(2??)'],
    ['pat with ? does not match two', '[STATUS] == pat(2?)', http, false, '[STATUS] (200) == pat(2?)'],
    ['pat is case-sensitive', '[BODY] == pat(*OK*)', () => textBody('ok'), false, '[BODY] (ok) == pat(*OK*)'],
    [
      '!= with pat holds when nothing matches',
      '[BODY] != pat(*error*)',
      () => textBody('ok'),
      true,
      '[BODY] (ok) != pat(*error*)',
    ],
    [
      '!= with pat fails on a match',
      '[BODY] != pat(*error*)',
      () => textBody('an error'),
      false,
      '[BODY] (an error) != pat(*error*)',
    ],
    [
      'pat on a missing value fails with missing',
      '[BODY].x == pat(*)',
      http,
      false,
      '[BODY].x (missing) == pat(*)',
    ],
    // any()
    [
      'any holds when one value equals',
      '[STATUS] == any(200, 204)',
      http,
      true,
      '[STATUS] (200) == any(200, 204)',
    ],
    [
      'any fails when none equals',
      '[STATUS] == any(200, 204)',
      failing,
      false,
      '[STATUS] (503) == any(200, 204)',
    ],
    [
      '!= with any holds when none equals',
      '[STATUS] != any(500, 502, 503)',
      http,
      true,
      '[STATUS] (200) != any(500, 502, 503)',
    ],
    [
      '!= with any fails when one equals',
      '[STATUS] != any(500, 502, 503)',
      failing,
      false,
      '[STATUS] (503) != any(500, 502, 503)',
    ],
    [
      'any compares words',
      '[DNS_RCODE] == any(NOERROR, NXDOMAIN)',
      nxdomain,
      true,
      '[DNS_RCODE] (NXDOMAIN) == any(NOERROR, NXDOMAIN)',
    ],
    [
      'any compares quoted text',
      '[BODY].status == any("all good", fine)',
      http,
      true,
      '[BODY].status (all good) == any("all good", fine)',
    ],
    [
      'any on a missing value fails with no value',
      '[STATUS] == any(200)',
      dns,
      false,
      '[STATUS] (no value) == any(200)',
    ],
    // literals
    [
      'a quoted literal keeps its quotes in the shown text',
      '[BODY].empty == ""',
      http,
      true,
      '[BODY].empty ("") == ""',
    ],
    [
      'a duration-like word beside a JSON value is text',
      '[BODY].ttl == 5m',
      () => textBody('{"ttl":"5m"}'),
      true,
      '[BODY].ttl (5m) == 5m',
    ],
    [
      'a quoted number orders numeric text',
      '[HEADER].content-length < "2000"',
      http,
      true,
      '[HEADER].content-length (1234) < "2000"',
    ],
  ])('%s: %s', (_name, text, context, ok, shown) => {
    expect(evaluate(text, context())).toEqual({ condition: text, ok, shown });
  });
});

describe('evaluateCondition shortens', () => {
  it('values longer than the limit to the limit, ending in an ellipsis', () => {
    const long = 'x'.repeat(SHOWN_VALUE_MAX * 3);
    const outcome = evaluate('[BODY] == short', textBody(long));
    const shownValue = `${'x'.repeat(SHOWN_VALUE_MAX - 1)}…`;
    expect(outcome.shown).toBe(`[BODY] (${shownValue}) == short`);
    expect(Array.from(shownValue)).toHaveLength(SHOWN_VALUE_MAX);
  });

  it('nothing that fits the limit exactly', () => {
    const fits = 'y'.repeat(SHOWN_VALUE_MAX);
    expect(evaluate('[BODY] == short', textBody(fits)).shown).toBe(`[BODY] (${fits}) == short`);
  });

  it('values but still compares them whole', () => {
    const long = `${'x'.repeat(SHOWN_VALUE_MAX * 3)}END`;
    expect(evaluate('[BODY] == pat(*END)', textBody(long)).ok).toBe(true);
  });
});

describe('evaluateCondition parses a body', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('once for all the conditions judged on one context', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const ctx = http();
    const texts = ['[BODY].count == 5', 'len([BODY].items) == 0', 'has([BODY].user)', '[BODY].nope == 1'];
    const outcomes = texts.map((text) => evaluate(text, ctx));
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false]);
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('once more for another context, and again when a context gets a new body', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const first = http();
    const second = http();
    expect(evaluate('[BODY].count == 5', first).ok).toBe(true);
    expect(evaluate('[BODY].count == 5', second).ok).toBe(true);
    expect(parse).toHaveBeenCalledTimes(2);
    first.body = '{"count":6}';
    expect(evaluate('[BODY].count == 5', first)).toMatchObject({ ok: false, shown: '[BODY].count (6) == 5' });
    expect(parse).toHaveBeenCalledTimes(3);
  });

  it('once even when it is not JSON', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const ctx = textBody('<html>');
    expect(evaluate('[BODY].a == 1', ctx).shown).toBe('[BODY].a (body is not JSON) == 1');
    expect(evaluate('[BODY].b == 1', ctx).shown).toBe('[BODY].b (body is not JSON) == 1');
    expect(parse).toHaveBeenCalledTimes(1);
  });
});

describe('evaluateCondition never throws', () => {
  it('even when reading the context throws, failing the condition and saying why', () => {
    const ctx = http();
    Object.defineProperty(ctx, 'status', {
      get() {
        throw new Error('broken runner');
      },
    });
    expect(evaluate('[STATUS] == 200', ctx)).toEqual({
      condition: '[STATUS] == 200',
      ok: false,
      shown: '[STATUS] == 200 (could not evaluate: broken runner)',
    });
  });
});
