import { describe, expect, it } from 'vitest';
import { closest, editDistance } from './did-you-mean.ts';

describe('editDistance', () => {
  it.each([
    ['equal words are 0 apart', 'STATUS', 'STATUS', 0],
    ['case does not count', 'status', 'STATUS', 0],
    ['a missing letter is 1', 'STATS', 'STATUS', 1],
    ['two swapped neighbours are 1', 'BDOY', 'BODY', 1],
    ['a changed letter is 1', 'BODI', 'BODY', 1],
    ['from nothing is the length', '', 'IP', 2],
  ])('%s', (_name, a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('closest', () => {
  const names = ['STATUS', 'RESPONSE_TIME', 'BODY', 'IP'];
  it.each([
    ['suggests the name a typo came from', 'RESPONSETIME', 'RESPONSE_TIME'],
    ['suggests a name written in lower case', 'body', 'BODY'],
    ['suggests nothing for an unrelated word', 'FOO', undefined],
    ['suggests nothing when too much of a short word differs', 'XY', undefined],
  ])('%s', (_name, word, expected) => {
    expect(closest(word, names)).toBe(expected);
  });
});
