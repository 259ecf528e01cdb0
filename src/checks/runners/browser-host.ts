/**
 * Runs browser checks off the caller's thread. The host owns Chromium (a
 * playwright-core browser server on loopback) and a worker thread
 * (browser-worker.ts) that connects to it and runs the scripts.
 *
 * Why a worker: a check's script is user code, and playwright-core's client
 * can throw from its own message loop (an event naming an object already
 * disposed when a context closes while a response is in flight), where no
 * caller can catch it. In the scheduler's thread either would crash the
 * server or freeze every other check. In the worker it costs only that
 * worker: its runs fail with the reason, and the next run starts a new one
 * against the same Chromium. A script that never yields (a busy loop)
 * stops the worker's heartbeat, and the host replaces the worker.
 */
import { Worker } from 'node:worker_threads';
import type { BrowserServer } from 'playwright-core';
import type { BrowserCheckSpec, CheckErrorKind, Observation } from '../types.ts';
import { DEFAULT_CHROMIUM_PATH, errorObservation, launchChromiumServer } from './browser.ts';
import { compileScript } from './browser-script.ts';
import type { RunContext } from './context.ts';
import { messageOf, settleWithin } from './settle.ts';
import { SharedResource } from './shared-resource.ts';

/** Host → worker. */
export type ToBrowserWorker =
  | {
      type: 'run';
      id: number;
      spec: BrowserCheckSpec;
      /** The check's timeout, as messages name it. */
      timeoutMs: number;
      /** What is left of it after starting Chromium. */
      budgetMs: number;
      artifactsDir: string;
      wsEndpoint: string;
      /** The run's clock minus the worker's `Date.now()` (tests run on a controllable clock). */
      clockOffsetMs: number;
    }
  | { type: 'abort'; id: number }
  | { type: 'close' };

/** Worker → host. */
export type FromBrowserWorker =
  | { type: 'alive' }
  | { type: 'result'; id: number; observation: Observation }
  | { type: 'closed' };

export interface BrowserHostOptions {
  /** Chromium to launch (default {@link DEFAULT_CHROMIUM_PATH}). */
  executablePath?: string;
  /** A worker with runs in flight that sends no heartbeat for this long is replaced (default 10 s). */
  stallMs?: number;
}

/** Bound on each step of shutting down (the worker's goodbye, Chromium's exit). */
const CLOSE_TIMEOUT_MS = 10_000;

interface PendingRun {
  started: number;
  finish: (o: Observation) => void;
}

interface WorkerState {
  worker: Worker;
  pending: Map<number, PendingRun>;
  lastAlive: number;
  watchdog: NodeJS.Timeout;
  closed: Promise<void>;
  markClosed: () => void;
}

export class BrowserHost {
  readonly #executablePath: string;
  readonly #stallMs: number;
  readonly #server: SharedResource<BrowserServer>;
  #worker: WorkerState | undefined;
  #workerStarts = 0;
  #nextId = 1;
  #closed = false;

  constructor(opts: BrowserHostOptions = {}) {
    this.#executablePath = opts.executablePath ?? DEFAULT_CHROMIUM_PATH;
    this.#stallMs = opts.stallMs ?? 10_000;
    this.#server = new SharedResource(
      () => launchChromiumServer(this.#executablePath),
      (server, gone) => server.on('close', gone),
    );
  }

  /** How many times Chromium was launched. */
  get launches(): number {
    return this.#server.opens;
  }

  /** How many worker threads were started (more than 1 after a worker was lost). */
  get workerStarts(): number {
    return this.#workerStarts;
  }

  /**
   * Runs one browser check; never throws. Errors as {@link runBrowserCheck}
   * reports them, plus `internal` when the worker died mid-run and `timeout`
   * when it stopped responding. `ctx.timeoutMs` covers starting Chromium.
   */
  async run(spec: BrowserCheckSpec, ctx: RunContext, artifactsDir: string): Promise<Observation> {
    // A script that does not compile is reported without starting anything.
    const compiled = compileScript(spec.script, spec.scriptFile);
    if (!compiled.ok) return errorObservation('config', compiled.message, 0);
    if (this.#closed)
      return errorObservation('internal', 'Chromium did not start: the browser host is closed', 0);

    const deadline = performance.now() + ctx.timeoutMs;
    const acquired = await settleWithin(this.#server.get(), ctx.timeoutMs, ctx.signal);
    if (acquired.kind === 'rejected') {
      return errorObservation('internal', `Chromium did not start: ${messageOf(acquired.error)}`, 0);
    }
    if (acquired.kind !== 'fulfilled') {
      const message =
        acquired.kind === 'aborted'
          ? 'aborted while waiting for Chromium to start'
          : `timed out after ${ctx.timeoutMs} ms waiting for Chromium to start`;
      return errorObservation('timeout', message, 0);
    }
    const clockOffsetMs = (ctx.now ?? Date.now)() - Date.now();
    return this.#dispatch(ctx.signal, {
      type: 'run',
      id: this.#nextId++,
      spec,
      timeoutMs: ctx.timeoutMs,
      budgetMs: Math.max(1, deadline - performance.now()),
      artifactsDir,
      wsEndpoint: acquired.value.wsEndpoint(),
      clockOffsetMs,
    });
  }

