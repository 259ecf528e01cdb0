import { describe, expect, it } from 'vitest';
import {
  alertLabel,
  alertTone,
  budgetTone,
  formatBudget,
  formatBurn,
  formatDuration,
  formatObjective,
  formatSli,
} from './format.ts';

describe('formatObjective', () => {
  it.each([
    ['three nines show one decimal', 0.999, '99.9%'],
    ['two nines show none', 0.99, '99%'],
    ['99.95 keeps both decimals', 0.9995, '99.95%'],
    ['float noise is rounded away', 0.9 + 0.09 + 0.009, '99.9%'],
  ])('%s', (_name, ratio, expected) => {
    expect(formatObjective(ratio)).toBe(expected);
  });
});

describe('numbers with a dash for unknown', () => {
  it.each([
    ['an SLI has three decimals', formatSli(0.99912), '99.912%'],
    ['a missing SLI is a dash', formatSli(null), '—'],
    ['an overspent budget is negative', formatBudget(-0.4213), '-42.1%'],
    ['an untouched budget is 100%', formatBudget(1), '100.0%'],
    ['a slow burn has two decimals', formatBurn(0.5), '0.50×'],
    ['a page-level burn has one decimal', formatBurn(14.4), '14.4×'],
    ['a full outage burn has none', formatBurn(1000), '1000×'],
    ['a missing burn is a dash', formatBurn(null), '—'],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });
});

describe('formatDuration', () => {
  it.each([
    ['a day and two hours show both units', 93_600_000, '1d 2h'],
    ['minutes and seconds', 125_000, '2m 5s'],
    ['a round hour is one unit', 3_600_000, '1h'],
    ['three units keep the two largest', 90_061_000, '1d 1h'],
    ['sub-second durations are milliseconds', 250, '250ms'],
    ['null is a dash', null, '—'],
  ])('%s', (_name, ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('alert and budget tones', () => {
  it.each([
    ['ok is ok', 'ok', 'ok', 'ok'],
    ['a firing page is page', 'page', 'page', 'page'],
    ['a ticket is ticket', 'ticket', 'ticket', 'ticket'],
    ['no data reads as words', 'no_data', 'nodata', 'no data'],
    ['low traffic is its own label', 'insufficient_data', 'nodata', 'low traffic'],
    ['an unknown severity keeps its name', 'sev3', 'unknown', 'sev3'],
  ])('%s', (_name, state, tone, label) => {
    expect(alertTone(state)).toBe(tone);
    expect(alertLabel(state)).toBe(label);
  });

  it.each([
    ['a full budget is healthy', 1, 'ok'],
    ['a fifth left is thin', 0.2, 'warn'],
    ['a spent budget is bad', 0, 'bad'],
    ['an overspent budget is bad', -1.5, 'bad'],
    ['no data is its own tone', null, 'nodata'],
  ])('%s', (_name, remaining, tone) => {
    expect(budgetTone(remaining)).toBe(tone);
  });
});
