import { describe, expect, it } from 'vitest';
import { matchGlob } from './glob.ts';

describe('matchGlob', () => {
  it.each([
    ['text without wildcards matches itself', 'ok', 'ok', true],
    ['text without wildcards does not match a longer text', 'ok', 'ok!', false],
    ['a star matches a suffix', 'application/json*', 'application/json; charset=utf-8', true],
    ['a star matches nothing', 'application/json*', 'application/json', true],
    ['a star on each side finds a word anywhere', '*ok*', 'all is ok here', true],
    ['a star on each side fails when the word is absent', '*ok*', 'all is fine', false],
    ['a star alone matches the empty text', '*', '', true],
    ['the empty glob matches only the empty text', '', 'x', false],
    ['a question mark matches one character', '2??', '204', true],
    ['a question mark does not match none', '2??', '20', false],
    ['a question mark matches a character outside the BMP', 'a?b', 'a👍b', true],
    ['matching is case-sensitive', '*OK*', 'ok', false],
    ['regex characters are literal', 'a.c', 'abc', false],
    ['brackets are literal', '[x]', '[x]', true],
    ['a star backtracks to find the last part', '*a*b', 'aaaaab', true],
    ['consecutive stars act as one', 'a**b', 'axxb', true],
    ['a trailing literal must end the text', '*.json', 'data.json.bak', false],
  ])('%s', (_name, glob, text, expected) => {
    expect(matchGlob(glob, text)).toBe(expected);
  });

  it('takes time linear in the text for a glob full of stars that cannot match', () => {
    const text = 'a'.repeat(200_000);
    const started = performance.now();
    expect(matchGlob('*a*a*a*a*a*a*a*b', text)).toBe(false);
    // Backtracking regexes take minutes here; generous bound for slow machines.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
