/**
 * Worker-thread entry: hosts one generator over `parentPort`. Loaded by file
 * URL from `run.ts`; Node 24 runs it with type stripping, so it and its
 * imports are erasable TypeScript.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { hostGenerator } from './host.ts';
import type { ToWorker, WorkerInit } from './protocol.ts';

if (!parentPort) throw new Error('worker.ts must run in a worker thread');
const port: MessagePort = parentPort;

void hostGenerator(workerData as WorkerInit, {
  post: (m) => port.postMessage(m),
  onMessage: (handler) => port.on('message', (m: ToWorker) => handler(m)),
  close: () => port.close(),
});
