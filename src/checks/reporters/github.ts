/**
 * The run as GitHub Actions workflow commands: an error annotation per
 * failing check, a warning per degraded one, and a notice with the summary.
 * Every command is one line, so nothing a server says (quoted in a reason)
 * can start a command of its own.
 */
import type { CheckResult } from '../types.ts';
import { plainLines, resultDetails } from './details.ts';
import type { RunReport, SkippedCheck } from './report.ts';
import { cappedText, summaryLine, visibleControls } from './text.ts';

/**
 * A command's message: `%`, `\r` and `\n` percent-encoded, as the runner
 * decodes them (the `escapeData` of `@actions/core`); other control
 * characters are written out as `\xNN`.
 */
export function escapeData(text: string): string {
  return visibleControls(text, '\t\r\n').replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A command's property value: as {@link escapeData}, and `:` and `,` too, which end a value. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::name key=value,...::message` */
export function workflowCommand(name: string, properties: Record<string, string>, message: string): string {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',');
  return `::${name}${props === '' ? '' : ` ${props}`}::${escapeData(message)}`;
}

function annotation(result: CheckResult): string | undefined {
  if (result.status === 'pass') return undefined;
  const failed = result.status === 'fail';
  const message = [
    cappedText(result.reason ?? (failed ? 'failed' : 'degraded')),
    ...plainLines(resultDetails(result)),
  ].join('\n');
  return workflowCommand(
    failed ? 'error' : 'warning',
    { title: `Check ${result.check} ${failed ? 'failed' : 'degraded'}` },
    message,
  );
}

function skippedText(s: SkippedCheck): string {
  return `skipped ${s.check}${s.service === undefined ? '' : ` (${s.service})`}: ${s.reason}`;
}

/**
 * The run as workflow commands, one per line: `::error title=Check NAME
 * failed::reason` with the details on further (encoded) lines for
 * each failing check, `::warning title=Check NAME degraded::…` for each
 * degraded one, then `::notice title=Ballast checks::3 passed, 1 failed in
 * 2.1 s` listing the skipped checks under it.
 */
export function githubReport(r: RunReport): string {
  const lines = r.results.map(annotation).filter((line) => line !== undefined);
  lines.push(
    workflowCommand(
      'notice',
      { title: 'Ballast checks' },
      [summaryLine(r), ...r.skipped.map(skippedText)].join('\n'),
    ),
  );
  return `${lines.join('\n')}\n`;
}
