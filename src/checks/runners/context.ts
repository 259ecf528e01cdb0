/** What every runner gets for one execution. */
export interface RunContext {
  /** The whole execution must finish within this; past it the runner reports a `timeout` error. */
  timeoutMs: number;
  /** Aborted when the scheduler gives up on the execution (shutdown, its own deadline). */
  signal?: AbortSignal;
  /** Clock for results and certificate expiry; Date.now by default. */
  now?: () => number;
}
