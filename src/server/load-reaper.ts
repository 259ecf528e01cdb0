/**
 * Ends stored load runs whose generator went silent. A `ballast load run
 * --server` that is killed hard (SIGKILL, a lost machine) never posts its
 * summary, and its run would show as running forever; the CLI posts samples
 * every second, so a run with nothing new for a while is dead.
 */
import type { SecondSample } from '../load/types.ts';
import type { Store } from '../store/types.ts';

/** A running run with no new sample for this long is ended as failed. */
export const LOAD_RUN_SILENCE_MS = 120_000;

/** When the run last showed life: the end of its newest sample's second, or its start. */
export function lastActivityAt(startedAt: number, samples: readonly SecondSample[]): number {
  let newest = -1;
  for (const s of samples) if (s.t > newest) newest = s.t;
  return newest < 0 ? startedAt : startedAt + (newest + 1) * 1000;
}

/** Marks silent running runs failed; returns their ids. */
export async function reapSilentLoadRuns(
  store: Store,
  now: number,
  silenceMs: number = LOAD_RUN_SILENCE_MS,
): Promise<string[]> {
  const running = await store.listLoadRuns({ status: 'running', limit: 1000 });
  const reaped: string[] = [];
  for (const run of running) {
    const samples = await store.listLoadRunSeconds(run.id);
    if (now - lastActivityAt(run.startedAt, samples) <= silenceMs) continue;
    // Conditional on still running: a finish that arrived meanwhile wins.
    if (await store.finishLoadRun(run.id, { status: 'failed', finishedAt: now })) reaped.push(run.id);
  }
  return reaped;
}
