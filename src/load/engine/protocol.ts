/**
 * Messages between the run (main thread) and its worker threads. Plain
 * structured-clone data: histograms travel as compressed base64 strings so
 * the main thread can merge them exactly.
 */
import type { ErrorKind, LoadPlan } from '../types.ts';

/** What a worker gets at construction (`workerData`). */
export interface WorkerInit {
  plan: LoadPlan;
  /** This worker's index and the number of workers sharing the plan. */
  index: number;
  count: number;
  baseDir: string;
}

/** Main → worker. `start` carries the run's start as epoch ms (high resolution). */
export type ToWorker = { type: 'start'; startEpochMs: number } | { type: 'stop'; graceMs: number };

/** One second of one worker's measurements. */
export interface Snapshot {
  /** Index of the second since the run started. */
  second: number;
  /** Iterations started in this second. */
  started: number;
  ok: number;
  failed: number;
  errors: Partial<Record<ErrorKind, number>>;
  dropped: number;
  /** Encoded histograms (µs) of the requests completed in this second. */
  latency: string;
  service: string;
  /** Encoded histogram (µs) of schedule lag of the iterations started in this second. */
  lag: string;
  maxLagMs: number;
  inFlight: number;
  /** Event-loop delay p99 in this second, ms. */
  eventLoopDelayP99Ms: number;
  /** Event-loop utilisation in this second (0..1): near 1 means the thread was never idle. */
  elu: number;
  /** The connection cap was reached while requests waited in the pool's queue. */
  capHit: boolean;
  /** Most requests waiting in the pool's queue at once. */
  maxQueued: number;
}

/** Per-request-name totals of one worker. */
export interface RequestStats {
  total: number;
  failed: number;
  latency: string;
}

/** Worker → main. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'second'; snapshot: Snapshot }
  | {
      type: 'done';
      /** Snapshots not sent yet (the last, partial second). */
      snapshots: Snapshot[];
      perRequest: Record<string, RequestStats>;
      /** Requests still pending at the hard stop, counted as `timeout`. */
      forced: number;
      endEpochMs: number;
    }
  | { type: 'error'; message: string };
