/**
 * Hosts one generator behind a message channel: builds the iteration source
 * and generator, reports `ready`, runs from the start instant it is sent,
 * and reports each second and the end. The same code serves a worker thread
 * (`worker.ts`, channel = parentPort) and the main thread (`inline.ts`, for
 * one-worker runs), so both run one code path.
 */
import { performance } from 'node:perf_hooks';
import { Generator } from './generator.ts';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.ts';
import { createWorkerSource } from './source.ts';

/** The generator's side of the channel to the run. */
export interface HostChannel {
  post(m: FromWorker): void;
  onMessage(handler: (m: ToWorker) => void): void;
  /** Called once after `done` was posted: the host has nothing more to say. */
  close(): void;
}

/** Runs the share described by `init`, talking over `ch`. Never rejects: errors are posted. */
export async function hostGenerator(init: WorkerInit, ch: HostChannel): Promise<void> {
  const fail = (err: unknown): void =>
    ch.post({ type: 'error', message: String(err instanceof Error ? err.message : err) });
  try {
    const source = await createWorkerSource(
      init.plan,
      { index: init.index, count: init.count },
      init.baseDir,
    );
    const generator = new Generator({
      plan: init.plan,
      index: init.index,
      count: init.count,
      source,
      emit: (snapshot) => ch.post({ type: 'second', snapshot }),
    });
    // In-flight requests may take this long after the schedule ends before they count as timeouts.
    const drainMs = Math.min(init.plan.http.timeoutMs, 30_000) + 250;
    ch.onMessage((m) => {
      if (m.type === 'stop') generator.stop(m.graceMs);
      else if (m.type === 'start') {
        generator.run(m.startEpochMs - performance.timeOrigin, drainMs).then((forced) => {
          ch.post({
            type: 'done',
            snapshots: [generator.finalSnapshot()],
            perRequest: generator.perRequest(),
            forced,
            endEpochMs: performance.timeOrigin + performance.now(),
          });
          ch.close();
        }, fail);
      }
    });
    ch.post({ type: 'ready' });
  } catch (err) {
    fail(err);
  }
}
