import { describe, expect, it } from 'vitest';
import { CappedBody, flattenHeaders } from './response.ts';

describe('flattenHeaders', () => {
  const cases: {
    name: string;
    input: Record<string, string | string[] | undefined>;
    expected: Record<string, string>;
  }[] = [
    {
      name: 'single values pass through',
      input: { 'content-type': 'text/plain' },
      expected: { 'content-type': 'text/plain' },
    },
    {
      name: 'repeated headers are joined with a comma and a space',
      input: { 'set-cookie': ['a=1', 'b=2'] },
      expected: { 'set-cookie': 'a=1, b=2' },
    },
    { name: 'names are lower-cased', input: { 'X-Mixed': 'v' }, expected: { 'x-mixed': 'v' } },
    { name: 'missing values are left out', input: { gone: undefined }, expected: {} },
  ];
  for (const c of cases) it(c.name, () => expect(flattenHeaders(c.input)).toEqual(c.expected));
});

describe('CappedBody', () => {
  it('keeps a body within the cap whole', () => {
    const body = new CappedBody(10);
    expect(body.push(Buffer.from('hello'))).toBe(true);
    expect(body.push(Buffer.from('world'))).toBe(true);
    expect(body.overflowed).toBe(false);
    expect(body.text()).toBe('helloworld');
  });

  it('keeps the first bytes up to the cap and counts everything read', () => {
    const body = new CappedBody(4);
    expect(body.push(Buffer.from('abc'))).toBe(true);
    expect(body.push(Buffer.from('defgh'))).toBe(false);
    expect(body.overflowed).toBe(true);
    expect(body.bytesRead).toBe(8);
    expect(body.text()).toBe('abcd');
  });

  it('leaves out a character the cap cut in half', () => {
    const body = new CappedBody(2);
    body.push(Buffer.from('aé!'));
    // 'a' is one byte, 'é' two: the cap falls inside 'é'.
    expect(body.text()).toBe('a');
  });

  it('decodes a complete body as UTF-8', () => {
    const body = new CappedBody(100);
    body.push(Buffer.from('grüße'));
    expect(body.text()).toBe('grüße');
  });
});
