/**
 * The journal of a run: every probe value, action, timing and deviation, in
 * the order they happened. It is the evidence the report, the web UI and the
 * incident timeline are built from.
 */

export type Phase = 'guards' | 'before' | 'method' | 'recovery' | 'after' | 'rollback' | 'done';

export type JournalEntry =
  | { t: number; type: 'phase'; phase: Phase }
  | {
      t: number;
      type: 'probe';
      phase: Phase;
      probe: string;
      ok: boolean;
      /** The number the probe judged (burn rate, query value, response time), when it has one. */
      value: number | null;
      detail: string;
    }
  | {
      t: number;
      type: 'action';
      action: 'apply' | 'revert' | 'load-start' | 'load-stop' | 'rollback' | 'pause';
      step: string;
      ok: boolean;
      detail: string;
    }
  | { t: number; type: 'deviation'; phase: Phase; probe: string; detail: string }
  | { t: number; type: 'abort'; reason: string }
  | { t: number; type: 'note'; message: string };

export type Outcome = 'held' | 'deviated' | 'aborted' | 'precondition_failed' | 'refused' | 'failed';

export interface ProbeSeries {
  probe: string;
  /** Values seen while faults were held (the SLI during the fault). */
  during: { min: number | null; max: number | null; last: number | null; failures: number; samples: number };
}

export interface BudgetUse {
  slo: string;
  before: number | null;
  after: number | null;
  /** Share of the whole budget spent while the run lasted (before − after), null without data. */
  consumed: number | null;
}

export interface ExperimentReport {
  experiment: string;
  service: string;
  outcome: Outcome;
  /** One line a person reads first. */
  headline: string;
  startedAt: number;
  endedAt: number;
  hypothesis: { before: boolean | null; during: boolean | null; after: boolean | null };
  /** From the first fault applied to the last one reverted. */
  faultWindow: { start: number; end: number } | null;
  /** From the last fault reverted until every steady-state probe passed again; null if it never did. */
  recoveryMs: number | null;
  abortReason?: string;
  probes: ProbeSeries[];
  budget: BudgetUse[];
  reverts: { ok: number; failed: number };
  errors: string[];
}

/** Exit codes of `ballast chaos run`: 0 held, 1 deviated (or never started), 3 aborted. */
export function outcomeExitCode(outcome: Outcome): 0 | 1 | 3 {
  if (outcome === 'held') return 0;
  if (outcome === 'aborted' || outcome === 'failed') return 3;
  return 1;
}
