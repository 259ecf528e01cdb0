/**
 * The runtime half of check scheduling: keeps every enabled check's next run
 * time, starts executions when they come due (at most `concurrency` at a
 * time, the rest waiting in arrival order), holds each execution to a
 * deadline, and turns results into health transitions.
 *
 * Due times live in one binary heap with one timer armed for the earliest,
 * so 10,000 checks cost one timer, not 10,000. Times come from the pure
 * `timing.ts` and are computed from the due time (or from now, when the
 * scheduler is late), never from when the previous run finished: runs stay
 * on their grid however long they take.
 *
 * Nothing a check does stops the others: `execute` and `onResult` errors are
 * caught and reported through `onError`; a throwing `execute` becomes a fail
 * result with an `internal` error.
 */
import type { CheckDefinition, CheckResult } from '../types.ts';
import { deadlineMarginMs, executionDeadlineMs } from './deadline.ts';
import { DriftRecorder } from './drift.ts';
import { BoundedExecution, type ExecutionOutcome, resultOfOutcome } from './execution.ts';
import { advanceHealth, type HealthState, type HealthUpdate, initialHealth } from './health.ts';
import { IndexedMinHeap } from './heap.ts';
import { type Entry, type Run, RunQueue } from './run-queue.ts';
import { firstRunAt, nextRunAt, sameSchedule } from './timing.ts';

export interface SchedulerOptions {
  /**
   * Runs one check, retries included. May throw (a bug): the scheduler turns
   * that into a fail result with error kind `internal`. Should give up when
   * `signal` aborts (the deadline passed, or the scheduler is stopping).
   */
  execute: (check: CheckDefinition, signal: AbortSignal) => Promise<CheckResult>;
  /** Gets every result with the health it led to. Awaited before the check's slot is free again. */
  onResult: (result: CheckResult, health: HealthUpdate) => void | Promise<void>;
  /** Most executions in flight at once (at least 1). */
  concurrency: number;
  /** Clock (epoch ms); Date.now by default. Timers are real either way. */
  now?: () => number;
  /** Errors from `execute`, `onResult` and unschedulable checks; console.error by default. */
  onError?: (err: unknown) => void;
}

export interface SchedulerStats {
  /** Checks with a next run time. */
  scheduled: number;
  /** Executions started and not finished (their `onResult` included). */
  inFlight: number;
  /** Runs due and waiting for a free slot. */
  queued: number;
  /** 99th percentile of start − due time of scheduled runs, in ms. */
  driftP99Ms: number;
  /** Executions finished. */
  executed: number;
  /** Runs that came due while the check's previous run was still queued or running, and were dropped. */
  skipped: number;
}

