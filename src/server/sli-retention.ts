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

export class SliPruner {
  readonly #opts: Required<SliPrunerOptions>;
  readonly #io: SliPrunerIo;
  readonly #job: PeriodicJob<number>;

  constructor(opts: SliPrunerOptions, io: SliPrunerIo) {
    this.#opts = { everyMs: 3_600_000, batch: 10_000, maxBatches: 10, ...opts };
    this.#io = io;
    this.#job = new PeriodicJob(
      () => this.#run(),
      this.#opts.everyMs,
      (err) => this.#io.log?.('error', 'pruning SLI data failed', err),
    );
  }

  /** Runs once soon, then every `everyMs`. */
  start(): void {
    this.#job.start();
  }

  /** One bounded run (a run still going is joined, not doubled); resolves with the rows deleted. */
  runOnce(): Promise<number> {
    return this.#job.runOnce();
  }

  stop(): Promise<void> {
    return this.#job.stop();
  }

  async #run(): Promise<number> {
    const now = this.#io.now();
    let total = 0;
    for (const def of this.#io.definitions()) {
      const before = sliCutoff(def, now, this.#opts.keepMs);
      for (let i = 0; i < this.#opts.maxBatches; i++) {
        const deleted = await this.#io.prune(def.name, before, this.#opts.batch);
        total += deleted;
        if (deleted < this.#opts.batch) break;
      }
    }
    if (total > 0) this.#io.log?.('info', `pruned ${total} SLI rows past retention`);
    return total;
  }
}
