import { describe, expect, it } from 'vitest';
import { displayDuration, displayValue, SHOWN_VALUE_MAX, shorten, valueText } from './display.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe('shorten', () => {
  it.each([
    ['keeps short text', 'abc', 'abc'],
    ['turns line breaks and runs of spaces into one space', 'a\n\n b\tc', 'a b c'],
    [
      'cuts long text to the limit with an ellipsis',
      'z'.repeat(SHOWN_VALUE_MAX + 1),
      `${'z'.repeat(SHOWN_VALUE_MAX - 1)}…`,
    ],
    ['counts a character outside the BMP once', '👍'.repeat(SHOWN_VALUE_MAX), '👍'.repeat(SHOWN_VALUE_MAX)],
  ])('%s', (_name, text, expected) => {
    expect(shorten(text)).toBe(expected);
  });
});

describe('valueText and displayValue', () => {
  it.each([
    ['text stays text', 'ok', 'ok', 'ok'],
    ['numbers print in JS notation', 1.5, '1.5', '1.5'],
    ['booleans print as words', false, 'false', 'false'],
    ['null prints as null', null, 'null', 'null'],
    ['arrays print as compact JSON', [1, 'a'], '[1,"a"]', '[1,"a"]'],
    ['objects print as compact JSON', { a: { b: 1 } }, '{"a":{"b":1}}', '{"a":{"b":1}}'],
    ['the empty string compares empty but shows as two quotes', '', '', '""'],
  ])('%s', (_name, value, text, shown) => {
    expect(valueText(value)).toBe(text);
    expect(displayValue(value)).toBe(shown);
  });
});

describe('displayDuration', () => {
  it.each([
    ['zero is 0ms', 0, '0ms'],
    ['milliseconds stay milliseconds', 250, '250ms'],
    ['keeps the three largest units', 30 * DAY_MS - 5000, '29d23h59m'],
    ['stops at a zero unit rather than skipping it', 2 * HOUR_MS + 5000, '2h'],
    ['two adjacent units', 36 * HOUR_MS, '1d12h'],
    ['a negative duration reads as expired', -(2 * DAY_MS + 3 * HOUR_MS), 'expired 2d3h ago'],
  ])('%s', (_name, ms, expected) => {
    expect(displayDuration(ms)).toBe(expected);
  });
});
