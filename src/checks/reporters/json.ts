/**
 * The machine-readable run: what `--format json` prints and
 * `--summary-json` writes.
 */
import type { CheckResult } from '../types.ts';
import type { RunReport, SkippedCheck } from './report.ts';
import { tally } from './report.ts';

/**
 * The JSON document of a run. Fields are only ever added, never renamed or
 * removed; keys appear in this order:
 *
 * ```text
 * {
 *   "passed": 3,          // results with status "pass"
 *   "degraded": 1,        // results with status "degraded"
 *   "failed": 1,          // results with status "fail"
 *   "skipped": 1,         // = skippedChecks.length
 *   "startedAt": 1714564800000,  // epoch ms
 *   "durationMs": 2100,   // wall time of the run
 *   "results": [CheckResult, ...],        // src/checks/types.ts, every field; absent fields are omitted
 *   "skippedChecks": [{ "check": "...", "service": "...", "reason": "..." }, ...]  // service may be absent
 * }
 * ```
 *
 * A `CheckResult` carries `check`, `service`, `type`, `location`,
 * `startedAt`, `durationMs`, `status` (`pass` | `degraded` | `fail`),
 * `attempts`, `conditions` (`{condition, ok, shown, degraded?}`) and
 * `phases` (ms by phase), and when they apply `reason`, `error`
 * (`{kind, message}`), `httpStatus`, `certificateNotAfter` (epoch ms, the
 * earliest expiry in the presented chain), `certificateChain`
 * (`{subject, issuer, notAfter}` per certificate the server sent, leaf first),
 * `steps` (`{name, status?, durationMs, error?, failed?, extracted?}`) and
 * `artifacts` (`{screenshot?, trace?}`, relative to the artifacts directory).
 */
export interface RunSummary {
  passed: number;
  degraded: number;
  failed: number;
  skipped: number;
  startedAt: number;
  durationMs: number;
  results: CheckResult[];
  skippedChecks: SkippedCheck[];
}

/** The run as the {@link RunSummary} object (what `--summary-json` writes). */
export function summaryJson(r: RunReport): RunSummary {
  const t = tally(r);
  return {
    passed: t.passed,
    degraded: t.degraded,
    failed: t.failed,
    skipped: t.skipped,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    results: [...r.results],
    skippedChecks: [...r.skipped],
  };
}

/** The run as a {@link RunSummary} JSON document, two-space indented, ending in a newline. */
export function jsonReport(r: RunReport): string {
  return `${JSON.stringify(summaryJson(r), null, 2)}\n`;
}