/** setTimeout's longest delay (about 24.8 days); a longer wait re-arms when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class CheckScheduler {
  readonly #opts: SchedulerOptions;
  readonly #now: () => number;
  readonly #onError: (err: unknown) => void;
  readonly #entries = new Map<string, Entry>();
  readonly #heap = new IndexedMinHeap<Entry>((e) => e.dueAt);
  readonly #queue = new RunQueue();
  readonly #running = new Set<Run>();
  readonly #drift = new DriftRecorder();
  #executed = 0;
  #skipped = 0;
  #started = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(opts: SchedulerOptions) {
    if (!(opts.concurrency >= 1))
      throw new RangeError(`concurrency must be at least 1, got ${opts.concurrency}`);
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#onError = opts.onError ?? ((err) => console.error('check scheduler:', err));
  }

  /**
   * Makes `checks` the set of checks: new names are added, known names take
   * the new definition (keeping their health; their next run time too, unless
   * the schedule or whether they run changed), missing names are removed (a
   * queued run of theirs is dropped, a running one finishes unreported).
   * Disabled checks and heartbeat checks are kept but never scheduled.
   */
  setChecks(checks: CheckDefinition[]): void {
    const names = new Set<string>();
    for (const def of checks) {
      if (names.has(def.name))
        this.#report(new Error(`check ${def.name} is defined twice; the last one wins`));
      names.add(def.name);
      const entry = this.#entries.get(def.name);
      if (entry === undefined) {
        const added: Entry = { def, health: initialHealth(), dueAt: 0, heapIndex: -1, removed: false };
        this.#entries.set(def.name, added);
        if (this.#started) this.#scheduleFirst(added);
        continue;
      }
      const before = entry.def;
      entry.def = def;
      if (!sameTiming(before, def)) {
        this.#heap.remove(entry);
        if (this.#started) this.#scheduleFirst(entry);
      }
    }
    for (const [name, entry] of this.#entries) {
      if (names.has(name)) continue;
      entry.removed = true;
      this.#heap.remove(entry);
      if (entry.run !== undefined && entry.run.execution === undefined) this.#queue.cancel(entry.run);
      this.#entries.delete(name);
    }
    this.#arm();
  }

  /** Starts running checks on their schedules (first runs spread over one interval). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const entry of this.#entries.values()) this.#scheduleFirst(entry);
    this.#arm();
  }

  /**
   * Stops scheduling, drops queued runs, aborts executions in flight and
   * resolves once they are over (an execution that ignores the abort is
   * abandoned after a grace period). Results of aborted executions are not
   * reported: a shutdown says nothing about the check.
   */
  async stop(): Promise<void> {
    this.#started = false;
    this.#disarm();
    this.#heap.clear();
    this.#queue.clear();
    const over: Promise<unknown>[] = [];
    for (const run of this.#running) {
      run.stopped = true;
      run.execution?.abort('stopped');
      over.push(run.done);
    }
    await Promise.all(over);
  }

  /**
   * Runs a check now, outside its schedule (disabled checks too), ahead of
   * queued scheduled runs but within the concurrency limit. If the check is
   * already queued or running, that run's result is returned instead of
   * starting a second one. Undefined for unknown and heartbeat checks, and if
   * the run was dropped (check removed, scheduler stopped).
   */
  runNow(name: string): Promise<CheckResult | undefined> {
    const entry = this.#entries.get(name);
    if (entry === undefined || entry.def.spec.type === 'heartbeat') return Promise.resolve(undefined);
    if (entry.run !== undefined) return entry.run.done;
    const run = this.#queue.enqueue(entry, this.#now(), true);
    this.#pump();
    return run.done;
  }

  /** The check's current health; undefined for an unknown name. */
  healthOf(name: string): HealthState | undefined {
    const health = this.#entries.get(name)?.health;
    return health === undefined ? undefined : { ...health };
  }

  /**
   * Restores a check's health (e.g. from the store after a restart), so a
   * check that was failing does not alert again, and can still recover.
   * Call after `setChecks`; unknown names are ignored.
   */
  seedHealth(name: string, health: HealthState): void {
    const entry = this.#entries.get(name);
    if (entry !== undefined) entry.health = { ...health };
  }

  stats(): SchedulerStats {
    return {
      scheduled: this.#heap.size,
      inFlight: this.#running.size,
      queued: this.#queue.waiting,
      driftP99Ms: this.#drift.percentileMs(99),
      executed: this.#executed,
      skipped: this.#skipped,
    };
  }

  /** Puts a runnable check on the heap at its first run time. */
  #scheduleFirst(entry: Entry): void {
    if (!isScheduled(entry.def)) return;
    let dueAt: number;
    try {
      dueAt = firstRunAt(entry.def.schedule, entry.def.name, this.#now());
    } catch (err) {
      this.#report(
        new Error(`check ${entry.def.name} cannot be scheduled: ${messageOf(err)}`, { cause: err }),
      );
      return;
    }
    this.#push(entry, dueAt);
  }

  #push(entry: Entry, dueAt: number): void {
    // A cron schedule with no future time (Infinity) simply never runs again.
    if (!Number.isFinite(dueAt)) return;
    entry.dueAt = dueAt;
    this.#heap.push(entry);
  }

  #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    if (!this.#started) return;
    const now = this.#now();
    // Bounded: every popped check goes back with a due time after `now`.
    for (let top = this.#heap.peek(); top !== undefined && top.dueAt <= now; top = this.#heap.peek()) {
      this.#heap.pop();
      const dueAt = top.dueAt;
      // From the later of due time and now: the grid is anchored, so a late timer
      // skips at most the runs it slept through and never shifts later ones.
      try {
        this.#push(top, nextRunAt(top.def.schedule, top.def.name, Math.max(dueAt, now)));
      } catch (err) {
        this.#report(
          new Error(`check ${top.def.name} cannot be scheduled: ${messageOf(err)}`, { cause: err }),
        );
      }
      if (top.run !== undefined) this.#skipped += 1;
      else this.#queue.enqueue(top, dueAt, false);
    }
    this.#pump();
    this.#arm();
  };

  /** Starts queued runs while slots are free. Bounded by the queues' lengths. */
  #pump(): void {
    while (this.#running.size < this.#opts.concurrency) {
      const run = this.#queue.next();
      if (run === undefined) return;
      // Disabled (or removed) since it was queued: the schedule no longer wants it.
      if (!run.manual && (run.entry.removed || !isScheduled(run.entry.def))) {
        this.#queue.cancel(run, true);
        continue;
      }
      this.#launch(run);
    }
  }

  #launch(run: Run): void {
    const def = run.entry.def;
    const startedAt = this.#now();
    if (!run.manual) this.#drift.record(startedAt - run.dueAt);
    const margin = deadlineMarginMs(def.timeoutMs);
    const deadlineMs = executionDeadlineMs(def);
    run.execution = new BoundedExecution({
      run: (signal) => this.#opts.execute(def, signal),
      deadlineMs,
      graceMs: margin,
    });
    this.#running.add(run);
    void run.execution.done.then((outcome) => this.#complete(run, def, startedAt, deadlineMs, outcome));
  }

  async #complete(
    run: Run,
    def: CheckDefinition,
    startedAt: number,
    deadlineMs: number,
    outcome: ExecutionOutcome,
  ): Promise<void> {
    const durationMs = Math.max(0, this.#now() - startedAt);
    const result = resultOfOutcome(def, { startedAt, durationMs, deadlineMs }, outcome, (err) =>
      this.#report(err),
    );
    this.#executed += 1;
    const entry = run.entry;
    try {
      if (!run.stopped && !entry.removed) {
        // Thresholds of the current definition: an edit while running applies to this result.
        const update = advanceHealth(entry.health, result.status, {
          failAfter: entry.def.failAfter,
          recoverAfter: entry.def.recoverAfter,
        });
        entry.health = update.next;
        await this.#opts.onResult(result, update);
      }
    } catch (err) {
      this.#report(err);
    } finally {
      this.#running.delete(run);
      if (entry.run === run) entry.run = undefined;
      run.finish(result);
      this.#pump();
    }
  }

  /** Arms the timer for the earliest due time, unless it is already armed for that time or earlier. */
  #arm(): void {
    if (!this.#started) return;
    const top = this.#heap.peek();
    if (top === undefined) {
      this.#disarm();
      return;
    }
    if (this.#timer !== undefined && this.#timerAt <= top.dueAt) return;
    this.#disarm();
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, top.dueAt - this.#now()));
    this.#timerAt = top.dueAt;
    this.#timer = setTimeout(this.#onTimer, delay);
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #report(err: unknown): void {
    try {
      this.#onError(err);
    } catch {
      // An onError that throws has nowhere left to report to; the scheduler must go on.
    }
  }
}

/** Runs on a schedule: enabled, and not a heartbeat (heartbeats are pings judged elsewhere). */
function isScheduled(def: CheckDefinition): boolean {
  return def.enabled && def.spec.type !== 'heartbeat';
}

/** Same next run times: same schedule, and scheduled in both. */
function sameTiming(a: CheckDefinition, b: CheckDefinition): boolean {
  return isScheduled(a) === isScheduled(b) && sameSchedule(a.schedule, b.schedule);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
