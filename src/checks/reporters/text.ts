/**
 * Text helpers the reporters share: durations for people, the summary line,
 * and making untrusted text (error messages, response bodies quoted in
 * conditions) safe to print: control characters shown, not obeyed.
 */
import type { RunReport } from './report.ts';
import { tally } from './report.ts';

/** A multi-line text (an error with a stack or call log) keeps at most this many lines in a report. */
export const MAX_TEXT_LINES = 20;

/** `123 ms` under a second, `2.1 s` under a minute, `2 min 05 s` above. */
export function formatDuration(ms: number): string {
  const rounded = Math.max(0, Math.round(ms));
  if (rounded < 1000) return `${rounded} ms`;
  // Below a minute one decimal is enough; 59.96 s must not print as `60.0 s`.
  const tenths = Math.round(rounded / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(rounded / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** `3 passed, 1 degraded, 1 failed, 1 skipped in 2.1 s` (degraded and skipped only when there are any). */
export function summaryLine(r: RunReport): string {
  const t = tally(r);
  const parts = [`${t.passed} passed`];
  if (t.degraded > 0) parts.push(`${t.degraded} degraded`);
  parts.push(`${t.failed} failed`);
  if (t.skipped > 0) parts.push(`${t.skipped} skipped`);
  return `${parts.join(', ')} in ${formatDuration(r.durationMs)}`;
}

/**
 * Characters no report may carry raw: C0 controls, DEL and C1 controls (a
 * server's `ESC[2J` quoted in a condition must not clear the terminal, and
 * XML 1.0 forbids most C0 even as references), the noncharacters U+FFFE and
 * U+FFFF, and lone surrogates (not encodable as UTF-8).
 */
function needsReplacing(code: number): boolean {
  return (
    code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0xfffe || code === 0xffff || isSurrogate(code)
  );
}

function isSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdfff;
}

/**
 * `text` with control characters written out as `\xNN` (lone surrogates
 * and U+FFFE/U+FFFF become U+FFFD), except those listed in `keep`.
 */
export function visibleControls(text: string, keep = ''): string {
  let out = '';
  // for..of walks code points: a valid surrogate pair arrives whole, a lone surrogate alone.
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (!needsReplacing(code) || keep.includes(char)) out += char;
    else if (isSurrogate(code) || code >= 0xfffe) out += '\uFFFD';
    else out += `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The lines of a text (`\r\n`, `\r` and `\n` all end a line), at most
 * {@link MAX_TEXT_LINES}, the last saying how many were left out.
 */
export function textLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length <= MAX_TEXT_LINES) return lines;
  const kept = lines.slice(0, MAX_TEXT_LINES - 1);
  return [...kept, `… ${lines.length - kept.length} more lines`];
}

/** A text cut to {@link textLines}, its line ends made `\n`. */
export function cappedText(text: string): string {
  return textLines(text).join('\n');
}

/** The first line of a text (what fits a headline or an attribute). */
export function firstLine(text: string): string {
  return textLines(text)[0] ?? '';
}
