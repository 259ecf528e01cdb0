/**
 * SLI retention on a real server (PGlite and PostgreSQL): buckets past the
 * retention go, an SLO's own window is kept whatever the retention says, and
 * the SLO's status does not move.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../src/slo/model.ts';
import { applyFixtures, DRIVERS, type Harness, startHarness } from './server-harness.ts';

const SLO = 'checkout-availability';
const DAY = 86_400_000;

describe.each(DRIVERS)('SLI retention on %s', (driver) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** Buckets at these ages (days before the harness clock), one minute each. */
  async function seed(server: Harness, ages: number[]): Promise<number[]> {
    const minutes = ages.map((d) => Math.floor((server.clock.now - d * DAY) / MINUTE_MS) * MINUTE_MS);
    await server.server.store.addBuckets(
      SLO,
      minutes.map((minute) => ({ minute, good: 99, total: 100 })),
    );
    return minutes;
  }

  const ages = async (server: Harness) =>
    (await server.server.store.readBuckets(SLO, 0, server.clock.now + DAY)).map((b) =>
      Math.round((server.clock.now - b.minute) / DAY),
    );

  it('keeps 400 days by default and deletes what is older', async () => {
    h = await startHarness(driver, { sliPruning: false });
    await applyFixtures(h);
    await seed(h, [900, 500, 401, 399, 100, 10, 1]);
    const deleted = await h.server.sliPruner.runOnce();
    expect(deleted).toBe(3);
    expect(await ages(h)).toEqual([399, 100, 10, 1]);
    // Nothing more to do: a second run deletes nothing.
    expect(await h.server.sliPruner.runOnce()).toBe(0);
  });

  it('deletes the oldest first, at most the batch size of buckets and of samples at a time', async () => {
    h = await startHarness(driver, { sliPruning: false });
    const minutes = await seed(h, [9, 8, 7, 6]);
    await h.server.store.addSamples(
      SLO,
      minutes.map((timestamp, i) => ({ timestamp, value: i })),
    );
    const cutoff = h.clock.now - 5 * DAY;
    expect(await h.server.store.pruneSliData(SLO, cutoff, 3)).toBe(6);
    expect(await ages(h)).toEqual([6]);
    expect((await h.server.store.readSamples(SLO, 0, h.clock.now)).map((s) => s.value)).toEqual([3]);
    expect(await h.server.store.pruneSliData(SLO, cutoff, 3)).toBe(2);
    expect(await h.server.store.pruneSliData(SLO, cutoff, 3)).toBe(0);
  });

  it("never cuts into an SLO's window: a 1-day retention keeps the 30-day window and a day", async () => {
    h = await startHarness(driver, { sliPruning: false, sliRetentionMs: DAY });
    await applyFixtures(h);
    await seed(h, [45, 32, 30, 10, 1]);
    await h.server.runtime.evaluate();
    const before = (await h.call('GET', `/api/v1/slos/${SLO}`)).json.summary.status;
    expect(await h.server.sliPruner.runOnce()).toBe(2);
    expect(await ages(h)).toEqual([30, 10, 1]);
    await h.server.runtime.evaluate();
    const after = (await h.call('GET', `/api/v1/slos/${SLO}`)).json.summary.status;
    expect(after.sli).toBe(before.sli);
    expect(after.events).toEqual(before.events);
  });
});
