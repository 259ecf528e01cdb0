/**
 * How a finished load run maps to an exit code, and writing its files. Pure
 * apart from the file writes, so the exit-code table is unit-tested.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderHtmlReport } from '../../load/report/index.ts';
import type { LoadSummary } from '../../load/types.ts';
import { ExitCode } from '../exit-codes.ts';

/**
 * The exit code of one run: 3 when the run is not valid or was interrupted
 * (Ctrl-C: its numbers cover less than the plan), 1 when a threshold failed
 * (including one that aborted the run with abortOnFail), 0 otherwise. Not
 * valid wins over a failed threshold: the numbers of a run whose generator
 * fell behind cannot be judged.
 */
export function exitCodeFor(summary: LoadSummary, interrupted: boolean): ExitCode {
  if (!summary.valid) return ExitCode.Invalid;
  const thresholdFailed = summary.thresholds.some((t) => !t.ok);
  if (thresholdFailed) return ExitCode.Failed;
  if (interrupted) return ExitCode.Invalid;
  return ExitCode.Ok;
}

/** The worst of several exit codes: bad input, then not valid, then failed. */
export function worstExitCode(codes: ExitCode[]): ExitCode {
  const rank: Record<ExitCode, number> = {
    [ExitCode.Ok]: 0,
    [ExitCode.Failed]: 1,
    [ExitCode.Invalid]: 2,
    [ExitCode.BadInput]: 3,
  };
  return codes.reduce<ExitCode>((worst, c) => (rank[c] > rank[worst] ? c : worst), ExitCode.Ok);
}

/** Creates the parent folders of output files up front, so a typo fails before the load runs. */
export async function prepareOutputs(files: (string | undefined)[]): Promise<string[]> {
  const errors: string[] = [];
  for (const f of files) {
    if (!f) continue;
    try {
      await mkdir(path.dirname(path.resolve(f)), { recursive: true });
    } catch (err) {
      errors.push(`cannot create the folder for ${f}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return errors;
}

/**
 * Writes `--summary-json` and `--report-html`. With several plans (a file
 * holding several LoadTests) the JSON is an array and each report gets the
 * plan's index before its extension.
 */
export async function writeOutputs(
  summaries: LoadSummary[],
  files: { summaryJson?: string; reportHtml?: string },
): Promise<void> {
  if (files.summaryJson) {
    const body = summaries.length === 1 ? summaries[0] : summaries;
    await writeFile(files.summaryJson, `${JSON.stringify(body, null, 2)}\n`);
  }
  if (files.reportHtml) {
    const report = files.reportHtml;
    await Promise.all(
      summaries.map((s, i) => {
        const file =
          summaries.length === 1
            ? report
            : path.join(
                path.dirname(report),
                `${path.basename(report, path.extname(report))}-${i + 1}${path.extname(report)}`,
              );
        return writeFile(file, renderHtmlReport(s));
      }),
    );
  }
}
