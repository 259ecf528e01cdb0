/**
 * The GitHub Actions reporter: escaping as the runner decodes it (a decoder
 * written after the runner's `ActionCommand.TryParseV2`), one command per
 * line whatever the text, annotations for failing and degraded checks and
 * the summary notice.
 */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../types.ts';
import { plainLines, resultDetails } from './details.ts';
import {
  degraded,
  failingConditions,
  failingError,
  HOSTILE_BODY,
  hostile,
  mixedRun,
  multistepFailing,
  passing,
  runOf,
  skippedHeartbeat,
} from './fixtures.ts';
import { escapeData, escapeProperty, githubReport, workflowCommand } from './github.ts';
import { cappedText, MAX_TEXT_LINES, summaryLine, textLines, visibleControls } from './text.ts';

// ── the runner's side: how it reads a command line back ──────────────────────

/** The runner's unescaping: each mapping in turn, `%25` last so `%250A` stays `%0A`. */
function runnerUnescape(text: string, mappings: [string, string][]): string {
  return mappings.reduce((out, [token, escaped]) => out.split(escaped).join(token), text);
}
const DATA: [string, string][] = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  ['%', '%25'],
];
const PROPERTY: [string, string][] = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  [':', '%3A'],
  [',', '%2C'],
  ['%', '%25'],
];

interface Command {
  name: string;
  properties: Record<string, string>;
  message: string;
}

/** Reads a line as the runner does; throws when it is not one command. */
function readCommand(line: string): Command {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith('::')) throw new Error(`not a command: ${line}`);
  const end = trimmed.indexOf('::', 2);
  if (end < 0) throw new Error(`no :: after the command: ${line}`);
  const info = trimmed.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info.slice(space + 1).split(',')) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = runnerUnescape(pair.slice(eq + 1), PROPERTY);
    }
  }
  return { name, properties, message: runnerUnescape(trimmed.slice(end + 2), DATA) };
}

function commandsOf(report: string): Command[] {
  expect(report.endsWith('\n')).toBe(true);
  return report.slice(0, -1).split('\n').map(readCommand);
}

const AWKWARD = [
  '50%',
  '%0A is not a newline',
  'a\nb',
  'a\r\nb',
  'key: value, more',
  '::error::injected',
  'esc \x1b[2J nul \u0000',
  HOSTILE_BODY,
];

describe('escaping', () => {
  it.each([
    { name: 'a percent sign is encoded', text: '100%', out: '100%25' },
    { name: 'a newline is encoded', text: 'a\nb', out: 'a%0Ab' },
    { name: 'a carriage return is encoded', text: 'a\r\nb', out: 'a%0D%0Ab' },
    { name: 'an encoded-looking text keeps its percent sign', text: '%0A', out: '%250A' },
    { name: 'colons and commas stay in a message', text: 'a: b, c', out: 'a: b, c' },
    { name: 'other control characters are written out', text: '\x1b[2J', out: '\\x1B[2J' },
  ])('message: $name', ({ text, out }) => {
    expect(escapeData(text)).toBe(out);
  });

  it.each([
    { name: 'a colon is encoded', text: 'a:b', out: 'a%3Ab' },
    { name: 'a comma is encoded', text: 'a,b', out: 'a%2Cb' },
    { name: 'percent signs and newlines are encoded as in a message', text: '5%\n', out: '5%25%0A' },
  ])('property: $name', ({ text, out }) => {
    expect(escapeProperty(text)).toBe(out);
  });

  it.each(AWKWARD.map((text) => ({ text })))('the runner reads back $text as it was meant', ({ text }) => {
    const line = workflowCommand('error', { title: text, file: text }, text);
    expect(line).not.toMatch(/[\r\n]/);
    const meant = visibleControls(text, '\t\r\n');
    expect(readCommand(line)).toEqual({
      name: 'error',
      properties: { title: meant, file: meant },
      message: meant,
    });
  });

  it('writes a command without properties as ::name::message', () => {
    expect(workflowCommand('notice', {}, 'hi')).toBe('::notice::hi');
  });
});

describe('githubReport', () => {
  const commands = commandsOf(githubReport(mixedRun));

  it('annotates failing and degraded checks in run order, then ends with the summary notice', () => {
    const annotated = mixedRun.results.filter((r) => r.status !== 'pass');
    expect(commands.map((c) => [c.name, c.properties.title])).toEqual([
      ...annotated.map((r) =>
        r.status === 'fail' ? ['error', `Check ${r.check} failed`] : ['warning', `Check ${r.check} degraded`],
      ),
      ['notice', 'Ballast checks'],
    ]);
  });

  it('leaves passing checks out', () => {
    expect(commandsOf(githubReport(runOf([passing])))).toEqual([
      { name: 'notice', properties: { title: 'Ballast checks' }, message: summaryLine(runOf([passing])) },
    ]);
  });

  it.each<{ name: string; result: CheckResult; lines: string[] }>([
    { name: 'a degraded check warns with its reason', result: degraded, lines: [degraded.reason!] },
    {
      name: 'a check failing conditions gives its reason, then each failing condition and the attempts',
      result: failingConditions,
      lines: [
        failingConditions.reason!,
        ...failingConditions.conditions.filter((c) => !c.ok).map((c) => `✗ ${c.shown}`),
        'attempts: 3',
      ],
    },
    {
      name: 'a check failing with an error gives the error, then the conditions it failed',
      result: failingError,
      lines: [failingError.reason!, `✗ ${failingError.conditions[0]!.shown}`],
    },
    {
      name: 'a multistep check failing a step lists its steps',
      result: multistepFailing,
      lines: [multistepFailing.reason!, ...plainLines(resultDetails(multistepFailing))],
    },
  ])('$name', ({ result, lines }) => {
    const command = commands.find((c) => c.properties.title?.startsWith(`Check ${result.check} `));
    expect(command?.message.split('\n')).toEqual(lines);
  });

  it('names the skipped checks under the summary in the notice', () => {
    expect(commands.at(-1)?.message.split('\n')).toEqual([
      summaryLine(mixedRun),
      `skipped ${skippedHeartbeat.check} (${skippedHeartbeat.service}): ${skippedHeartbeat.reason}`,
    ]);
  });

  it('keeps at most MAX_TEXT_LINES lines of a long reason', () => {
    const reason = Array.from({ length: MAX_TEXT_LINES * 2 }, (_, i) => `frame ${i}`).join('\n');
    const [error] = commandsOf(
      githubReport(runOf([{ ...failingError, reason, error: undefined, conditions: [] }])),
    );
    expect(error?.message.split('\n')).toEqual(textLines(reason));
    expect(textLines(reason)).toHaveLength(MAX_TEXT_LINES);
  });

  it('keeps a hostile check to one command whose title and message read back as written', () => {
    const report = githubReport(runOf([hostile]));
    const lines = report.slice(0, -1).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^::error title=Check promo%3A 50%25%2C <now> failed::/);
    const [error] = commandsOf(report);
    expect(error?.properties).toEqual({ title: `Check ${hostile.check} failed` });
    const message = visibleControls(
      [cappedText(hostile.reason!), ...plainLines(resultDetails(hostile))].join('\n'),
      '\t\r\n',
    );
    expect(error?.message).toBe(message);
    // The server's own "::set-output" stays inside the message, on no line of its own.
    expect(error?.message).toContain('\n::set-output name=x::y');
  });
});
