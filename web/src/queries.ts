/**
 * react-query hooks for the API. Everything refetches every few seconds and
 * on live events, so the overview keeps up with the evaluator's ticks.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, isAuthError } from './api.ts';
import { historyWindow } from './chart-data.ts';
import { followEvents, type LiveState } from './sse.ts';

/** How often pages poll when the event stream is quiet. */
export const REFRESH_MS = 5_000;

const common = {
  refetchInterval: REFRESH_MS,
  // A 401 will not fix itself by retrying; the token form handles it.
  retry: (count: number, err: unknown) => !isAuthError(err) && count < 2,
};

export function useServices() {
  return useQuery({ queryKey: ['services'], queryFn: ({ signal }) => api.services(signal), ...common });
}

export function useSlo(name: string) {
  return useQuery({ queryKey: ['slo', name], queryFn: ({ signal }) => api.slo(name, signal), ...common });
}

export function useAlerts(name: string) {
  return useQuery({
    queryKey: ['alerts', name],
    queryFn: ({ signal }) => api.alerts(name, signal),
    ...common,
  });
}

/** Time ranges the detail page offers, in ms. */
export const RANGES = {
  '1h': 3_600_000,
  '6h': 21_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
  '30d': 2_592_000_000,
};
export type RangeKey = keyof typeof RANGES;

export function useHistory(name: string, rangeMs: number) {
  return useQuery({
    queryKey: ['history', name, rangeMs],
    queryFn: ({ signal }) => api.history(name, historyWindow(rangeMs, Date.now()), signal),
    ...common,
    // Keep the old chart while a new range loads instead of flashing empty.
    placeholderData: (prev) => prev,
  });
}

/** Follows the SSE stream and refreshes queries on `slo-status` and `alert` events. */
export function useLiveUpdates(): LiveState {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The evaluator emits one event per SLO per tick; refresh once per burst.
    const refresh = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void client.invalidateQueries();
      }, 1_000);
    };
    void followEvents(
      abort.signal,
      (e) => {
        if (e.event === 'slo-status' || e.event === 'alert') refresh();
      },
      setState,
    );
    return () => {
      abort.abort();
      if (timer) clearTimeout(timer);
    };
  }, [client]);
  return state;
}
