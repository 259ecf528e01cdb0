/**
 * Periodic pruning of raw check results older than the retention period,
 * bounded per run so a backlog (a first run on a big database) is worked off
 * over several runs instead of holding the database in one long delete.
 * Daily counts and each check's newest result are the store's to keep; the
 * screenshots and traces of deleted results are removed here.
 */
import { unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PeriodicJob } from '../periodic.ts';

/** 90 days: the status page's horizon, so a result behind any bar it shows can still be looked up. */
export const DEFAULT_RESULT_RETENTION_MS = 90 * 86_400_000;

export interface RetentionOptions {
  /** Results that started longer ago than this are deleted. */
  keepMs: number;
  /** How often a run happens (default 10 min). */
  everyMs?: number;
  /** Rows per delete (default 5,000). */
  batch?: number;
  /** Deletes per run at most (default 10). */
  maxBatches?: number;
}

export interface PrunerIo {
  prune(before: number, limit: number): Promise<{ deleted: number; artifacts: string[] }>;
  artifactsDir: string;
  now: () => number;
  log?: (level: 'info' | 'warn' | 'error', msg: string, err?: unknown) => void;
}

/** The check-result retention job: one bounded run soon after `start()`, then every `everyMs`. */
export type ResultPruner = PeriodicJob<number>;

export function createResultPruner(opts: RetentionOptions, io: PrunerIo): ResultPruner {
  const o: Required<RetentionOptions> = { everyMs: 600_000, batch: 5_000, maxBatches: 10, ...opts };
  const remove = async (file: string) => {
    // Names come from stored results: only a plain file name inside the directory is ever removed.
    if (basename(file) !== file) return;
    await unlink(join(io.artifactsDir, file)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') io.log?.('warn', `could not remove artifact ${file}`, err);
    });
  };
  const run = async () => {
    const before = io.now() - o.keepMs;
    let total = 0;
    for (let i = 0; i < o.maxBatches; i++) {
      const { deleted, artifacts } = await io.prune(before, o.batch);
      total += deleted;
      await Promise.all(artifacts.map(remove));
      if (deleted < o.batch) break;
    }
    if (total > 0)
      io.log?.('info', `pruned ${total} check results older than ${new Date(before).toISOString()}`);
    return total;
  };
  return new PeriodicJob(run, o.everyMs, (err) => io.log?.('error', 'pruning check results failed', err));
}
