/**
 * The run as a JUnit XML file, the test-report format GitLab, Jenkins and
 * the GitHub test-report actions read: a suite per service, a test case per
 * check. A degraded check passes (it works, slowly) with a note in its
 * output; a skipped check is a skipped test case.
 */
import type { CheckResult } from '../types.ts';
import { errorText, plainLines, resultDetails } from './details.ts';
import type { RunReport, SkippedCheck } from './report.ts';
import { tally } from './report.ts';
import { cappedText, firstLine, visibleControls } from './text.ts';

/** The suite of a skipped check whose service the caller did not know. */
export const NO_SERVICE_SUITE = '(no service)';

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

/** Attribute values also escape quotes, and the whitespace XML would otherwise normalise to spaces. */
const ATTRIBUTE_ESCAPES: Record<string, string> = {
  ...TEXT_ESCAPES,
  '"': '&quot;',
  "'": '&apos;',
  '\n': '&#10;',
  '\t': '&#9;',
};

/**
 * Text content for XML 1.0: markup characters as entities, `\r` as a
 * reference (a parser would turn a raw one into `\n`), and the characters
 * XML cannot carry at all (most C0 controls, even as references) written
 * out as `\xNN`.
 */
export function xmlText(text: string): string {
  return visibleControls(text, '\t\n\r').replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

/** An attribute value for XML 1.0, to be placed between double quotes. */
export function xmlAttribute(value: string): string {
  return visibleControls(value, '\t\n\r').replace(/[&<>"'\r\n\t]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);
}

function attributes(attrs: Record<string, string | number>): string {
  return Object.entries(attrs)
    .map(([name, value]) => ` ${name}="${xmlAttribute(String(value))}"`)
    .join('');
}

/** Seconds with millisecond precision, as JUnit's `time` attributes are. */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** ISO 8601 to the second, in UTC. */
function timestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The reason, then the details, as the body of a `<failure>` or `<system-out>`. */
function detailText(result: CheckResult, prefix = ''): string {
  const head = result.reason === undefined ? [] : [`${prefix}${cappedText(result.reason)}`];
  return [...head, ...plainLines(resultDetails(result))].join('\n');
}

function resultCase(result: CheckResult): string[] {
  const open = `    <testcase${attributes({ classname: result.service, name: result.check, time: seconds(result.durationMs) })}`;
  if (result.status === 'fail') {
    const type = result.error?.kind ?? (result.steps?.length ? 'step' : 'condition');
    const message = firstLine(result.reason ?? (result.error ? errorText(result.error) : 'failed'));
    return [
      `${open}>`,
      `      <failure${attributes({ message, type })}>${xmlText(detailText(result))}</failure>`,
      '    </testcase>',
    ];
  }
  const note = detailText(result, result.status === 'degraded' ? 'degraded: ' : '');
  if (note === '') return [`${open}/>`];
  return [`${open}>`, `      <system-out>${xmlText(note)}</system-out>`, '    </testcase>'];
}

function skippedCase(s: SkippedCheck): string[] {
  const classname = s.service ?? NO_SERVICE_SUITE;
  return [
    `    <testcase${attributes({ classname, name: s.check, time: seconds(0) })}>`,
    `      <skipped${attributes({ message: s.reason })}/>`,
    '    </testcase>',
  ];
}

interface Suite {
  name: string;
  results: CheckResult[];
  skipped: SkippedCheck[];
}

/** Suites by service, in the order services first appear (results before skipped checks). */
function suitesOf(r: RunReport): Suite[] {
  const suites = new Map<string, Suite>();
  const suite = (name: string): Suite => {
    let s = suites.get(name);
    if (!s) {
      s = { name, results: [], skipped: [] };
      suites.set(name, s);
    }
    return s;
  };
  for (const result of r.results) suite(result.service).results.push(result);
  for (const skipped of r.skipped) suite(skipped.service ?? NO_SERVICE_SUITE).skipped.push(skipped);
  return [...suites.values()];
}

function suiteXml(s: Suite, runStartedAt: number): string[] {
  // When the service's first check started; a suite of skipped checks only has the run's start.
  const startedAt = s.results.reduce((min, result) => Math.min(min, result.startedAt), Infinity);
  const attrs = attributes({
    name: s.name,
    tests: s.results.length + s.skipped.length,
    failures: s.results.filter((result) => result.status === 'fail').length,
    errors: 0,
    skipped: s.skipped.length,
    // The checks of a service may have run concurrently: this is their total, as JUnit readers expect.
    time: seconds(s.results.reduce((sum, result) => sum + result.durationMs, 0)),
    timestamp: timestamp(Number.isFinite(startedAt) ? startedAt : runStartedAt),
  });
  return [
    `  <testsuite${attrs}>`,
    ...s.results.flatMap(resultCase),
    ...s.skipped.flatMap(skippedCase),
    '  </testsuite>',
  ];
}

/**
 * The run as JUnit XML: `<testsuites>` with one `<testsuite>` per service
 * and a `<testcase classname="service" name="check" time="seconds">` per
 * check. A failing check has a `<failure message="reason" type="error kind,
 * or condition, or step">` whose text is the reason and the details (failing
 * conditions as shown, steps, attempts, artifacts); a degraded one passes
 * with them in `<system-out>`; a skipped one has `<skipped message="why"/>`.
 * Failing checks are failures, never errors: a refused connection is the
 * service failing its check, not the check breaking.
 */
export function junitReport(r: RunReport): string {
  const t = tally(r);
  const root = attributes({
    name: 'ballast check run',
    tests: r.results.length + r.skipped.length,
    failures: t.failed,
    errors: 0,
    skipped: t.skipped,
    time: seconds(r.durationMs),
    timestamp: timestamp(r.startedAt),
  });
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${root}>`,
    ...suitesOf(r).flatMap((s) => suiteXml(s, r.startedAt)),
    '</testsuites>',
  ];
  return `${lines.join('\n')}\n`;
}
