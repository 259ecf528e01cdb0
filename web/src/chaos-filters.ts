/**
 * Filters of the chaos runs list, kept in the page's query string: a status and
 * a service. The server filters (`GET /api/v1/chaos/runs?status=&service=`); the
 * live feed puts a changed run into each cached list only while it still matches
 * that list's filters, so a run that ends leaves a "running" list at once.
 */
import { CHAOS_RUN_STATUSES } from '../../src/server/chaos-statuses.ts';
import type { ChaosRun } from '../../src/server/schemas-chaos.ts';
import { upsertRun } from './chaos-data.ts';

export type ChaosStatus = (typeof CHAOS_RUN_STATUSES)[number];
export const CHAOS_STATUSES: readonly ChaosStatus[] = CHAOS_RUN_STATUSES;

export interface ChaosFilters {
  status?: ChaosStatus;
  service?: string;
}

/** The filters of a query string; an unknown status is no filter. */
export function chaosFiltersFromParams(params: URLSearchParams): ChaosFilters {
  const status = params.get('status');
  const service = params.get('service');
  return {
    ...(CHAOS_STATUSES.includes(status as ChaosStatus) ? { status: status as ChaosStatus } : {}),
    ...(service ? { service } : {}),
  };
}

/** The query string of the filters (empty for none), for the page URL and the API alike. */
export function chaosParamsFromFilters(filters: ChaosFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status) params.set('status', filters.status);
  if (filters.service) params.set('service', filters.service);
  return params;
}

/** `GET /api/v1/chaos/runs` for the filters. */
export function chaosRunsPath(filters: ChaosFilters, limit: number): string {
  const params = chaosParamsFromFilters(filters);
  params.set('limit', String(limit));
  return `/api/v1/chaos/runs?${params}`;
}

export function matchesChaosFilters(
  run: Pick<ChaosRun, 'status' | 'service'>,
  filters: ChaosFilters,
): boolean {
  return (
    (filters.status === undefined || run.status === filters.status) &&
    (filters.service === undefined || run.service === filters.service)
  );
}

/** A list after a run changed: the run in it (newest first) while it matches, out of it once it does not. */
export function applyRunToList<R extends Pick<ChaosRun, 'id' | 'startedAt' | 'status' | 'service'>>(
  runs: readonly R[],
  run: R,
  filters: ChaosFilters,
  limit: number,
): R[] {
  if (matchesChaosFilters(run, filters)) return upsertRun(runs, run, limit);
  return runs.some((r) => r.id === run.id) ? runs.filter((r) => r.id !== run.id) : [...runs];
}

export function hasChaosFilters(filters: ChaosFilters): boolean {
  return filters.status !== undefined || filters.service !== undefined;
}
