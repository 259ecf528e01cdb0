/**
 * One call of the scheduler's `execute`, held to a deadline. A runner that
 * ignores its abort signal (or never settles, through a bug) must not hold a
 * concurrency slot forever: once aborted, the execution gets a grace period
 * to settle and is then abandoned, and the scheduler writes the result
 * itself.
 */
import type { CheckDefinition, CheckError, CheckResult } from '../types.ts';

export type ExecutionOutcome =
  /** `execute` resolved with a result (possibly after the abort). */
  | { kind: 'settled'; result: CheckResult }
  /** `execute` threw or rejected, or resolved with something that is not a result. */
  | { kind: 'threw'; error: unknown }
  /** Aborted and did not settle within the grace period. */
  | { kind: 'abandoned'; because: AbortCause };

export type AbortCause = 'deadline' | 'stopped';

export interface BoundedExecutionOptions {
  run: (signal: AbortSignal) => Promise<CheckResult>;
  /** Ms from now after which the signal is aborted. */
  deadlineMs: number;
  /** Ms an aborted execution gets to settle before it is abandoned. */
  graceMs: number;
}

export class BoundedExecution {
  /** Never rejects. */
  readonly done: Promise<ExecutionOutcome>;
  readonly #controller = new AbortController();
  readonly #graceMs: number;
  #settled = false;
  #resolve!: (outcome: ExecutionOutcome) => void;
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: BoundedExecutionOptions) {
    this.#graceMs = opts.graceMs;
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#deadlineTimer = setTimeout(() => this.abort('deadline'), opts.deadlineMs);
    let running: Promise<CheckResult>;
    try {
      running = Promise.resolve(opts.run(this.#controller.signal));
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (result) =>
        this.#finish(
          isCheckResult(result)
            ? { kind: 'settled', result }
            : { kind: 'threw', error: new TypeError('execute resolved without a check result') },
        ),
      (error: unknown) => this.#finish({ kind: 'threw', error }),
    );
  }

  /** Aborts the signal (once) and abandons the execution if it has not settled after the grace period. */
  abort(because: AbortCause): void {
    if (this.#settled || this.#controller.signal.aborted) return;
    clearTimeout(this.#deadlineTimer);
    const reason =
      because === 'deadline'
        ? new DOMException('the check ran past its deadline', 'TimeoutError')
        : new DOMException('the scheduler stopped', 'AbortError');
    this.#controller.abort(reason);
    this.#graceTimer = setTimeout(() => this.#finish({ kind: 'abandoned', because }), this.#graceMs);
  }

  #finish(outcome: ExecutionOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#deadlineTimer);
    clearTimeout(this.#graceTimer);
    this.#resolve(outcome);
  }
}

function isCheckResult(value: unknown): value is CheckResult {
  if (typeof value !== 'object' || value === null) return false;
  const status = (value as { status?: unknown }).status;
  return status === 'pass' || status === 'degraded' || status === 'fail';
}

/** A fail result the scheduler writes itself (the runner produced none). */
export function schedulerFailResult(
  check: CheckDefinition,
  startedAt: number,
  durationMs: number,
  error: CheckError,
): CheckResult {
  return {
    check: check.name,
    service: check.service,
    type: check.spec.type,
    location: 'local',
    startedAt,
    durationMs,
    status: 'fail',
    reason: error.message,
    error,
    conditions: [],
    phases: {},
    attempts: 1,
  };
}

/**
 * The result a finished execution reports: its own, or one the scheduler
 * writes for an execution that threw (a bug, handed to `report`) or was abandoned.
 */
export function resultOfOutcome(
  def: CheckDefinition,
  run: { startedAt: number; durationMs: number; deadlineMs: number },
  outcome: ExecutionOutcome,
  report: (err: unknown) => void,
): CheckResult {
  switch (outcome.kind) {
    case 'settled':
      return outcome.result;
    case 'threw': {
      const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      report(new Error(`check ${def.name}: execute failed: ${message}`, { cause: outcome.error }));
      return schedulerFailResult(def, run.startedAt, run.durationMs, {
        kind: 'internal',
        message: `internal error: ${message}`,
      });
    }
    case 'abandoned':
      return schedulerFailResult(def, run.startedAt, run.durationMs, {
        kind: 'timeout',
        message:
          outcome.because === 'deadline'
            ? `timeout: the execution did not finish within ${run.deadlineMs} ms`
            : 'timeout: aborted because the scheduler stopped',
      });
  }
}
