/**
 * Retention of SLI data: per-minute buckets and threshold samples older than
 * the retention period are deleted, SLO by SLO, in bounded batches. An SLO
 * keeps at least what its own window and alert windows read (plus a day), so
 * a short retention never changes a status. Without this, buckets grow by
 * 1,440 rows per SLO per day for good.
 */
import { PeriodicJob } from '../periodic.ts';
import type { SloDefinition } from '../slo/index.ts';
import { MINUTE_MS } from '../slo/model.ts';
import { retainedMs } from './ingest-validate.ts';

const DAY_MS = 86_400_000;

/** 400 days: a calendar-year SLO and a year-on-year chart still find their minutes. */
export const DEFAULT_SLI_RETENTION_MS = 400 * DAY_MS;

/** The oldest minute `def` keeps at `now`: data before it goes. */
export function sliCutoff(def: SloDefinition, now: number, keepMs: number): number {
  const keep = Math.max(keepMs, retainedMs(def) + DAY_MS);
  return Math.floor((now - keep) / MINUTE_MS) * MINUTE_MS;
}

export interface SliPrunerOptions {
  keepMs: number;
  /** How often a run happens (default 1 h). */
  everyMs?: number;
  /** Rows per delete (default 10,000). */
  batch?: number;
  /** Deletes per SLO per run at most (default 10); the rest waits for the next run. */
  maxBatches?: number;
}

export interface SliPrunerIo {
  definitions: () => SloDefinition[];
  prune: (slo: string, before: number, limit: number) => Promise<number>;
  now: () => number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, err?: unknown) => void;
}

/** The SLI retention job: one bounded run soon after `start()`, then every `everyMs`. */
export type SliPruner = PeriodicJob<number>;

export function createSliPruner(opts: SliPrunerOptions, io: SliPrunerIo): SliPruner {
  const o: Required<SliPrunerOptions> = { everyMs: 3_600_000, batch: 10_000, maxBatches: 10, ...opts };
  const run = async () => {
    const now = io.now();
    let total = 0;
    for (const def of io.definitions()) {
      const before = sliCutoff(def, now, o.keepMs);
      for (let i = 0; i < o.maxBatches; i++) {
        const deleted = await io.prune(def.name, before, o.batch);
        total += deleted;
        if (deleted < o.batch) break;
      }
    }
    if (total > 0) io.log?.('info', `pruned ${total} SLI rows past retention`);
    return total;
  };
  return new PeriodicJob(run, o.everyMs, (err) => io.log?.('error', 'pruning SLI data failed', err));
}
