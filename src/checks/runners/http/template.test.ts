import { describe, expect, it } from 'vitest';
import { fillPlaceholders, fillRequest } from './template.ts';

const vars = new Map([
  ['token', 'abc'],
  ['id', '7'],
]);

describe('fillPlaceholders', () => {
  const cases: { name: string; text: string; expected: ReturnType<typeof fillPlaceholders> }[] = [
    { name: 'text without placeholders is unchanged', text: '/items', expected: { value: '/items' } },
    {
      name: 'every placeholder is filled',
      text: '/items/${id}?t=${token}&again=${id}',
      expected: { value: '/items/7?t=abc&again=7' },
    },
    {
      name: 'an undefined variable is reported by name',
      text: 'x ${id} ${nope} ${other}',
      expected: { missing: 'nope' },
    },
    {
      name: 'a placeholder that is not a variable name stays literal',
      text: 'cost: ${1} and ${ id }',
      expected: { value: 'cost: ${1} and ${ id }' },
    },
    { name: 'a dollar without braces is literal', text: '$token', expected: { value: '$token' } },
  ];
  for (const c of cases) it(c.name, () => expect(fillPlaceholders(c.text, vars)).toEqual(c.expected));
});

describe('fillRequest', () => {
  it('fills the URL, the header values and the body', () => {
    const filled = fillRequest(
      {
        method: 'POST',
        url: 'http://h/items/${id}',
        headers: { Authorization: 'Bearer ${token}' },
        body: '{"id":${id}}',
      },
      vars,
    );
    expect(filled).toEqual({
      value: {
        method: 'POST',
        url: 'http://h/items/7',
        headers: { Authorization: 'Bearer abc' },
        body: '{"id":7}',
      },
    });
  });

  const missing: { name: string; where: 'url' | 'header' | 'body' }[] = [
    { name: 'an undefined variable in the URL is reported', where: 'url' },
    { name: 'an undefined variable in a header is reported', where: 'header' },
    { name: 'an undefined variable in the body is reported', where: 'body' },
  ];
  for (const c of missing) {
    it(c.name, () => {
      const filled = fillRequest(
        {
          method: 'POST',
          url: c.where === 'url' ? 'http://h/${gone}' : 'http://h/',
          headers: c.where === 'header' ? { 'X-A': '${gone}' } : {},
          body: c.where === 'body' ? '${gone}' : '',
        },
        vars,
      );
      expect(filled).toEqual({ missing: 'gone' });
    });
  }
});

describe('environment references in steps', () => {
  const env = new Map([['API_KEY', 'k-1']]);

  it('fills ${env.NAME} beside step variables', () => {
    expect(fillPlaceholders('${env.API_KEY}:${token}', vars, env)).toEqual({ value: 'k-1:abc' });
  });

  it('reports an unset one as env.NAME', () => {
    expect(fillPlaceholders('${env.NOPE}', vars, env)).toEqual({ missing: 'env.NOPE' });
  });

  it('never expands a reference that arrived inside an extracted value (a server cannot ask for a secret)', () => {
    const fromResponse = new Map([['token', '${env.API_KEY}']]);
    expect(fillPlaceholders('Bearer ${token}', fromResponse, env)).toEqual({
      value: 'Bearer ${env.API_KEY}',
    });
  });
});
