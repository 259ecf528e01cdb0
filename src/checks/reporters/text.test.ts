/** The reporters' text helpers: durations, the summary line, control characters, long texts. */
import { describe, expect, it } from 'vitest';
import { failingError, passing, runOf, skippedHeartbeat } from './fixtures.ts';
import { formatDuration, MAX_TEXT_LINES, summaryLine, textLines, visibleControls } from './text.ts';

describe('formatDuration', () => {
  it.each([
    { name: 'under a second is whole milliseconds', ms: 123.4, text: '123 ms' },
    { name: 'a negative duration (a clock step) reads as zero', ms: -5, text: '0 ms' },
    { name: 'just under a second that rounds up reads as seconds', ms: 999.6, text: '1.0 s' },
    { name: 'seconds have one decimal', ms: 2149, text: '2.1 s' },
    { name: 'just under a minute stays in seconds', ms: 59_949, text: '59.9 s' },
    { name: 'what would round to 60.0 s reads as a minute', ms: 59_960, text: '1 min 00 s' },
    { name: 'minutes pad their seconds to two digits', ms: 125_000, text: '2 min 05 s' },
  ])('$name', ({ ms, text }) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('summaryLine', () => {
  it.each([
    {
      name: 'counts every status and the skipped',
      run: runOf([passing, failingError], [skippedHeartbeat], 80),
      line: '1 passed, 1 failed, 1 skipped in 80 ms',
    },
    {
      name: 'always says how many passed and failed',
      run: runOf([], [], 0),
      line: '0 passed, 0 failed in 0 ms',
    },
  ])('$name', ({ run, line }) => {
    expect(summaryLine(run)).toBe(line);
  });
});

describe('visibleControls', () => {
  it.each([
    { name: 'leaves ordinary text and emoji alone', text: 'ok 😀 ü', keep: '', out: 'ok 😀 ü' },
    { name: 'writes escape and NUL out as \\xNN', text: 'a\x1b[2Jb\u0000', keep: '', out: 'a\\x1B[2Jb\\x00' },
    { name: 'writes out DEL and C1 controls', text: '\u007f\u009b', keep: '', out: '\\x7F\\x9B' },
    {
      name: 'keeps the characters it is told to keep',
      text: 'a\tb\nc\rd',
      keep: '\t\n',
      out: 'a\tb\nc\\x0Dd',
    },
    { name: 'turns a lone surrogate into U+FFFD', text: 'x\ud800y\udc00', keep: '', out: 'x\uFFFDy\uFFFD' },
    {
      name: 'turns the noncharacters U+FFFE and U+FFFF into U+FFFD',
      text: '\uFFFE\uFFFF',
      keep: '',
      out: '\uFFFD\uFFFD',
    },
  ])('$name', ({ text, keep, out }) => {
    expect(visibleControls(text, keep)).toBe(out);
  });
});

describe('textLines', () => {
  it('splits on every kind of line ending', () => {
    expect(textLines('a\r\nb\rc\nd')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps a text of MAX_TEXT_LINES lines whole', () => {
    const lines = Array.from({ length: MAX_TEXT_LINES }, (_, i) => `line ${i}`);
    expect(textLines(lines.join('\n'))).toEqual(lines);
  });

  it('cuts a longer text to MAX_TEXT_LINES lines, the last saying how many were left out', () => {
    const lines = Array.from({ length: MAX_TEXT_LINES + 5 }, (_, i) => `line ${i}`);
    const kept = textLines(lines.join('\n'));
    expect(kept).toHaveLength(MAX_TEXT_LINES);
    expect(kept.slice(0, -1)).toEqual(lines.slice(0, MAX_TEXT_LINES - 1));
    expect(kept.at(-1)).toBe('… 6 more lines');
  });
});
