import { beforeAll, expect, it } from 'vitest';
import { forEachDriver } from '../../test/helpers/databases.ts';
import type { CheckResult } from '../checks/types.ts';
import { DAY_MS } from '../slo/model.ts';
import type { DrizzleStore } from './index.ts';

const NOW = Date.UTC(2026, 5, 1, 12);
const RETAIN_MS = 90 * DAY_MS;

function result(check: string, startedAt: number, artifacts?: CheckResult['artifacts']): CheckResult {
  return {
    check,
    service: 'svc',
    type: 'browser',
    location: 'local',
    startedAt,
    durationMs: 10,
    status: artifacts ? 'fail' : 'pass',
    conditions: [],
    phases: {},
    attempts: 1,
    ...(artifacts ? { artifacts } : {}),
  };
}

forEachDriver('store: check result retention', (h) => {
  let store: DrizzleStore;
  /** Every 10 days from 150 days ago to today; the 140-days-ago run failed with artifacts. */
  const daysAgo = Array.from({ length: 16 }, (_, i) => 150 - i * 10);
  beforeAll(async () => {
    store = await h.open(await h.freshDatabase());
    for (const d of daysAgo) {
      const artifacts =
        d === 140
          ? { screenshot: 'old.png', trace: 'old.trace.zip' }
          : d === 10
            ? { screenshot: 'new.png' }
            : undefined;
      await store.addCheckResult(result('web', NOW - d * DAY_MS, artifacts));
    }
    // A check that stopped running long ago: only old results.
    await store.addCheckResult(result('retired', NOW - 200 * DAY_MS));
    await store.addCheckResult(result('retired', NOW - 199 * DAY_MS));
  });

  it('deletes old results in bounded batches, keeping recent ones, each check newest and every daily count', async () => {
    const range = { fromDay: NOW - 400 * DAY_MS, toDay: NOW + DAY_MS };
    const dailyBefore = await store.listCheckDaily(range);
    const before = NOW - RETAIN_MS;
    const batches: number[] = [];
    const artifacts: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await store.pruneCheckResults(before, 2);
      batches.push(r.deleted);
      artifacts.push(...r.artifacts);
      if (r.deleted === 0) break;
    }
    const oldWeb = daysAgo.filter((d) => d * DAY_MS > RETAIN_MS).length;
    // No batch took more than it was allowed; all old ones went but the retired check's newest.
    expect(Math.max(...batches)).toBe(2);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(oldWeb + 1);
    expect(artifacts.sort()).toEqual(['old.png', 'old.trace.zip']);

    const web = await store.listCheckResults('web', { limit: 100 });
    expect(web.map((r) => Math.round((NOW - r.startedAt) / DAY_MS)).sort((a, b) => a - b)).toEqual(
      daysAgo.filter((d) => d * DAY_MS <= RETAIN_MS).sort((a, b) => a - b),
    );
    const retired = await store.listCheckResults('retired');
    expect(retired.map((r) => r.startedAt)).toEqual([NOW - 199 * DAY_MS]);
    expect((await store.latestCheckResults()).map((r) => r.check).sort()).toEqual(['retired', 'web']);
    expect(await store.listCheckDaily(range)).toEqual(dailyBefore);
  });

  it('says whether a stored result of the check names an artifact', async () => {
    expect(await store.checkHasArtifact('web', 'new.png')).toBe(true);
    expect(await store.checkHasArtifact('retired', 'new.png')).toBe(false);
    expect(await store.checkHasArtifact('web', 'old.png')).toBe(false);
    expect(await store.checkHasArtifact('web', "x' or '1'='1")).toBe(false);
  });
});
