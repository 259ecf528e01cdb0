/** Following the server's event stream from a React page. */
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { followEvents, type SseEvent } from './sse.ts';

/**
 * Follows `/api/v1/events` while the calling component is mounted and hands
 * each event to `apply` with the query client. `apply` must be stable (a
 * module-level function), or the stream reconnects on every render.
 */
export function useEventStream(apply: (client: QueryClient, e: SseEvent) => void): void {
  const client = useQueryClient();
  useEffect(() => {
    const abort = new AbortController();
    void followEvents(
      abort.signal,
      (e) => apply(client, e),
      () => {},
    );
    return () => abort.abort();
  }, [client, apply]);
}
