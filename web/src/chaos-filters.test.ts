import { describe, expect, it } from 'vitest';
import {
  applyRunToList,
  chaosFiltersFromParams,
  chaosParamsFromFilters,
  chaosRunsPath,
  hasChaosFilters,
  matchesChaosFilters,
} from './chaos-filters.ts';

const run = (id: string, startedAt: number, status: string, service = 'checkout') => ({
  id,
  startedAt,
  status,
  service,
});

describe('chaos list filters', () => {
  it.each([
    ['', {}],
    ['status=held', { status: 'held' }],
    ['status=precondition_failed&service=checkout', { status: 'precondition_failed', service: 'checkout' }],
    ['status=bogus&service=payments', { service: 'payments' }],
    ['service=', {}],
  ])('reads "%s" from the query string', (query, filters) => {
    expect(chaosFiltersFromParams(new URLSearchParams(query))).toEqual(filters);
  });

  it('writes the filters back, and the API path carries them with the limit', () => {
    expect(chaosParamsFromFilters({ status: 'lost', service: 'a b' }).toString()).toBe(
      'status=lost&service=a+b',
    );
    expect(chaosParamsFromFilters({}).toString()).toBe('');
    expect(chaosRunsPath({ status: 'running' }, 200)).toBe('/api/v1/chaos/runs?status=running&limit=200');
    expect(chaosRunsPath({}, 50)).toBe('/api/v1/chaos/runs?limit=50');
  });

  it.each([
    [{}, true],
    [{ status: 'held' as const }, true],
    [{ status: 'running' as const }, false],
    [{ service: 'checkout' }, true],
    [{ service: 'payments' }, false],
    [{ status: 'held' as const, service: 'payments' }, false],
  ])('matches a held checkout run against %j: %s', (filters, expected) => {
    expect(matchesChaosFilters(run('r', 1, 'held'), filters)).toBe(expected);
    expect(hasChaosFilters(filters)).toBe(Object.keys(filters).length > 0);
  });

  it('keeps a run in a list while it matches, newest first, and drops it once it does not', () => {
    const list = [run('b', 20, 'running'), run('a', 10, 'running')];
    const running = { status: 'running' as const };
    expect(applyRunToList(list, run('c', 30, 'running'), running, 10).map((r) => r.id)).toEqual([
      'c',
      'b',
      'a',
    ]);
    // b ended: a "running" list loses it, an unfiltered one keeps it with the new status.
    expect(applyRunToList(list, run('b', 20, 'held'), running, 10).map((r) => r.id)).toEqual(['a']);
    expect(applyRunToList(list, run('b', 20, 'held'), {}, 10).map((r) => [r.id, r.status])).toEqual([
      ['b', 'held'],
      ['a', 'running'],
    ]);
    // A run of another service never enters a list filtered by service.
    expect(applyRunToList(list, run('d', 40, 'running', 'payments'), { service: 'checkout' }, 10)).toEqual(
      list,
    );
    expect(applyRunToList(list, run('e', 50, 'running'), {}, 2).map((r) => r.id)).toEqual(['e', 'b']);
  });
});
