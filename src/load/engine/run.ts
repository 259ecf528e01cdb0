/**
 * `runLoad`: spreads a plan over worker threads (a one-worker plan runs its
 * generator in this thread, through the same message protocol), merges what they measure,
 * evaluates thresholds each second, and returns the stable summary. Every
 * run stops by itself: at the end of its schedule, on an aborting threshold
 * or the caller's signal (workers get a short grace), and in any case at a
 * hard deadline after which stuck workers are terminated.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import {
  createHistogram,
  decodeHistogram,
  mergeInto,
  percentileMs,
  spectrum,
  summarize,
} from '../histogram.ts';
import { isOpenModel, plannedDurationMs, plannedIterations } from '../schedule.ts';
import { evaluateThresholds, type MetricsView } from '../thresholds/index.ts';
import type { LoadPlan, LoadSummary } from '../types.ts';
import { Aggregator, type MergedSecond, viewOf } from './aggregate.ts';
import { InlineWorker } from './inline.ts';
import type { FromWorker, RequestStats, ToWorker, WorkerInit } from './protocol.ts';
import type { LiveStatus, RunOptions } from './types.ts';
import { invalidReasons } from './validity.ts';

/** Grace for in-flight requests after an abort (the run must stop within about a second). */
const ABORT_GRACE_MS = 600;
/** Time workers get to load before the start instant. */
const START_DELAY_MS = 50;

/** Number of workers a plan runs on: its own setting, else cores − 1, never more than closed-model VUs. */
export function workerCount(plan: LoadPlan): number {
  let n = plan.workers ?? Math.max(1, availableParallelism() - 1);
  const ex = plan.executor;
  if (ex.executor === 'constant-vus' || ex.executor === 'iterations') n = Math.min(n, ex.vus);
  if (ex.executor === 'ramping-vus')
    n = Math.min(n, Math.max(ex.startVUs, ...ex.stages.map((s) => s.target)));
  return Math.max(1, n);
}

/**
 * Runs a load plan and summarises it. Safety checks (allowed targets, caps)
 * are the caller's job before this (`src/load/safety.ts`).
 *
 * @example
 * const summary = await runLoad(plan, { signal: ac.signal, onSecond: (s, live) => draw(live) });
 */
export async function runLoad(plan: LoadPlan, options: RunOptions = {}): Promise<LoadSummary> {
  const count = workerCount(plan);
  const ringSeconds = Math.max(0, ...plan.thresholds.map((t) => Math.ceil((t.windowMs ?? 0) / 1000)));
  const agg = new Aggregator(plan.executor, count, ringSeconds);
  const workers = await startWorkers(plan, count, options.baseDir ?? process.cwd());
  const state = new RunState(plan, agg, workers, options);
  return state.run();
}

/**
 * What `RunState` needs of a worker: a `Worker` thread, or an `InlineWorker`
 * in this thread when the plan runs on one worker.
 */
interface GeneratorHandle {
  on(event: 'message', listener: (m: FromWorker) => void): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  off(event: 'message', listener: (m: FromWorker) => void): unknown;
  postMessage(m: ToWorker): void;
  terminate(): Promise<number>;
}

async function startWorkers(plan: LoadPlan, count: number, baseDir: string): Promise<GeneratorHandle[]> {
  const url = new URL('./worker.ts', import.meta.url);
  const workers: GeneratorHandle[] = [];
  const ready: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const init: WorkerInit = { plan, index, count, baseDir };
    // One worker: no second isolate (memory, start-up); its timing signals then include this thread's merging.
    const w: GeneratorHandle = count === 1 ? new InlineWorker(init) : new Worker(url, { workerData: init });
    workers.push(w);
    ready.push(
      new Promise((resolve, reject) => {
        const onMessage = (m: FromWorker): void => {
          if (m.type === 'ready') resolve();
          else if (m.type === 'error') reject(new Error(m.message));
          if (m.type === 'ready' || m.type === 'error') w.off('message', onMessage);
        };
        w.on('message', onMessage);
        w.once('error', reject);
        w.once('exit', (code: number) =>
          reject(new Error(`load worker exited with code ${code} before it was ready`)),
        );
      }),
    );
  }
  try {
    await Promise.all(ready);
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  }
  return workers;
}

class RunState {
  readonly #plan: LoadPlan;
  readonly #agg: Aggregator;
  readonly #workers: GeneratorHandle[];
  readonly #options: RunOptions;
  readonly #perRequest = new Map<
    string,
    { total: number; failed: number; latency: ReturnType<typeof createHistogram> }
  >();
  readonly #failures: string[] = [];
  #forced = 0;
  #aborted = false;
  #abortReason: string | undefined;
  #abortExpr: string | undefined;
  #stopSent = false;
  #startEpoch = 0;
  #endEpoch = 0;

  constructor(plan: LoadPlan, agg: Aggregator, workers: GeneratorHandle[], options: RunOptions) {
    this.#plan = plan;
    this.#agg = agg;
    this.#workers = workers;
    this.#options = options;
  }

