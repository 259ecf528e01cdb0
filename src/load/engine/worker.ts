/**
 * Worker-thread entry: builds this worker's iteration source and generator,
 * reports `ready`, runs from the start instant the main thread sends, and
 * reports each second and the end. Loaded by file URL from `run.ts`; Node 24
 * runs it with type stripping, so it and its imports are erasable TypeScript.
 */

import { performance } from 'node:perf_hooks';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { Generator } from './generator.ts';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.ts';
import { createWorkerSource } from './source.ts';

if (!parentPort) throw new Error('worker.ts must run in a worker thread');
const port: MessagePort = parentPort;
const init = workerData as WorkerInit;
const post = (m: FromWorker): void => port.postMessage(m);

/** How long in-flight requests may take after the schedule ends before they count as timeouts. */
function drainMs(): number {
  return Math.min(init.plan.http.timeoutMs, 30_000) + 250;
}

async function main(): Promise<void> {
  const source = await createWorkerSource(init.plan, { index: init.index, count: init.count }, init.baseDir);
  const generator = new Generator({
    plan: init.plan,
    index: init.index,
    count: init.count,
    source,
    emit: (snapshot) => post({ type: 'second', snapshot }),
  });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') generator.stop(m.graceMs);
    else if (m.type === 'start') {
      const startMs = m.startEpochMs - performance.timeOrigin;
      generator.run(startMs, drainMs()).then(
        (forced) => {
          post({
            type: 'done',
            snapshots: [generator.finalSnapshot()],
            perRequest: generator.perRequest(),
            forced,
            endEpochMs: performance.timeOrigin + performance.now(),
          });
          port.close();
        },
        (err: unknown) => post({ type: 'error', message: String(err instanceof Error ? err.message : err) }),
      );
    }
  });
  post({ type: 'ready' });
}

main().catch((err: unknown) => {
  post({ type: 'error', message: String(err instanceof Error ? err.message : err) });
});
