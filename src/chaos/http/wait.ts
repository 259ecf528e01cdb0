/** A delay that ends early when the client leaves or the rule that imposed it is removed. */

/** Why a wait ended. */
export type WaitEnd = 'elapsed' | 'client' | 'removed';

/**
 * Waits `ms`, or less when `client` aborts (the client went away or the proxy is
 * closing) or `removed` aborts (the rule is gone, so its fault must end now).
 */
export function wait(ms: number, client: AbortSignal, removed?: AbortSignal): Promise<WaitEnd> {
  if (client.aborted) return Promise.resolve('client');
  if (removed?.aborted) return Promise.resolve('removed');
  return new Promise((resolve) => {
    const done = (end: WaitEnd) => {
      clearTimeout(timer);
      client.removeEventListener('abort', onClient);
      removed?.removeEventListener('abort', onRemoved);
      resolve(end);
    };
    const onClient = () => done('client');
    const onRemoved = () => done('removed');
    const timer = setTimeout(() => done('elapsed'), ms);
    client.addEventListener('abort', onClient, { once: true });
    removed?.addEventListener('abort', onRemoved, { once: true });
  });
}
