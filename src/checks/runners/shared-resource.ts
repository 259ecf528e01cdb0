/**
 * A resource opened on first use and shared by every caller until it is
 * gone: a failed open is not cached, and one that reports itself gone (a
 * browser that crashed, a server that exited) is forgotten, so the next use
 * opens a new one. The browser pool and the browser host both hold Chromium this way.
 */
export class SharedResource<T> {
  readonly #open: () => Promise<T>;
  readonly #watch: (value: T, gone: () => void) => void;
  #current: Promise<T> | undefined;
  #opens = 0;

  /** `watch` subscribes `gone` to whatever event says the value died. */
  constructor(open: () => Promise<T>, watch: (value: T, gone: () => void) => void) {
    this.#open = open;
    this.#watch = watch;
  }

  /** How many times it was opened. */
  get opens(): number {
    return this.#opens;
  }

  /** The shared value; concurrent callers share one open. */
  get(): Promise<T> {
    this.#current ??= this.#start();
    return this.#current;
  }

  /** Hands over the current value (or the open in flight) for closing; the next `get` opens anew. */
  take(): Promise<T> | undefined {
    const current = this.#current;
    this.#current = undefined;
    return current;
  }

  #start(): Promise<T> {
    this.#opens++;
    const opening: Promise<T> = this.#open().then(
      (value) => {
        this.#watch(value, () => this.#forget(opening));
        return value;
      },
      (err: unknown) => {
        this.#forget(opening);
        throw err;
      },
    );
    return opening;
  }

  #forget(opening: Promise<T>): void {
    if (this.#current === opening) this.#current = undefined;
  }
}
