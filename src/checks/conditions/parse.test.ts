import { describe, expect, it } from 'vitest';
import type { Operand, ParsedCondition } from './ast.ts';
import { parseCondition } from './parse.ts';

function parsed(text: string): ParsedCondition {
  const result = parseCondition(text);
  if ('error' in result) throw new Error(`expected ${text} to parse: ${result.error.message}`);
  return result.condition;
}

/** The AST without columns and texts, which other tables check. */
function shape(operand: Operand): unknown {
  switch (operand.kind) {
    case 'placeholder':
      return operand.name === 'HEADER'
        ? { header: operand.header }
        : operand.path.length > 0
          ? { [operand.name]: operand.path }
          : operand.name;
    case 'len':
    case 'has':
      return { [operand.kind]: shape(operand.target) };
    case 'pat':
      return { pat: operand.glob };
    case 'any':
      return { any: operand.options.map((o) => o.value) };
    case 'literal':
      return operand.value;
  }
}

describe('parseCondition reads', () => {
  it.each([
    ['a status compared with a number', '[STATUS] == 200', 'STATUS', '==', 200],
    ['every operator: !=', '[STATUS] != 500', 'STATUS', '!=', 500],
    ['every operator: <', '[STATUS] < 400', 'STATUS', '<', 400],
    ['every operator: <=', '[STATUS] <= 399', 'STATUS', '<=', 399],
    ['every operator: >', '[STATUS] > 199', 'STATUS', '>', 199],
    ['every operator: >=', '[STATUS] >= 200', 'STATUS', '>=', 200],
    ['operators without spaces around them', '[STATUS]>=200', 'STATUS', '>=', 200],
    ['a decimal number', '[BODY].ratio < 1.5', { BODY: [{ key: 'ratio' }] }, '<', 1.5],
    ['a negative number', '[BODY].delta > -3', { BODY: [{ key: 'delta' }] }, '>', -3],
    ['a bare response time as milliseconds', '[RESPONSE_TIME] < 300', 'RESPONSE_TIME', '<', 300],
    ['a response time in milliseconds', '[RESPONSE_TIME] < 300ms', 'RESPONSE_TIME', '<', 300],
    ['a response time in seconds', '[RESPONSE_TIME] <= 2s', 'RESPONSE_TIME', '<=', 2000],
    ['a compound duration', '[RESPONSE_TIME] < 1h30m', 'RESPONSE_TIME', '<', 5_400_000],
    [
      'a certificate expiry in hours',
      '[CERTIFICATE_EXPIRATION] > 48h',
      'CERTIFICATE_EXPIRATION',
      '>',
      172_800_000,
    ],
    [
      'a certificate expiry in days',
      '[CERTIFICATE_EXPIRATION] > 7d',
      'CERTIFICATE_EXPIRATION',
      '>',
      604_800_000,
    ],
    ['a whole body compared with text', '[BODY] == ok', 'BODY', '==', 'ok'],
    [
      'a JSON path with keys and an index',
      '[BODY].data[0].id == 5',
      { BODY: [{ key: 'data' }, { index: 0 }, { key: 'id' }] },
      '==',
      5,
    ],
    ['a JSON path starting with an index', '[BODY][0] == x', { BODY: [{ index: 0 }] }, '==', 'x'],
    ['a quoted key with a dash', '[BODY]["odd-key"] == 1', { BODY: [{ key: 'odd-key' }] }, '==', 1],
    ['a quoted key with a dot and a space', '[BODY]["a.b c"] == 1', { BODY: [{ key: 'a.b c' }] }, '==', 1],
    ['a bare key with a dash', '[BODY].odd-key == 1', { BODY: [{ key: 'odd-key' }] }, '==', 1],
    ['a nested key', '[BODY].user.name == ann', { BODY: [{ key: 'user' }, { key: 'name' }] }, '==', 'ann'],
    [
      'a header name in lower case',
      '[HEADER].Content-Type == text/html',
      { header: 'content-type' },
      '==',
      'text/html',
    ],
    ['the connected flag', '[CONNECTED] == true', 'CONNECTED', '==', true],
    ['false', '[CONNECTED] == false', 'CONNECTED', '==', false],
    ['null', '[BODY].next == null', { BODY: [{ key: 'next' }] }, '==', null],
    ['an IP address as text', '[IP] == 127.0.0.1', 'IP', '==', '127.0.0.1'],
    ['a DNS response code as a bare word', '[DNS_RCODE] == NOERROR', 'DNS_RCODE', '==', 'NOERROR'],
    ['a quoted string with spaces', '[BODY].msg == "all good"', { BODY: [{ key: 'msg' }] }, '==', 'all good'],
    ['a quoted string with an escaped quote', '[BODY] == "say \\"hi\\""', 'BODY', '==', 'say "hi"'],
    ['a quoted number as text', '[BODY].v == "200"', { BODY: [{ key: 'v' }] }, '==', '200'],
    [
      'a right side that runs to the next space',
      '[HEADER].location == /login?next=/a',
      { header: 'location' },
      '==',
      '/login?next=/a',
    ],
    [
      'a duration-like word beside a non-time value as text',
      '[BODY].ttl == 5m',
      { BODY: [{ key: 'ttl' }] },
      '==',
      '5m',
    ],
    ['len of a JSON path', 'len([BODY].items) > 0', { len: { BODY: [{ key: 'items' }] } }, '>', 0],
    ['len of the whole body', 'len([BODY]) < 100', { len: 'BODY' }, '<', 100],
    [
      'has compared with true',
      'has([BODY].token) == true',
      { has: { BODY: [{ key: 'token' }] } },
      '==',
      true,
    ],
    ['spaces inside a call', 'len( [BODY].items ) == 2', { len: { BODY: [{ key: 'items' }] } }, '==', 2],
    [
      'pat on the right side',
      '[HEADER].content-type == pat(application/json*)',
      { header: 'content-type' },
      '==',
      { pat: 'application/json*' },
    ],
    ['pat keeping the spaces inside it', '[BODY] != pat(*not ok*)', 'BODY', '!=', { pat: '*not ok*' }],
    [
      'pat with a quoted glob holding a parenthesis',
      '[BODY] == pat("*(beta)*")',
      'BODY',
      '==',
      { pat: '*(beta)*' },
    ],
    ['any with numbers', '[STATUS] == any(200, 204)', 'STATUS', '==', { any: [200, 204] }],
    [
      'any with words and quoted text',
      '[DNS_RCODE] != any(NXDOMAIN,"SERVFAIL")',
      'DNS_RCODE',
      '!=',
      { any: ['NXDOMAIN', 'SERVFAIL'] },
    ],
    [
      'any with durations beside a time placeholder',
      '[RESPONSE_TIME] == any(1s, 2000)',
      'RESPONSE_TIME',
      '==',
      { any: [1000, 2000] },
    ],
    ['a literal on the left', '200 == [STATUS]', 200, '==', 'STATUS'],
    [
      'a placeholder on both sides',
      '[BODY].a == [BODY].b',
      { BODY: [{ key: 'a' }] },
      '==',
      { BODY: [{ key: 'b' }] },
    ],
    ['leading and trailing spaces', '   [STATUS] == 200  ', 'STATUS', '==', 200],
  ])('%s: %s', (_name, text, left, operator, right) => {
    const condition = parsed(text);
    expect(condition.source).toBe(text);
    expect(shape(condition.left)).toEqual(left);
    expect(condition.operator).toBe(operator);
    expect(shape(condition.right)).toEqual(right);
    expect(condition.implicit).toBe(false);
  });

  it('the bare has(X) form as has(X) == true', () => {
    const condition = parsed('has([BODY].token)');
    expect(shape(condition.left)).toEqual({ has: { BODY: [{ key: 'token' }] } });
    expect(condition.operator).toBe('==');
    expect(shape(condition.right)).toBe(true);
    expect(condition.implicit).toBe(true);
  });

  it('each operand with its text as written and its 1-based column', () => {
    const condition = parsed('  len([BODY].items)   ==  any(1, 2)');
    expect([condition.left.text, condition.left.column]).toEqual(['len([BODY].items)', 3]);
    expect([condition.right.text, condition.right.column]).toEqual(['any(1, 2)', 27]);
  });
});

