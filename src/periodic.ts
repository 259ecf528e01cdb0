/**
 * A job that runs once soon after start, then every `everyMs`, never twice at
 * once: a run asked for while one is going joins it. Its timers do not keep
 * the process alive. The retention jobs (check results, SLI data) share it.
 */
export class PeriodicJob<T> {
  readonly #run: () => Promise<T>;
  readonly #everyMs: number;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<T> | undefined;

  constructor(run: () => Promise<T>, everyMs: number, onError: (err: unknown) => void) {
    this.#run = run;
    this.#everyMs = everyMs;
    this.#onError = onError;
  }

  start(): void {
    const tick = () => {
      this.runOnce().catch(this.#onError);
    };
    this.#timer = setInterval(tick, this.#everyMs);
    this.#timer.unref();
    setImmediate(tick).unref();
  }

  /** One run now (or the one going); resolves with its result. */
  runOnce(): Promise<T> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** No more runs; resolves once a run going has ended. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running?.catch(() => {});
  }
}
