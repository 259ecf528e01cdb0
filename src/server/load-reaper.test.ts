import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatencySummary, SecondSample } from '../load/types.ts';
import type { DrizzleStore } from '../store/index.ts';
import { openStore } from '../store/index.ts';
import { LOAD_RUN_SILENCE_MS, lastActivityAt, reapSilentLoadRuns } from './load-reaper.ts';

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);
const latency: LatencySummary = { p50: 1, p90: 2, p99: 3, p999: 4, max: 5, mean: 1.5 };

function second(t: number): SecondSample {
  return {
    t,
    targetRate: 10,
    achievedRate: 10,
    ok: 10,
    failed: 0,
    inFlight: 0,
    latency_ms: latency,
    service_time_ms: latency,
    lag_ms: 0,
  };
}

describe('lastActivityAt', () => {
  it.each([
    ['a run with no samples showed life at its start', [], T0],
    ['a run is alive until the end of its newest second', [0, 1, 2], T0 + 3000],
    ['samples out of order count by their newest second', [5, 2], T0 + 6000],
  ])('%s', (_name, seconds, expected) => {
    expect(lastActivityAt(T0, seconds.map(second))).toBe(expected);
  });
});

describe('reapSilentLoadRuns against a real store', () => {
  let store: DrizzleStore;
  beforeAll(async () => {
    store = await openStore({ inMemory: true });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('fails the runs whose generator went silent and leaves the live and the ended ones alone', async () => {
    const plan = { name: 'p' };
    await store.createLoadRun({ id: 'silent', name: 'silent', plan, startedAt: T0 });
    await store.addLoadRunSeconds('silent', [second(0), second(1)]);
    await store.createLoadRun({ id: 'never-sent', name: 'never-sent', plan, startedAt: T0 });
    await store.createLoadRun({ id: 'live', name: 'live', plan, startedAt: T0 });
    const liveSeconds = Array.from({ length: 200 }, (_, t) => second(t));
    await store.addLoadRunSeconds('live', liveSeconds);
    await store.createLoadRun({ id: 'done', name: 'done', plan, startedAt: T0 });
    await store.finishLoadRun('done', { status: 'finished', finishedAt: T0 + 5000 });

    // 200 s after the start: 'live' reported its 200th second, the others went quiet at 0–2 s.
    const now = T0 + 200_000;
    expect(now - (T0 + 2000)).toBeGreaterThan(LOAD_RUN_SILENCE_MS);
    const reaped = await reapSilentLoadRuns(store, now);

    expect(reaped.sort()).toEqual(['never-sent', 'silent']);
    expect((await store.getLoadRun('silent'))?.status).toBe('failed');
    expect((await store.getLoadRun('silent'))?.finishedAt).toBe(now);
    expect((await store.getLoadRun('live'))?.status).toBe('running');
    const done = await store.getLoadRun('done');
    expect(done?.status).toBe('finished');
    expect(done?.finishedAt).toBe(T0 + 5000);
  });

  it('does not let a late finish from the CLI overwrite a reaped run', async () => {
    await store.createLoadRun({ id: 'late', name: 'late', plan: {}, startedAt: T0 });
    expect(await reapSilentLoadRuns(store, T0 + 10 * LOAD_RUN_SILENCE_MS)).toContain('late');
    expect(await store.finishLoadRun('late', { status: 'finished', finishedAt: T0 })).toBeUndefined();
    expect((await store.getLoadRun('late'))?.status).toBe('failed');
  });
});
