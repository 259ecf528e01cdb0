import { describe, expect, it } from 'vitest';
import type { Extraction } from '../../types.ts';
import { extractValue, parseJsonPath, shortenForDisplay } from './extract.ts';

const source = {
  headers: { 'x-request-id': 'req-1', location: '/next' },
  body: JSON.stringify({
    token: 'abc',
    data: { id: 5, items: [{ id: 'first' }, { id: 'second', tags: ['a', 'b'] }], ok: true, none: null },
  }),
};

describe('extractValue', () => {
  const cases: {
    name: string;
    extraction: Extraction;
    body?: string;
    expected: { value: string } | { error: RegExp };
  }[] = [
    { name: 'a top-level JSON key', extraction: { from: 'json', path: 'token' }, expected: { value: 'abc' } },
    {
      name: 'a nested key with an optional $. prefix',
      extraction: { from: 'json', path: '$.data.id' },
      expected: { value: '5' },
    },
    {
      name: 'an array element by index',
      extraction: { from: 'json', path: 'data.items[1].id' },
      expected: { value: 'second' },
    },
    {
      name: 'nested indexes',
      extraction: { from: 'json', path: 'data.items[1].tags[0]' },
      expected: { value: 'a' },
    },
    { name: 'a boolean as text', extraction: { from: 'json', path: 'data.ok' }, expected: { value: 'true' } },
    { name: 'null as text', extraction: { from: 'json', path: 'data.none' }, expected: { value: 'null' } },
    {
      name: 'an object as JSON',
      extraction: { from: 'json', path: 'data.items[0]' },
      expected: { value: '{"id":"first"}' },
    },
    {
      name: 'a root array by index',
      extraction: { from: 'json', path: '$[1]' },
      body: '[10,20]',
      expected: { value: '20' },
    },
    {
      name: 'a missing key is an error naming the path',
      extraction: { from: 'json', path: 'data.nope' },
      expected: { error: /data\.nope is not in the JSON body/ },
    },
    {
      name: 'an index past the end is an error',
      extraction: { from: 'json', path: 'data.items[5]' },
      expected: { error: /not in the JSON body/ },
    },
    {
      name: 'an index into an object is an error',
      extraction: { from: 'json', path: 'data[0]' },
      expected: { error: /not in the JSON body/ },
    },
    {
      name: 'inherited properties are not keys',
      extraction: { from: 'json', path: 'token.length' },
      expected: { error: /not in the JSON body/ },
    },
    {
      name: 'a body that is not JSON is an error',
      extraction: { from: 'json', path: 'token' },
      body: '<html>',
      expected: { error: /not JSON/ },
    },
    {
      name: 'a header in any case',
      extraction: { from: 'header', name: 'X-Request-ID' },
      expected: { value: 'req-1' },
    },
    {
      name: 'a missing header is an error',
      extraction: { from: 'header', name: 'x-gone' },
      expected: { error: /no x-gone header/ },
    },
    {
      name: 'a regex capture group',
      extraction: { from: 'regex', pattern: '"token":"(\\w+)"', group: 1 },
      expected: { value: 'abc' },
    },
    {
      name: 'regex group 0 is the whole match',
      extraction: { from: 'regex', pattern: 'tok\\w+', group: 0 },
      expected: { value: 'token' },
    },
    {
      name: 'a regex that does not match is an error',
      extraction: { from: 'regex', pattern: 'nomatch(\\d)', group: 1 },
      expected: { error: /does not match/ },
    },
    {
      name: 'a group the regex does not have is an error',
      extraction: { from: 'regex', pattern: 'token', group: 2 },
      expected: { error: /no group 2/ },
    },
    {
      name: 'an invalid regex is an error',
      extraction: { from: 'regex', pattern: '(', group: 1 },
      expected: { error: /invalid regex/ },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = extractValue(c.extraction, { ...source, body: c.body ?? source.body });
      if ('value' in c.expected) expect(got).toEqual(c.expected);
      else expect('error' in got && got.error).toMatch(c.expected.error);
    });
  }
});

describe('parseJsonPath', () => {
  const cases: { name: string; path: string; expected: (string | number)[] | 'invalid' }[] = [
    { name: 'a bare key', path: 'token', expected: ['token'] },
    { name: 'dotted keys and indexes', path: 'data.items[0].id', expected: ['data', 'items', 0, 'id'] },
    { name: 'a $. prefix is the root', path: '$.data.id', expected: ['data', 'id'] },
    { name: '$ alone is the whole document', path: '$', expected: [] },
    { name: 'quoted keys may contain dots', path: "$['a.b'].c", expected: ['a.b', 'c'] },
    { name: 'double dots are invalid', path: 'a..b', expected: 'invalid' },
    { name: 'a key straight after an index needs a dot', path: 'a[0]b', expected: 'invalid' },
    { name: 'an unclosed bracket is invalid', path: 'a[0', expected: 'invalid' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = parseJsonPath(c.path);
      if (c.expected === 'invalid') expect(got).toHaveProperty('error');
      else expect(got).toEqual({ path: c.expected });
    });
  }
});

describe('shortenForDisplay', () => {
  it('shows a short value whole', () => expect(shortenForDisplay('s-42')).toBe('s-42'));
  it('shows the start and the length of a long value', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig';
    expect(shortenForDisplay(jwt)).toBe(`eyJhbGciOiJI… (${jwt.length} chars)`);
  });
});
