/**
 * The runs waiting for a concurrency slot: runNow requests first, then
 * scheduled runs in the order they came due. A run is queued at most once per
 * check (the scheduler keeps the link on its entry), and a dropped run
 * resolves its `done` with undefined so a runNow caller is never left waiting.
 */
import type { CheckDefinition, CheckResult } from '../types.ts';
import type { BoundedExecution } from './execution.ts';
import { Fifo } from './fifo.ts';
import type { HealthState } from './health.ts';

/** One check as the scheduler keeps it. Lives as long as the name is in the set of checks. */
export interface Entry {
  def: CheckDefinition;
  health: HealthState;
  /** Next due time; meaningful while in the heap. */
  dueAt: number;
  heapIndex: number;
  /** The run queued or in flight, if any: a check never has two. */
  run?: Run;
  /** The name left the set of checks. */
  removed: boolean;
}

export interface Run {
  entry: Entry;
  /** When it was due (scheduled runs); drift is measured from here. */
  dueAt: number;
  /** Asked for by runNow rather than the schedule. */
  manual: boolean;
  execution?: BoundedExecution;
  /** Aborted by stop(): the result is not a judgement on the check and is not reported. */
  stopped: boolean;
  /** Dropped before it started. */
  cancelled: boolean;
  /** Resolves when the run is over: its result, or undefined if it never ran. */
  done: Promise<CheckResult | undefined>;
  finish: (result: CheckResult | undefined) => void;
}

export class RunQueue {
  readonly #manual = new Fifo<Run>();
  readonly #scheduled = new Fifo<Run>();
  #waiting = 0;

  /** Runs queued and neither started nor dropped. */
  get waiting(): number {
    return this.#waiting;
  }

  /** Queues a new run of `entry` and links it to the entry. */
  enqueue(entry: Entry, dueAt: number, manual: boolean): Run {
    let finish!: (result: CheckResult | undefined) => void;
    const done = new Promise<CheckResult | undefined>((resolve) => {
      finish = resolve;
    });
    const run: Run = { entry, dueAt, manual, stopped: false, cancelled: false, done, finish };
    entry.run = run;
    (manual ? this.#manual : this.#scheduled).push(run);
    this.#waiting += 1;
    return run;
  }

  /** The next run to start (manual first), skipping dropped ones; it no longer counts as waiting. */
  next(): Run | undefined {
    for (;;) {
      const run = this.#manual.shift() ?? this.#scheduled.shift();
      if (run === undefined) return undefined;
      if (run.cancelled) continue;
      this.#waiting -= 1;
      return run;
    }
  }

  /** Drops a run that has not started (a taken run counts as started: `next` already uncounted it). */
  cancel(run: Run, taken = false): void {
    if (run.cancelled || run.execution !== undefined) return;
    run.cancelled = true;
    if (!taken) this.#waiting -= 1;
    if (run.entry.run === run) run.entry.run = undefined;
    run.finish(undefined);
  }

  /** Drops every queued run. */
  clear(): void {
    for (const run of [...this.#manual.drain(), ...this.#scheduled.drain()]) this.cancel(run);
  }
}