  async run(): Promise<LoadSummary> {
    const startedAt = new Date(this.#options.now?.() ?? Date.now()).toISOString();
    this.#startEpoch = performance.timeOrigin + performance.now() + START_DELAY_MS;
    const finished = Promise.all(this.#workers.map((w, i) => this.#watch(w, i)));
    const onAbort = (): void => this.#stop('interrupted');
    if (this.#options.signal?.aborted) this.#stop('interrupted');
    this.#options.signal?.addEventListener('abort', onAbort, { once: true });
    for (const w of this.#workers) w.postMessage({ type: 'start', startEpochMs: this.#startEpoch });
    // Hard deadline: schedule + drain window + margin; then stuck workers are terminated.
    const hardMs =
      START_DELAY_MS +
      plannedDurationMs(this.#plan.executor) +
      Math.min(this.#plan.http.timeoutMs, 30_000) +
      5_000;
    const hard = setTimeout(() => {
      for (const w of this.#workers) {
        this.#failures.push('a load worker did not finish by the hard deadline and was terminated');
        void w.terminate();
      }
    }, hardMs);
    await finished;
    clearTimeout(hard);
    this.#options.signal?.removeEventListener('abort', onAbort);
    for (const m of this.#agg.flush()) this.#onSecond(m);
    return this.#summary(startedAt);
  }

  /** Resolves when the worker has exited; feeds its messages to the aggregate. */
  #watch(w: GeneratorHandle, index: number): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      w.on('message', (m: FromWorker) => {
        if (m.type === 'second') for (const s of this.#agg.add(m.snapshot)) this.#onSecond(s);
        else if (m.type === 'done') {
          done = true;
          this.#forced += m.forced;
          this.#endEpoch = Math.max(this.#endEpoch, m.endEpochMs);
          for (const snap of m.snapshots) for (const s of this.#agg.add(snap)) this.#onSecond(s);
          this.#addPerRequest(m.perRequest);
          const last = m.snapshots.at(-1)?.second ?? -1;
          for (const s of this.#agg.workerDone(index, last)) this.#onSecond(s);
        } else if (m.type === 'error') this.#failures.push(`a load worker failed: ${m.message}`);
      });
      w.once('error', (err) => this.#failures.push(`a load worker crashed: ${err.message}`));
      w.once('exit', () => {
        if (!done) for (const s of this.#agg.workerDone(index, -1)) this.#onSecond(s);
        this.#endEpoch = Math.max(this.#endEpoch, performance.timeOrigin + performance.now());
        resolve();
      });
    });
  }

  #stop(reason: string, expr?: string): void {
    if (this.#stopSent) return;
    this.#stopSent = true;
    this.#aborted = true;
    this.#abortReason = reason;
    this.#abortExpr = expr;
    for (const w of this.#workers) w.postMessage({ type: 'stop', graceMs: ABORT_GRACE_MS });
  }

  #onSecond(m: MergedSecond): void {
    const sample = m.sample;
    if (!sample) return;
    if (this.#plan.thresholds.length > 0 && !this.#stopSent) {
      for (const r of this.#evaluate()) {
        if (r.abort) {
          this.#stop(`threshold ${r.expr} failed`, r.expr);
          break;
        }
      }
    }
    if (this.#options.onSecond) {
      const whole = this.#agg.whole;
      const live: LiveStatus = {
        elapsedMs: (m.second + 1) * 1000,
        targetRate: sample.targetRate,
        achievedRate: sample.achievedRate,
        p50: m.p50Ms,
        p99: m.p99Ms,
        errors: whole.failed,
        inFlight: m.inFlight,
        dropped: whole.dropped,
      };
      this.#options.onSecond(sample, live);
    }
  }

  #evaluate() {
    const elapsed = this.#agg.seconds.length * 1000;
    const view = (windowMs?: number): MetricsView =>
      windowMs === undefined ? viewOf(this.#agg.whole, elapsed) : this.#agg.windowView(windowMs);
    return evaluateThresholds(this.#plan.thresholds, view, this.#options.slos ?? new Map());
  }

  #addPerRequest(stats: Record<string, RequestStats>): void {
    for (const [name, s] of Object.entries(stats)) {
      let t = this.#perRequest.get(name);
      if (!t) {
        t = { total: 0, failed: 0, latency: createHistogram() };
        this.#perRequest.set(name, t);
      }
      t.total += s.total;
      t.failed += s.failed;
      mergeInto(t.latency, decodeHistogram(s.latency));
    }
  }

  #summary(startedAt: string): LoadSummary {
    const plan = this.#plan;
    const whole = this.#agg.whole;
    const durationMs = Math.max(1, this.#endEpoch - this.#startEpoch);
    const total = whole.ok + whole.failed;
    const planned = plannedDurationMs(plan.executor);
    const open = isOpenModel(plan.executor);
    const reasons = invalidReasons({
      openModel: open,
      lagP99Ms: percentileMs(whole.lag, 99),
      dropped: whole.dropped,
      seconds: this.#agg.seconds,
      maxConnections: plan.http.maxConnections,
      workers: this.#workers.length,
      workerFailures: this.#failures,
    });
    const finalResults = plan.thresholds.length > 0 ? this.#evaluate() : [];
    const perRequest: LoadSummary['perRequest'] = {};
    for (const [name, s] of this.#perRequest) {
      perRequest[name] = { total: s.total, failed: s.failed, latency_ms: summarize(s.latency) };
    }
    return {
      name: plan.name,
      startedAt,
      durationMs,
      executor: plan.executor.executor,
      requests: { total, ok: whole.ok, failed: whole.failed },
      errors: { ...whole.errors },
      rate: {
        target: open ? (plannedIterations(plan.executor) * 1000) / Math.max(1, planned) : 0,
        achieved: (total * 1000) / durationMs,
      },
      latency_ms: summarize(whole.latency),
      service_time_ms: summarize(whole.service),
      dropped: whole.dropped,
      valid: reasons.length === 0,
      invalid_reasons: reasons,
      thresholds: finalResults.map((r) => ({
        expr: r.expr,
        ok: r.expr === this.#abortExpr ? false : r.ok,
        ...(r.value === undefined ? {} : { value: r.value }),
        ...(r.expr === this.#abortExpr ? { abortedRun: true } : {}),
      })),
      aborted: this.#aborted,
      ...(this.#abortReason === undefined ? {} : { abortReason: this.#abortReason }),
      perRequest,
      series: this.#agg.series,
      spectrum: spectrum(whole.latency),
    };
  }
}
