/**
 * What a report says under a check's headline, as indented lines every
 * reporter renders its own way: the error, the failing conditions, the steps
 * of a multistep check, the attempts and the artifacts kept. Pure.
 */
import type { CheckError, CheckResult, ConditionOutcome, StepObservation } from '../types.ts';
import { formatDuration, textLines } from './text.ts';

/** How a line's marker reads: ✓ held, ✗ failed, ~ degraded. */
export type Mark = 'pass' | 'fail' | 'degraded';

export const MARKS: Record<Mark, string> = { pass: '✓', fail: '✗', degraded: '~' };

export interface DetailLine {
  /** 0 directly under the headline, one more per level of nesting. */
  depth: number;
  mark?: Mark;
  /** One line, raw: renderers escape it for their format. */
  text: string;
  /** A further line of a multi-line text (an error's call log): untrusted, whatever it starts with. */
  continued?: boolean;
}

/** `kind: message`, as `judgeObservation` writes an error into a reason. */
export function errorText(error: CheckError): string {
  return `${error.kind}: ${error.message}`;
}

/** A possibly multi-line text as lines: the first carries the mark, the rest hang one level deeper. */
function block(depth: number, text: string, mark?: Mark): DetailLine[] {
  return textLines(text).map((line, i) =>
    i === 0
      ? { depth, text: line, ...(mark ? { mark } : {}) }
      : { depth: depth + 1, text: line, continued: true },
  );
}

function conditionLines(depth: number, failed: ConditionOutcome[]): DetailLine[] {
  return failed.flatMap((c) => block(depth, c.shown, c.degraded ? 'degraded' : 'fail'));
}

function stepMark(step: StepObservation): Mark {
  return step.error !== undefined || (step.failed?.length ?? 0) > 0 ? 'fail' : 'pass';
}

/** `login 401 30 ms`, then its error and failed conditions. Extracted values are left out: they are often tokens. */
function stepLines(step: StepObservation): DetailLine[] {
  const head = [
    step.name,
    step.status === undefined ? '' : String(step.status),
    formatDuration(step.durationMs),
  ]
    .filter((part) => part !== '')
    .join(' ');
  return [
    ...block(1, head, stepMark(step)),
    ...(step.error ? block(2, errorText(step.error)) : []),
    ...conditionLines(2, step.failed ?? []),
  ];
}

/**
 * The lines under a result's headline. The reason itself is not among them
 * (each reporter places it); what only repeats it is left out too: the
 * error when the reason is the error, the failing condition when it is the
 * only one and the reason quotes it. A passing result shows only its
 * attempts (a pass after retries is worth knowing).
 */
export function resultDetails(result: CheckResult): DetailLine[] {
  const lines: DetailLine[] = [];
  if (result.status !== 'pass') {
    if (result.error && errorText(result.error) !== result.reason) {
      lines.push(...block(0, errorText(result.error), 'fail'));
    }
    const failed = result.conditions.filter((c) => !c.ok);
    const onlyRepeatsReason = failed.length === 1 && failed[0]?.shown === result.reason;
    if (!onlyRepeatsReason) lines.push(...conditionLines(0, failed));
    if (result.steps && result.steps.length > 0) {
      lines.push({ depth: 0, text: 'steps:' }, ...result.steps.flatMap(stepLines));
    }
  }
  if (result.attempts > 1) lines.push({ depth: 0, text: `attempts: ${result.attempts}` });
  if (result.artifacts?.screenshot)
    lines.push({ depth: 0, text: `screenshot: ${result.artifacts.screenshot}` });
  if (result.artifacts?.trace) lines.push({ depth: 0, text: `trace: ${result.artifacts.trace}` });
  return lines;
}

/** Lines as plain text: two spaces per depth, marker before the text. */
export function plainLines(lines: DetailLine[], baseIndent = ''): string[] {
  return lines.map(
    (l) => `${baseIndent}${'  '.repeat(l.depth)}${l.mark ? `${MARKS[l.mark]} ` : ''}${l.text}`,
  );
}
