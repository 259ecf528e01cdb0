/**
 * How actual values appear in `ConditionOutcome.shown`: one line, short.
 */
import type { JsonValue } from './json-path.ts';

/** Longer values are cut to this many characters (the last one an ellipsis). */
export const SHOWN_VALUE_MAX = 60;

/** One line of at most `max` characters: whitespace runs become one space, the rest is cut with `…`. */
export function shorten(text: string, max: number = SHOWN_VALUE_MAX): string {
  const line = text.replace(/\s+/g, ' ');
  const chars = Array.from(line);
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * The text a value is compared as when not compared as a number: strings as
 * they are, `true`, `false`, `null`, numbers in JS notation, arrays and
 * objects as compact JSON.
 */
export function valueText(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}

/** A value for display: its text, shortened; the empty string as `""` so it is visible. */
export function displayValue(value: JsonValue): string {
  const text = valueText(value);
  return text === '' ? '""' : shorten(text);
}

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/**
 * A duration in at most three adjacent units, largest first, for certificate
 * expiry: `29d23h59m`, `2h` (for 2h0m5s: the seconds matter less than a
 * misleading `2h5s`); negative values read `expired 2d3h ago`.
 */
export function displayDuration(ms: number): string {
  let rest = Math.round(Math.abs(ms));
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0 && parts.length < 3) parts.push(`${count}${unit}`);
    rest -= count * size;
    if (parts.length > 0 && count === 0) break;
  }
  const text = parts.length === 0 ? '0ms' : parts.join('');
  return ms < 0 ? `expired ${text} ago` : text;
}
