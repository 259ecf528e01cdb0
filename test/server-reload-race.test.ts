/**
 * An apply that changes what an SLO's counts mean empties the SLO in the
 * engine and warms it again from the store. Events ingested while that
 * warm-up reads the store must be counted exactly once: the engine must end
 * up where a fresh engine warmed from the store ends up.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SloEngine } from '../src/slo/index.ts';
import { loadSpecSources } from '../src/spec/index.ts';
import { DRIVERS, type Harness, SPEC_FILES, SPEC_SLO, startHarness } from './server-harness.ts';

const TIMESLICES_SLO = SPEC_SLO.replace(
  'budgetingMethod: Occurrences\n  objectives:\n    - target: 0.99\n',
  'budgetingMethod: Timeslices\n  objectives:\n    - target: 0.99\n      timeSliceTarget: 0.9\n      timeSliceWindow: 1m\n',
);

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Lets `n` rounds of I/O callbacks run, to start a write at a different point of a reload. */
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

describe.each(DRIVERS)('reload during ingestion (%s)', (driver) => {
  it('counts events that arrive during a warm-up exactly once, wherever they interleave', async () => {
    expect(TIMESLICES_SLO).not.toBe(SPEC_SLO);
    h = await startHarness(driver);
    const harness = h;
    const { store, engine, runtime } = harness.server;
    const now = harness.clock.now;
    const minute = Math.floor(now / 60_000) * 60_000;
    const buckets = (i: number) =>
      Array.from({ length: 20 }, (_, j) => ({
        minute: minute - (i * 20 + j) * 60_000,
        good: j % 7 === 0 ? 5 : 10,
        total: 10,
      }));
    const versions = [
      SPEC_FILES,
      SPEC_FILES.map((f) => (f.content === SPEC_SLO ? { ...f, content: TIMESLICES_SLO } : f)),
    ];
    expect((await harness.call('POST', '/api/v1/apply', { body: { documents: versions[0] } })).status).toBe(
      200,
    );
    await runtime.addBuckets('checkout-availability', buckets(0));

    for (let round = 1; round <= 8; round++) {
      // Flip what the counts mean, so the reload empties the SLO and warms it from the store.
      const bundle = loadSpecSources(versions[round % 2]!);
      await store.applyDocuments({
        documents: bundle.documents.map(({ apiVersion, kind, name, body }) => ({
          apiVersion,
          kind,
          name,
          body,
        })),
        services: bundle.services,
        slos: bundle.slos,
      });
      const reload = runtime.reload();
      await ticks(round - 1);
      await Promise.all([reload, runtime.addBuckets('checkout-availability', buckets(round))]);

      const def = runtime.definition('checkout-availability')!;
      const reference = new SloEngine();
      reference.setSlos([def]);
      const all = await store.readAllBuckets(now - reference.neededHistoryMs(), now + 3_600_000);
      reference.addBuckets('checkout-availability', all.get('checkout-availability') ?? []);
      const expected = reference.status('checkout-availability', now);
      const actual = engine.status('checkout-availability', now);
      expect(expected?.events.total).toBeGreaterThan(0);
      expect(actual?.events, `round ${round}`).toEqual(expected?.events);
      expect(actual?.sli, `round ${round}`).toEqual(expected?.sli);
    }
  });
});