  /** Ends the worker (letting it close its contexts) and Chromium. Later runs fail with `internal`. */
  async close(): Promise<void> {
    this.#closed = true;
    const w = this.#worker;
    this.#worker = undefined;
    if (w) {
      w.worker.postMessage({ type: 'close' } satisfies ToBrowserWorker);
      await settleWithin(w.closed, CLOSE_TIMEOUT_MS);
      this.#lose(w, 'internal', 'the browser host closed');
      await w.worker.terminate();
    }
    const server = await this.#server.take()?.catch(() => undefined);
    if (server) {
      const closed = await settleWithin(server.close(), CLOSE_TIMEOUT_MS);
      if (closed.kind !== 'fulfilled') await server.kill();
    }
  }

  #dispatch(
    signal: AbortSignal | undefined,
    run: Extract<ToBrowserWorker, { type: 'run' }>,
  ): Promise<Observation> {
    const w = this.#ensureWorker();
    const started = performance.now();
    return new Promise<Observation>((resolve) => {
      const onAbort = () => {
        w.worker.postMessage({ type: 'abort', id: run.id } satisfies ToBrowserWorker);
        // An aborted run is being given up on: answer now; the worker cleans up on its own.
        finish(errorObservation('timeout', 'aborted', performance.now() - started));
      };
      const finish = (o: Observation) => {
        if (!w.pending.delete(run.id)) return;
        signal?.removeEventListener('abort', onAbort);
        if (w.pending.size === 0) w.worker.unref();
        resolve(o);
      };
      w.pending.set(run.id, { started, finish });
      w.worker.ref();
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      w.worker.postMessage(run satisfies ToBrowserWorker);
    });
  }

  #ensureWorker(): WorkerState {
    if (this.#worker) return this.#worker;
    this.#workerStarts++;
    const worker = new Worker(new URL('./browser-worker.ts', import.meta.url));
    let markClosed = () => {};
    const closed = new Promise<void>((resolve) => {
      markClosed = resolve;
    });
    const w: WorkerState = {
      worker,
      pending: new Map(),
      lastAlive: performance.now(),
      watchdog: setInterval(() => this.#checkAlive(w), Math.min(1_000, this.#stallMs / 2)),
      closed,
      markClosed,
    };
    w.watchdog.unref();
    worker.unref();
    worker.on('message', (m: FromBrowserWorker) => {
      w.lastAlive = performance.now();
      if (m.type === 'result') w.pending.get(m.id)?.finish(m.observation);
      else if (m.type === 'closed') w.markClosed();
    });
    worker.on('error', (err) => this.#lose(w, 'internal', `the browser worker failed: ${messageOf(err)}`));
    worker.on('exit', (code) => {
      w.markClosed();
      this.#lose(w, 'internal', `the browser worker exited with code ${code}`);
    });
    this.#worker = w;
    return w;
  }

  /** A worker whose event loop stopped turning while runs wait is stuck in a script: replace it. */
  #checkAlive(w: WorkerState): void {
    if (w.pending.size === 0) {
      w.lastAlive = performance.now();
      return;
    }
    if (performance.now() - w.lastAlive <= this.#stallMs) return;
    this.#lose(
      w,
      'timeout',
      `the browser worker stopped responding for ${this.#stallMs / 1000} s (a script that never yields, such as a busy loop, blocks it) and was replaced`,
    );
    void w.worker.terminate();
  }

  /** Forgets a worker that is gone or being replaced, failing its runs with `message`. */
  #lose(w: WorkerState, kind: CheckErrorKind, message: string): void {
    if (this.#worker === w) this.#worker = undefined;
    clearInterval(w.watchdog);
    for (const run of [...w.pending.values()]) {
      run.finish(errorObservation(kind, message, performance.now() - run.started));
    }
  }
}
