/**
 * A generator in the calling thread, with the face of a `Worker` (the
 * `message`, `error` and `exit` events, `postMessage`, `terminate`), so a
 * one-worker run skips a second V8 isolate (tens of MiB and its own module
 * loading) without a second code path in `run.ts`. Messages are delivered on
 * a later turn of the event loop, as a worker's would be; the generator's
 * event-loop delay and utilisation then include the run's own per-second
 * merging, so the validity check sees it.
 */
import { EventEmitter } from 'node:events';
import { hostGenerator } from './host.ts';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.ts';

export class InlineWorker extends EventEmitter {
  #toHost: ((m: ToWorker) => void) | undefined;
  #exited = false;

  constructor(init: WorkerInit) {
    super();
    void hostGenerator(init, {
      post: (m: FromWorker) => setImmediate(() => this.#exited || this.emit('message', m)),
      onMessage: (handler) => {
        this.#toHost = handler;
      },
      close: () => setImmediate(() => this.#exit(0)),
    });
  }

  postMessage(m: ToWorker): void {
    setImmediate(() => this.#toHost?.(m));
  }

  /**
   * Cannot kill code in this thread: asks the generator to stop at once and
   * reports the exit (a thread's terminate would drop its pending work the same way).
   */
  async terminate(): Promise<number> {
    this.#toHost?.({ type: 'stop', graceMs: 0 });
    this.#exit(1);
    return 1;
  }

  #exit(code: number): void {
    if (this.#exited) return;
    this.#exited = true;
    this.emit('exit', code);
  }
}
