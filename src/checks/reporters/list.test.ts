/**
 * The human reporter on hand-built results: one line per check with what
 * went wrong under it, the summary line, colour only when asked, and
 * control characters from servers shown rather than obeyed.
 */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../types.ts';
import {
  degraded,
  failingConditions,
  failingError,
  HOSTILE_BODY,
  hostile,
  mixedRun,
  multistepFailing,
  passing,
  passingAfterRetries,
  runOf,
  skippedHeartbeat,
} from './fixtures.ts';
import { listReport } from './list.ts';
import { MAX_TEXT_LINES } from './text.ts';

/** An ANSI colour sequence (built from its code: a control character in a regex literal reads as a mistake). */
const SGR_SEQUENCE = new RegExp(`${String.fromCharCode(0x1b)}\\[\\d+m`, 'g');

/** The distinct C0 and C1 control characters in a text. */
function controlCharacters(text: string): string[] {
  const found = [...text].filter((c) => {
    const code = c.codePointAt(0)!;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f);
  });
  return [...new Set(found)];
}

/** The report's lines without the blank line and the summary at the end. */
function checkLines(text: string): string[] {
  const lines = text.split('\n');
  return lines.slice(0, lines.indexOf(''));
}

function shownOf(result: CheckResult, index: number): string {
  return result.conditions[index]!.shown;
}

describe('listReport', () => {
  it.each<{ name: string; result: CheckResult; lines: string[] }>([
    {
      name: 'a passing check is one line with its service and duration',
      result: passing,
      lines: ['✓ api-health (payments) 123 ms'],
    },
    {
      name: 'a check that passed after retries says how many attempts it took',
      result: passingAfterRetries,
      lines: ['✓ api-search (payments) 2.4 s', '    attempts: 3'],
    },
    {
      name: 'a degraded check is marked ~ with the slow condition as its reason, not repeated under it',
      result: degraded,
      lines: [`~ api-latency (payments) 812 ms — ${degraded.reason}`],
    },
    {
      name: 'a check failing two conditions names the first and lists both under it with its attempts',
      result: failingConditions,
      lines: [
        `✗ orders-api (rides) 40 ms — ${failingConditions.reason}`,
        `    ✗ ${shownOf(failingConditions, 0)}`,
        `    ✗ ${shownOf(failingConditions, 1)}`,
        '    attempts: 3',
      ],
    },
    {
      name: 'a check failing with an error gives the error as reason and the conditions it failed under it',
      result: failingError,
      lines: [
        '✗ db-port (rides) 3 ms — connect: connect ECONNREFUSED 127.0.0.1:5432',
        `    ✗ ${shownOf(failingError, 0)}`,
      ],
    },
    {
      name: 'a multistep check failing a step lists the steps run, the failing one with its conditions',
      result: multistepFailing,
      lines: [
        `✗ checkout (payments) 2.1 s — step login: ${multistepFailing.steps![1]!.failed![0]!.shown}`,
        '    steps:',
        '      ✓ home 200 12 ms',
        '      ✗ login 401 30 ms',
        `        ✗ ${multistepFailing.steps![1]!.failed![0]!.shown}`,
      ],
    },
    {
      name: 'a result from another location names it beside the service',
      result: { ...passing, location: 'eu-west' },
      lines: ['✓ api-health (payments, eu-west) 123 ms'],
    },
  ])('$name', ({ result, lines }) => {
    expect(checkLines(listReport(runOf([result])))).toEqual(lines);
  });

  it.each([
    {
      name: 'a skipped heartbeat says it was skipped and why',
      skipped: skippedHeartbeat,
      line: `- nightly-backup (rides) skipped — ${skippedHeartbeat.reason}`,
    },
    {
      name: 'a skipped check of unknown service has no empty parentheses',
      skipped: { check: 'orphan', reason: 'no runner' },
      line: '- orphan skipped — no runner',
    },
  ])('$name', ({ skipped, line }) => {
    expect(checkLines(listReport(runOf([], [skipped])))).toEqual([line]);
  });

  it('renders a mixed run in order, skipped checks last, then a blank line and the summary', () => {
    const text = listReport(mixedRun);
    const lines = text.split('\n');
    const heads = lines.filter((l) => /^[✓~✗-] /.test(l)).map((l) => l.split(' ')[1]);
    expect(heads).toEqual([...mixedRun.results.map((r) => r.check), skippedHeartbeat.check]);
    expect(lines.at(-3)).toBe('');
    expect(lines.at(-2)).toBe('1 passed, 1 degraded, 3 failed, 1 skipped in 2.1 s');
    expect(text.endsWith('\n')).toBe(true);
  });

  it.each([
    {
      name: 'an empty run is only its summary',
      run: runOf([], [], 4),
      summary: '0 passed, 0 failed in 4 ms',
    },
    {
      name: 'the summary leaves out degraded and skipped when there are none',
      run: runOf([passing, failingError], [], 61_000),
      summary: '1 passed, 1 failed in 1 min 01 s',
    },
  ])('$name', ({ run, summary }) => {
    expect(listReport(run).split('\n').slice(-2)).toEqual([summary, '']);
  });

  it('uses no escape sequences unless colour is asked for', () => {
    expect(listReport(mixedRun)).not.toContain('\x1b');
    expect(listReport(mixedRun, { color: false })).not.toContain('\x1b');
  });

  it('with colour, colours the markers and the summary and otherwise says the same', () => {
    const coloured = listReport(mixedRun, { color: true });
    expect(coloured).toContain('\x1b[32m✓\x1b[0m api-health');
    expect(coloured).toContain('\x1b[33m~\x1b[0m api-latency');
    expect(coloured).toContain('\x1b[31m✗\x1b[0m orders-api');
    // A failure makes the summary red.
    expect(coloured.split('\n').at(-2)).toBe(
      '\x1b[31m1 passed, 1 degraded, 3 failed, 1 skipped in 2.1 s\x1b[0m',
    );
    expect(coloured.replace(SGR_SEQUENCE, '')).toBe(listReport(mixedRun));
  });

  it('shows control characters from a server as \\xNN instead of sending them to the terminal', () => {
    const text = listReport(runOf([hostile]));
    // Newline is the only control character left: the report's own layout.
    expect(controlCharacters(text)).toEqual(['\n']);
    expect(text).toContain('\\x1B[2J\\x00');
    expect(text).toContain(HOSTILE_BODY.slice(0, 20));
  });

  it('puts the further lines of a multi-line reason under a gutter, so none starts with :: once trimmed', () => {
    const lines = listReport(runOf([hostile])).split('\n');
    expect(lines[0]).toMatch(
      /^✗ promo: 50%, <now> \(shop & "co"\) 5\.0 s — script: Error: boom <div> & "x"$/,
    );
    expect(lines[1]).toBe('    │ Call log:');
    expect(lines.some((l) => l.includes('::set-output'))).toBe(true);
    expect(lines.filter((l) => l.trimStart().startsWith('::'))).toEqual([]);
  });

  it('keeps at most MAX_TEXT_LINES lines of a long error, saying how many it left out', () => {
    const total = MAX_TEXT_LINES * 3;
    const message = Array.from({ length: total }, (_, i) => `frame ${i}`).join('\n');
    const result: CheckResult = {
      ...failingError,
      error: { kind: 'script', message },
      reason: `script: ${message}`,
      conditions: [],
    };
    const lines = checkLines(listReport(runOf([result])));
    expect(lines).toHaveLength(MAX_TEXT_LINES);
    expect(lines.at(-1)).toBe(`    │ … ${total - (MAX_TEXT_LINES - 1)} more lines`);
  });
});
