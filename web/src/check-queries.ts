/**
 * react-query hooks for synthetic checks, "run now", and the live feed:
 * `check-result` events are merged into the cached list, detail and result
 * history as they arrive; polling every 15 s covers a lost event stream and
 * refreshes what events do not carry (uptime bars).
 */
import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type {
  ApiError,
  CheckDetailSchema,
  CheckResultEventSchema,
  CheckResultItem,
  CheckSummary,
} from '../../src/server/schemas.ts';
import { authHeaders, getJson, HttpError, isAuthError } from './api.ts';
import { addResult, type CheckDaily, mergeResultIntoList, withResult } from './check-data.ts';
import { useEventStream } from './live.ts';
import type { SseEvent } from './sse.ts';

/** `GET /api/v1/checks/{name}`, inferred from the server's schema. */
export type CheckDetail = z.infer<typeof CheckDetailSchema>;
type CheckResultEvent = z.infer<typeof CheckResultEventSchema>;

/** How often the checks pages poll: checks run every 30 s or more, and events bring results sooner. */
export const CHECKS_REFRESH_MS = 15_000;

const enc = encodeURIComponent;
const common = {
  refetchInterval: CHECKS_REFRESH_MS,
  retry: (count: number, err: unknown) => !isAuthError(err) && count < 2,
};

/** Query keys, shared by the hooks and the live-event merge. */
export const checkKeys = {
  list: ['checks'] as const,
  detail: (name: string) => ['check', name] as const,
  /** Prefix of every result-history query of a check (any limit). */
  results: (name: string) => ['check-results', name] as const,
  uptime: (name: string, days: number) => ['check-uptime', name, days] as const,
};

export function useChecks() {
  return useQuery({
    queryKey: checkKeys.list,
    queryFn: ({ signal }) => getJson<CheckSummary[]>('/api/v1/checks', signal),
    ...common,
  });
}

export function useCheck(name: string) {
  return useQuery({
    queryKey: checkKeys.detail(name),
    queryFn: ({ signal }) => getJson<CheckDetail>(`/api/v1/checks/${enc(name)}`, signal),
    ...common,
  });
}

/** The newest `limit` results of a check, newest first. */
export function useCheckResults(name: string, limit: number) {
  return useQuery({
    queryKey: [...checkKeys.results(name), limit],
    queryFn: ({ signal }) =>
      getJson<CheckResultItem[]>(`/api/v1/checks/${enc(name)}/results?limit=${limit}`, signal),
    ...common,
    // Keep the old rows while a longer history loads instead of flashing empty.
    placeholderData: (prev) => prev,
  });
}

/** Daily pass/degraded/fail counts of the last `days` UTC days (only days with runs). */
export function useCheckUptime(name: string, days: number) {
  return useQuery({
    queryKey: checkKeys.uptime(name, days),
    queryFn: ({ signal }) => getJson<CheckDaily[]>(`/api/v1/checks/${enc(name)}/uptime?days=${days}`, signal),
    ...common,
  });
}

/** POST without a body (the server rejects an empty body sent as JSON), throwing `HttpError` like `getJson`. */
async function postEmpty<T>(path: string): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { accept: 'application/json', ...authHeaders() },
  });
  if (!res.ok) {
    let body: ApiError | undefined;
    try {
      body = (await res.json()) as ApiError;
    } catch {
      // Not JSON: the status line is all there is.
    }
    throw new HttpError(res.status, body?.message ?? `${res.status} ${res.statusText}`, body);
  }
  return (await res.json()) as T;
}

/** Puts a new result into every cached view of its check (history of any length, detail, list). */
function cacheResult(
  client: QueryClient,
  result: CheckResultItem,
  health?: CheckResultEvent['health'],
): void {
  for (const [key] of client.getQueriesData<CheckResultItem[]>({
    queryKey: checkKeys.results(result.check),
  })) {
    const limit = Number(key[2]);
    client.setQueryData<CheckResultItem[]>(key, (old) => (old ? addResult(old, result, limit) : old));
  }
  if (!health) return;
  client.setQueryData<CheckDetail>(checkKeys.detail(result.check), (old) =>
    old ? withResult(old, result, health) : old,
  );
  client.setQueryData<CheckSummary[]>(checkKeys.list, (old) =>
    old ? mergeResultIntoList(old, result, health) : old,
  );
}

/**
 * "Run now" (`POST /checks/{name}/run`, responder role). The answer is the
 * stored result; it is shown at once, and the health it changed is refetched
 * (the answer does not carry it; the event stream may bring it first).
 */
export function useRunCheck(name: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => postEmpty<CheckResultItem>(`/api/v1/checks/${enc(name)}/run`),
    onSuccess: (result) => {
      cacheResult(client, result);
      void client.invalidateQueries({ queryKey: checkKeys.detail(name) });
      void client.invalidateQueries({ queryKey: checkKeys.list });
    },
  });
}

function applyEvent(client: QueryClient, e: SseEvent): void {
  if (e.event !== 'check-result') return;
  const { result, health } = JSON.parse(e.data) as CheckResultEvent;
  cacheResult(client, result, health);
}

/** Follows the event stream while a checks page is open and merges new results into its queries. */
export function useChecksLive(): void {
  useEventStream(applyEvent);
}

/** The current time, renewed every `everyMs`, so "2m ago" keeps counting while nothing else changes. */
export function useNow(everyMs = 10_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
