/**
 * Reporters of `ballast check run`: pure functions from a finished run to
 * the text a format prints. Commands pick one by name; they never branch on
 * the format themselves.
 */
import { githubReport } from './github.ts';
import { jsonReport } from './json.ts';
import { junitReport } from './junit.ts';
import { listReport } from './list.ts';
import type { RunReport } from './report.ts';

export { escapeData, escapeProperty, githubReport, workflowCommand } from './github.ts';
export { jsonReport, type RunSummary, summaryJson } from './json.ts';
export { junitReport, xmlAttribute, xmlText } from './junit.ts';
export { type ListOptions, listReport } from './list.ts';
export { type RunReport, type RunTally, type SkippedCheck, tally } from './report.ts';
export { formatDuration, summaryLine } from './text.ts';

export type ReportFormat = 'list' | 'json' | 'junit' | 'github';

/** The reporters by `--format` name (`list` without colour: pass `{ color }` to {@link listReport} for a terminal). */
export const REPORTERS: Record<ReportFormat, (r: RunReport) => string> = {
  list: (r) => listReport(r),
  json: jsonReport,
  junit: junitReport,
  github: githubReport,
};

/** The format names, for `--format` choices and its help text. */
export const REPORT_FORMATS = Object.keys(REPORTERS) as ReportFormat[];
