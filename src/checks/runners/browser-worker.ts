/**
 * The browser worker: a worker thread that runs browser checks for a
 * {@link BrowserHost}, connected to the Chromium server the host owns. It
 * holds no state worth keeping: if it dies (a script's own uncaught error,
 * a fault inside playwright-core's dispatch), the host starts another.
 */
import { parentPort } from 'node:worker_threads';
import { chromium } from 'playwright-core';
import { BrowserPool, runBrowserCheck } from './browser.ts';
import type { FromBrowserWorker, ToBrowserWorker } from './browser-host.ts';

/** How often the worker tells the host its event loop is turning. */
const HEARTBEAT_MS = 500;

const port = parentPort;
if (!port) throw new Error('browser-worker.ts runs as a worker thread of a BrowserHost');

let endpoint: string | undefined;
let pool: BrowserPool | undefined;
const runs = new Map<number, AbortController>();

const send = (m: FromBrowserWorker) => port.postMessage(m);

/** The pool connected to `wsEndpoint`; a new endpoint (the host relaunched Chromium) replaces the old pool. */
function poolFor(wsEndpoint: string): BrowserPool {
  if (pool && endpoint === wsEndpoint) return pool;
  const previous = pool;
  endpoint = wsEndpoint;
  pool = new BrowserPool({ open: () => chromium.connect(wsEndpoint) });
  void previous?.close().catch(() => {});
  return pool;
}

async function run(m: Extract<ToBrowserWorker, { type: 'run' }>): Promise<void> {
  const controller = new AbortController();
  runs.set(m.id, controller);
  try {
    const observation = await runBrowserCheck(
      m.spec,
      { timeoutMs: m.timeoutMs, signal: controller.signal, now: () => Date.now() + m.clockOffsetMs },
      { artifactsDir: m.artifactsDir, pool: poolFor(m.wsEndpoint), budgetMs: m.budgetMs },
    );
    send({ type: 'result', id: m.id, observation });
  } finally {
    runs.delete(m.id);
  }
}

async function close(): Promise<void> {
  for (const controller of runs.values()) controller.abort();
  await pool?.close().catch(() => {});
  send({ type: 'closed' });
}

const heartbeat = setInterval(() => send({ type: 'alive' }), HEARTBEAT_MS);

port.on('message', (m: ToBrowserWorker) => {
  if (m.type === 'run') void run(m);
  else if (m.type === 'abort') runs.get(m.id)?.abort();
  else if (m.type === 'close') {
    clearInterval(heartbeat);
    void close();
  }
});
send({ type: 'alive' });
