/**
 * Check results as SLI events: an SLO whose indicator names a check
 * (`metricSource: {type: BallastCheck, spec: {check: NAME}}`) counts every
 * result of that check. A ratio SLI counts a result good unless it failed (a
 * degraded result is slow but working); a threshold SLI judges the result's
 * duration. Results take the same path as pushed events, minus the HTTP body.
 */
import type { CheckResult } from '../checks/index.ts';
import { eventsToBuckets } from '../slo/index.ts';
import type { Store } from '../store/types.ts';
import type { SloRuntime } from './runtime.ts';

/** The `feedSli` function of the check monitor. */
export function checkSliFeeder(runtime: SloRuntime, store: Store): (result: CheckResult) => Promise<void> {
  return async (result) => {
    for (const def of runtime.definitions) {
      const source = def.indicator.source;
      if (source.kind !== 'check' || source.check !== result.check) continue;
      const event =
        def.indicator.type === 'threshold'
          ? { timestamp: result.startedAt, value: result.durationMs }
          : { timestamp: result.startedAt, success: result.status !== 'fail' };
      const { buckets, samples } = eventsToBuckets(def, [event]);
      if (samples.length > 0) await store.addSamples(def.name, samples);
      await runtime.addBuckets(def.name, buckets);
    }
  };
}
