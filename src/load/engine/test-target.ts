/**
 * Test helpers for the engine: a loopback HTTP target with a configurable
 * delay or a one-off stall, and a plan builder. Used only by tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutorSpec, LoadPlan } from '../types.ts';

export interface Target {
  url: string;
  /** Requests the target received. */
  received(): number;
  close(): Promise<void>;
}

export interface TargetBehaviour {
  /** Answer every request after this many ms. */
  delayMs?: number;
  /** Once the first request arrives, hold every answer from `stallAtMs` after it for `stallMs`. */
  stall?: { atMs: number; durationMs: number };
}

/** Starts a target on 127.0.0.1 on a free port. */
export async function startTarget(b: TargetBehaviour = {}): Promise<Target> {
  let count = 0;
  let first = 0;
  const server: Server = createServer((req, res) => {
    count += 1;
    const now = performance.now();
    if (first === 0) first = now;
    let wait = b.delayMs ?? 0;
    if (b.stall) {
      const from = first + b.stall.atMs;
      const to = from + b.stall.durationMs;
      // A stalled server answers nothing until the stall ends, then everything at once.
      if (now >= from && now < to) wait = Math.max(wait, to - now);
    }
    req.resume();
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    };
    if (wait > 0) setTimeout(answer, wait);
    else answer();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A plan against `url` with test-friendly defaults. */
export function planFor(url: string, executor: ExecutorSpec, over: Partial<LoadPlan> = {}): LoadPlan {
  return {
    name: 'test',
    executor,
    requests: [{ name: 'GET /', method: 'GET', url, headers: {}, weight: 1, checks: [], tags: {} }],
    variables: [],
    thresholds: [],
    http: { maxConnections: 200, pipelining: 1, timeoutMs: 5000, insecureSkipVerify: false, keepAlive: true },
    limits: { maxRatePerSecond: 5000, maxDurationMs: 600_000, maxVUs: 1000 },
    allowHosts: [],
    workers: 1,
    tags: {},
    ...over,
  };
}