describe('parseCondition rejects', () => {
  it.each([
    ['an empty condition', '', 'expected a condition at column 1 (e.g. [STATUS] == 200)', 1],
    ['a condition of spaces', '   ', 'expected a condition at column 4 (e.g. [STATUS] == 200)', 4],
    [
      'a single equals sign',
      '[STATUS] = 200',
      'expected an operator (==, !=, <, <=, >, >=) at column 10 (found =)',
      10,
    ],
    [
      'a word where the operator goes',
      '[STATUS] is 200',
      'expected an operator (==, !=, <, <=, >, >=) at column 10 (found is)',
      10,
    ],
    [
      'a placeholder alone',
      '[STATUS]',
      'expected an operator (==, !=, <, <=, >, >=) at column 9 (the condition ends there)',
      9,
    ],
    [
      'len alone (only has has a bare form)',
      'len([BODY])',
      'expected an operator (==, !=, <, <=, >, >=) at column 12 (the condition ends there)',
      12,
    ],
    ['a missing right side', '[STATUS] ==', 'expected a value after == at column 12', 12],
    [
      'a misspelt placeholder',
      '[STATS] == 200',
      'unknown placeholder [STATS] at column 1 (did you mean [STATUS]?)',
      1,
    ],
    [
      'a placeholder in lower case',
      '[status] == 200',
      'unknown placeholder [status] at column 1 (did you mean [STATUS]?)',
      1,
    ],
    [
      'an unknown placeholder on the right',
      '[STATUS] == [RESPONSE_TIM]',
      'unknown placeholder [RESPONSE_TIM] at column 13 (did you mean [RESPONSE_TIME]?)',
      13,
    ],
    [
      'a placeholder nothing like a known one',
      '[FOO] == 1',
      'unknown placeholder [FOO] at column 1 (placeholders: [STATUS], [RESPONSE_TIME], [BODY], [HEADER], [CONNECTED], [IP], [CERTIFICATE_EXPIRATION], [DNS_RCODE])',
      1,
    ],
    ['an unclosed placeholder', '[STATUS == 200', 'expected ] to close [STATUS at column 8', 8],
    [
      'a forgotten pair of brackets',
      'STATUS == 200',
      'expected a placeholder such as [STATUS] on one side at column 1 (did you mean [STATUS]?)',
      1,
    ],
    ['two literals', '200 == 200', 'expected a placeholder such as [STATUS] on one side at column 1', 1],
    ['an operator first', '== 200', 'expected a placeholder such as [STATUS] at column 1', 1],
    [
      'an unknown function',
      'foo([BODY]) == 1',
      'unknown function foo( at column 1 (functions: len, has, pat, any)',
      1,
    ],
    ['a misspelt function', 'lem([BODY]) == 1', 'unknown function lem( at column 1 (did you mean len?)', 1],
    [
      'an unknown function on the right',
      '[BODY] == glob(*x*)',
      'unknown function glob( at column 11 (functions: len, has, pat, any)',
      11,
    ],
    ['an unclosed pat', '[BODY] == pat(*ok*', 'unclosed pat( at column 11', 11],
    ['an unclosed pat after a longer placeholder', '[IP] == pat(10.*', 'unclosed pat( at column 9', 9],
    ['an unclosed quoted glob', '[BODY] == pat("*ok*', 'unclosed " at column 15', 15],
    ['an unclosed len', 'len([BODY].items', 'unclosed len( at column 1', 1],
    [
      'len of something else than a placeholder',
      'len(abc) > 1',
      'len( takes a placeholder at column 5 (e.g. [BODY].items)',
      5,
    ],
    [
      'has with two arguments',
      'has([BODY].a, [BODY].b)',
      'expected ) at column 13 (to close the has( at column 1)',
      13,
    ],
    ['an unclosed any', '[STATUS] == any(200, 204', 'unclosed any( at column 13', 13],
    [
      'an empty any',
      '[STATUS] == any()',
      'any( needs at least one value at column 17 (e.g. any(200, 204))',
      17,
    ],
    [
      'a placeholder inside any',
      '[STATUS] == any([STATUS])',
      'any( takes values, not placeholders or functions at column 17 (e.g. any(200, 204))',
      17,
    ],
    ['any values without a comma', '[STATUS] == any(200 204)', 'expected , or ) in any( at column 21', 21],
    [
      'pat on the left',
      'pat(*ok*) == [BODY]',
      'pat( belongs on the right side at column 1 (e.g. [STATUS] == pat(*ok*))',
      1,
    ],
    [
      'any on the left',
      'any(1, 2) == [STATUS]',
      'any( belongs on the right side at column 1 (e.g. [STATUS] == any(1, 2))',
      1,
    ],
    ['pat with an ordering operator', '[BODY] < pat(*ok*)', 'pat( works only with == or != at column 10', 10],
    [
      'any with an ordering operator',
      '[STATUS] >= any(200, 300)',
      'any( works only with == or != at column 13',
      13,
    ],
    ['an unclosed quote', '[BODY] == "all good', 'unclosed " at column 11', 11],
    [
      'words after the right side',
      '[BODY] == all good',
      'unexpected good at column 15 (put text with spaces in double quotes: "a b")',
      15,
    ],
    [
      'a path on a placeholder that takes none',
      '[STATUS].code == 200',
      '[STATUS] takes no path at column 9 (only [BODY] and [HEADER] do)',
      9,
    ],
    [
      'a header without a name',
      '[HEADER] == x',
      '[HEADER] needs a header name at column 9 (e.g. [HEADER].content-type)',
      9,
    ],
    [
      'a header with an empty name',
      '[HEADER]. == x',
      'expected a header name after [HEADER]. at column 10 (e.g. [HEADER].content-type)',
      10,
    ],
    [
      'an empty key in a path',
      '[BODY].data..id == 1',
      'expected a key after . at column 13 (e.g. [BODY].data[0].id)',
      13,
    ],
    [
      'a word inside brackets in a path',
      '[BODY][first] == 1',
      'expected an index or a quoted key after [ at column 8 (e.g. [0] or ["odd-key"])',
      8,
    ],
    ['an unclosed index', '[BODY].items[0 == 1', 'expected ] at column 15 (to close the [ at column 13)', 15],
    [
      'text beside the response time',
      '[RESPONSE_TIME] == fast',
      'expected a number of ms or a duration such as 300ms, 2s or 1h30m, found fast at column 20',
      20,
    ],
    [
      'a decimal duration',
      '[RESPONSE_TIME] < 1.5s',
      'expected a number of ms or a duration such as 300ms, 2s or 1h30m, found 1.5s at column 19',
      19,
    ],
    [
      'a duration beside a status',
      '[STATUS] < 5s',
      '< compares numbers, and 5s is a duration, which compares only with [RESPONSE_TIME] or [CERTIFICATE_EXPIRATION] at column 12',
      12,
    ],
    ['ordering text', '[BODY].name > abc', '> compares numbers, and abc is not a number at column 15', 15],
    [
      'ordering a boolean',
      '[STATUS] <= true',
      '<= compares numbers, and true is not a number at column 13',
      13,
    ],
    [
      'ordering has',
      'has([BODY].a) > 0',
      '> compares numbers, and has([BODY].a) is true or false at column 1',
      1,
    ],
    [
      'ordering the connected flag',
      '[CONNECTED] >= 1',
      '>= compares numbers, and [CONNECTED] is not a number at column 1',
      1,
    ],
    ['ordering an IP', '[IP] < 10', '< compares numbers, and [IP] is not a number at column 1', 1],
    [
      'ordering a DNS response code',
      '[DNS_RCODE] > 0',
      '> compares numbers, and [DNS_RCODE] is not a number at column 1',
      1,
    ],
    [
      'ordering quoted text',
      '[STATUS] < "abc"',
      '< compares numbers, and "abc" is not a number at column 12',
      12,
    ],
  ])('%s: %s', (_name, text, message, column) => {
    expect(parseCondition(text)).toEqual({ error: { message, column } });
  });

  it('nothing, but orders quoted numbers (they may be compared with numeric text)', () => {
    expect(shape(parsed('[HEADER].content-length < "1000"').right)).toBe('1000');
  });
});
