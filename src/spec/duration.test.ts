import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../slo/model.ts';
import { formatDuration, parseCalendarDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['five minutes are 300 000 ms', '5m', 5 * MINUTE_MS],
    ['an hour and a half written compound is 90 minutes', '1h30m', 90 * MINUTE_MS],
    ['thirty days are thirty days', '30d', 30 * DAY_MS],
    ['a week is seven days', '1w', 7 * DAY_MS],
    ['milliseconds are read as milliseconds', '250ms', 250],
    ['seconds are read as seconds', '45s', 45_000],
    ['zero is a valid length', '0m', 0],
  ])('%s', (_name, text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['an unknown unit is rejected', '30x'],
    ['a negative duration is rejected', '-1d'],
    ['a decimal is rejected', '1.5h'],
    ['a calendar month is not a fixed duration', '1M'],
    ['a quarter is not a fixed duration', '1Q'],
    ['units out of order are rejected', '30m1h'],
    ['a bare number is rejected', '30'],
    ['an empty string is rejected', ''],
    ['spaces are rejected', '1h 30m'],
  ])('%s', (_name, text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('parseCalendarDuration', () => {
  it.each([
    ['one M is one calendar month', '1M', { unit: 'Month', count: 1 }],
    ['one Q is one quarter', '1Q', { unit: 'Quarter', count: 1 }],
    ['one Y is one year', '1Y', { unit: 'Year', count: 1 }],
    ['two w are two calendar weeks', '2w', { unit: 'Week', count: 2 }],
    ['one d is one calendar day', '1d', { unit: 'Day', count: 1 }],
  ])('%s', (_name, text, expected) => {
    expect(parseCalendarDuration(text)).toEqual(expected);
  });

  it.each([
    ['minutes are not a calendar unit', '1m'],
    ['hours are not a calendar unit', '1h'],
    ['zero months are rejected', '0M'],
  ])('%s', (_name, text) => {
    expect(parseCalendarDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    ['five minutes print as 5m', 5 * MINUTE_MS, '5m'],
    ['an hour prints as 1h', HOUR_MS, '1h'],
    ['thirty days print as 30d', 30 * DAY_MS, '30d'],
    ['two and a half hours print compound', 2.5 * HOUR_MS, '2h30m'],
    ['sub-second lengths print in ms', 250, '250ms'],
  ])('%s', (_name, ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([['5m'], ['1h30m'], ['28d'], ['1d2h3m4s']])('%s survives a round trip', (text) => {
    expect(formatDuration(parseDuration(text) as number)).toBe(text);
  });
});
