/**
 * react-query hooks for chaos runs, the Halt action, and the live feed:
 * `chaos` events (a run started, was asked to halt, ended) go into the cached
 * list and detail; `chaos-journal` batches are merged into the cached
 * journal by sequence number, so a resent batch never shows twice.
 */
import {
  keepPreviousData,
  type QueryClient,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { ChaosRun, ChaosRunDetail } from '../../src/server/schemas-chaos.ts';
import { getJson, isAuthError } from './api.ts';
import { mergeJournal, reconcileJournal } from './chaos-data.ts';
import { applyRunToList, type ChaosFilters, chaosRunsPath } from './chaos-filters.ts';
import { sendJson } from './incident-queries.ts';
import { useEventStream } from './live.ts';
import { REFRESH_MS } from './queries.ts';
import type { SseEvent } from './sse.ts';

/** How many runs the list shows. */
export const CHAOS_LIST_LIMIT = 200;

/** The answer of `POST /api/v1/chaos/halt`. */
export interface HaltAnswer {
  runs: string[];
  leasesReleased: number;
  errors: string[];
}

/** Query keys, shared by the hooks and the live-event merge. */
export const chaosKeys = {
  /** Every list, whatever its filters (the prefix of {@link chaosKeys.filtered}). */
  list: ['chaos-runs'] as const,
  filtered: (filters: ChaosFilters) => ['chaos-runs', { ...filters }] as const,
  detail: (id: string) => ['chaos-run', id] as const,
};

const enc = encodeURIComponent;
const common = {
  refetchInterval: REFRESH_MS,
  retry: (count: number, err: unknown) => !isAuthError(err) && count < 2,
};

/** The newest runs matching `filters` (none: every run). */
export function useChaosRuns(filters: ChaosFilters = {}) {
  return useQuery({
    queryKey: chaosKeys.filtered(filters),
    queryFn: ({ signal }) => getJson<ChaosRun[]>(chaosRunsPath(filters, CHAOS_LIST_LIMIT), signal),
    ...common,
    // Another filter keeps the table on screen until its runs arrive, instead of "Loading".
    placeholderData: keepPreviousData,
  });
}

export function useChaosRun(id: string) {
  return useQuery({
    queryKey: chaosKeys.detail(id),
    queryFn: ({ signal }) => getJson<ChaosRunDetail>(`/api/v1/chaos/runs/${enc(id)}`, signal),
    ...common,
    // An ended run never changes; a running one gets its journal from the event stream.
    refetchInterval: (q) => (q.state.data?.status === 'running' ? REFRESH_MS : false),
    // A refetch that left before the latest batch arrived must not take those entries away.
    structuralSharing: (old, next) => {
      const cached = old as ChaosRunDetail | undefined;
      const fetched = next as ChaosRunDetail;
      if (!cached || cached.id !== fetched.id) return fetched;
      return { ...fetched, journal: reconcileJournal(fetched.journal, cached.journal) };
    },
  });
}

/** `POST /chaos/halt`: every running run is flagged for its controller and its leases released. */
/** Halts every running run, or only `runId` when given. */
export function useHalt(runId?: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      sendJson<HaltAnswer>(
        'POST',
        runId === undefined ? '/api/v1/chaos/halt' : `/api/v1/chaos/runs/${encodeURIComponent(runId)}/halt`,
      ),
    onSuccess: (answer) => {
      void client.invalidateQueries({ queryKey: chaosKeys.list });
      for (const id of answer.runs) void client.invalidateQueries({ queryKey: chaosKeys.detail(id) });
    },
  });
}

/** Applies one chaos event to the cache; a journal batch past the cached end refetches the run. */
function applyEvent(client: QueryClient, e: SseEvent): void {
  if (e.event === 'chaos') {
    const { run } = JSON.parse(e.data) as { run: ChaosRun };
    // Each cached list takes the run only while it matches that list's filters.
    for (const query of client.getQueryCache().findAll({ queryKey: chaosKeys.list })) {
      const filters = (query.queryKey[1] ?? {}) as ChaosFilters;
      client.setQueryData<ChaosRun[]>(query.queryKey, (old) =>
        old ? applyRunToList(old, run, filters, CHAOS_LIST_LIMIT) : old,
      );
    }
    client.setQueryData<ChaosRunDetail>(chaosKeys.detail(run.id), (old) => (old ? { ...old, ...run } : old));
  } else if (e.event === 'chaos-journal') {
    const { runId, from, entries } = JSON.parse(e.data) as {
      runId: string;
      from: number;
      entries: ChaosRunDetail['journal'];
    };
    let gap = false;
    client.setQueryData<ChaosRunDetail>(chaosKeys.detail(runId), (old) => {
      if (!old) return old;
      const merged = mergeJournal(old.journal, from, entries);
      gap = merged.gap;
      return merged.journal === old.journal ? old : { ...old, journal: merged.journal };
    });
    if (gap) void client.invalidateQueries({ queryKey: chaosKeys.detail(runId) });
  }
}

/** Follows the event stream while a chaos page is open and keeps its queries current. */
export function useChaosLive(): void {
  useEventStream(applyEvent);
}
