/** Bounded waiting for the browser runner: a promise, a time limit and an abort signal, never a rejection. */

export type Settled<T> =
  | { kind: 'fulfilled'; value: T }
  | { kind: 'rejected'; error: unknown }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

/** Waits for `promise` at most `ms` (and until `signal` aborts); never rejects. */
export function settleWithin<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<Settled<T>> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (settled: Settled<T>) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(settled);
    };
    const onAbort = () => finish({ kind: 'aborted' });
    promise.then(
      (value) => finish({ kind: 'fulfilled', value }),
      (error: unknown) => finish({ kind: 'rejected', error }),
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => finish({ kind: 'timeout' }), Math.max(0, ms));
  });
}

/** The first line of an error's message. */
export function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n', 1)[0] ?? '').trim();
}
