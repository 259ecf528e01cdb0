/**
 * The human reporter: one line per check, what went wrong indented under
 * it, then the summary line. Colour only when asked (a terminal), never
 * inferred here: the caller knows where the text goes.
 */
import type { CheckResult } from '../types.ts';
import { type DetailLine, MARKS, type Mark, resultDetails } from './details.ts';
import type { RunReport, SkippedCheck } from './report.ts';
import { tally } from './report.ts';
import { formatDuration, summaryLine, textLines, visibleControls } from './text.ts';

export interface ListOptions {
  /** Wrap markers, reasons and the summary in ANSI colours. */
  color?: boolean;
}

/** Details sit under the check's name, a little further in than the marker. */
const INDENT = '    ';

const SKIP_MARK = '-';

/**
 * Before the further lines of a multi-line text. It also keeps a line a
 * server wrote from starting with `::` once indentation is trimmed, which
 * the GitHub Actions runner would obey as a workflow command when this
 * report is printed in a job's log.
 */
const GUTTER = '│';

type Tone = 'green' | 'yellow' | 'red' | 'dim';

const SGR: Record<Tone, string> = { green: '32', yellow: '33', red: '31', dim: '2' };

const TONE: Record<Mark, Tone> = { pass: 'green', degraded: 'yellow', fail: 'red' };

/** Text from outside (names, reasons, bodies quoted in conditions) shows its control characters instead of obeying them. */
function safe(text: string): string {
  return visibleControls(text, '\t');
}

/**
 * Renders a finished run for a person:
 *
 * ```text
 * ✓ api-health (payments) 123 ms
 * ~ api-latency (payments) 812 ms — [RESPONSE_TIME] (812) < 500
 * ✗ checkout (payments) 2.1 s — step login: [STATUS] (401) == 200
 *     steps:
 *       ✓ home 200 12 ms
 *       ✗ login 401 30 ms
 *         ✗ [STATUS] (401) == 200
 *     attempts: 3
 * - orders-heartbeat (payments) skipped — a heartbeat check is judged from its pings
 *
 * 1 passed, 1 degraded, 1 failed, 1 skipped in 2.1 s
 * ```
 */
export function listReport(r: RunReport, opts: ListOptions = {}): string {
  const paint = (tone: Tone, text: string): string =>
    opts.color ? `\x1b[${SGR[tone]}m${text}\x1b[0m` : text;
  const detail = (l: DetailLine): string => {
    const mark = l.mark ? `${paint(TONE[l.mark], MARKS[l.mark])} ` : '';
    const gutter = l.continued ? `${paint('dim', GUTTER)} ` : '';
    return `${INDENT}${'  '.repeat(l.depth)}${gutter}${mark}${safe(l.text)}`;
  };

  /** `mark name (where) rest — reason`, the reason's further lines under it. */
  const headline = (mark: string, name: string, where: string | undefined, rest: string, reason?: string) => {
    const [first, ...more] = reason === undefined ? [] : textLines(reason);
    const label = where === undefined ? safe(name) : `${safe(name)} (${safe(where)})`;
    const why = first === undefined ? '' : ` — ${safe(first)}`;
    return [
      `${mark} ${label}${rest}${why}`,
      ...more.map((line) => detail({ depth: 0, text: line, continued: true })),
    ];
  };

  const resultLines = (result: CheckResult): string[] => {
    // A result's status names its mark.
    const mark: Mark = result.status;
    const where = result.location === 'local' ? result.service : `${result.service}, ${result.location}`;
    const reason = result.status === 'pass' ? undefined : result.reason;
    return [
      ...headline(
        paint(TONE[mark], MARKS[mark]),
        result.check,
        where,
        ` ${paint('dim', formatDuration(result.durationMs))}`,
        reason,
      ),
      ...resultDetails(result).map(detail),
    ];
  };

  const skippedLines = (s: SkippedCheck): string[] =>
    headline(paint('dim', SKIP_MARK), s.check, s.service, ' skipped', s.reason);

  const t = tally(r);
  const summaryTone: Tone = t.failed > 0 ? 'red' : t.degraded > 0 ? 'yellow' : 'green';
  const lines = [
    ...r.results.flatMap(resultLines),
    ...r.skipped.flatMap(skippedLines),
    ...(r.results.length + r.skipped.length > 0 ? [''] : []),
    paint(summaryTone, summaryLine(r)),
  ];
  return `${lines.join('\n')}\n`;
}
