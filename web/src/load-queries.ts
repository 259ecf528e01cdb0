/**
 * react-query hooks for load-test runs and capacity, and the live feed of a
 * running run: `load-second` events are merged into the cached run as they
 * arrive, `load-started` / `load-finished` refresh the lists.
 */
import { type QueryClient, useQuery } from '@tanstack/react-query';
import type {
  CapacityDto,
  LoadRunDetail,
  LoadRunListItem,
  LoadSecondEvent,
} from '../../src/server/schemas.ts';
import { getJson, isAuthError } from './api.ts';
import { useEventStream } from './live.ts';
import { mergeSeconds } from './load-data.ts';
import { REFRESH_MS } from './queries.ts';
import type { SseEvent } from './sse.ts';

const enc = encodeURIComponent;
const common = {
  refetchInterval: REFRESH_MS,
  retry: (count: number, err: unknown) => !isAuthError(err) && count < 2,
};

export function useLoadRuns() {
  return useQuery({
    queryKey: ['load-runs'],
    queryFn: ({ signal }) => getJson<LoadRunListItem[]>('/api/v1/load/runs?limit=200', signal),
    ...common,
  });
}

export function useLoadRun(id: string) {
  return useQuery({
    queryKey: ['load-run', id],
    queryFn: ({ signal }) => getJson<LoadRunDetail>(`/api/v1/load/runs/${enc(id)}`, signal),
    ...common,
    // A finished run never changes; a running one gets its seconds from the event stream.
    refetchInterval: (q) => (q.state.data?.run.status === 'running' ? REFRESH_MS : false),
  });
}

/** The latest measured capacity per service (for the overview). */
export function useCapacities() {
  return useQuery({
    queryKey: ['capacities'],
    queryFn: ({ signal }) => getJson<CapacityDto[]>('/api/v1/capacity', signal),
    ...common,
  });
}

/** Applies one load event to the cache: seconds merge into the run, run changes refresh the lists. */
function applyEvent(client: QueryClient, e: SseEvent): void {
  if (e.event === 'load-second') {
    const { runId, samples } = JSON.parse(e.data) as LoadSecondEvent;
    client.setQueryData<LoadRunDetail>(['load-run', runId], (old) =>
      old ? { ...old, seconds: mergeSeconds(old.seconds, samples) } : old,
    );
  } else if (e.event === 'load-started' || e.event === 'load-finished') {
    const { run } = JSON.parse(e.data) as { run: LoadRunListItem };
    void client.invalidateQueries({ queryKey: ['load-runs'] });
    if (e.event === 'load-finished') void client.invalidateQueries({ queryKey: ['load-run', run.id] });
  }
}

/** Follows the event stream while a load page is open and keeps its queries current. */
export function useLoadLive(): void {
  useEventStream(applyEvent);
}
