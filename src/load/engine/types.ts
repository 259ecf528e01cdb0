/** Options and live status of `runLoad`. */
import type { SloDefinition } from '../../slo/index.ts';
import type { SecondSample } from '../types.ts';

/** What the terminal view and the server show each second. Latencies in ms. */
export interface LiveStatus {
  elapsedMs: number;
  targetRate: number;
  achievedRate: number;
  p50: number;
  p99: number;
  /** Failed requests so far. */
  errors: number;
  inFlight: number;
  dropped: number;
}

export interface RunOptions {
  /** Ctrl-C: the run stops within about a second and still returns its summary (`aborted: true`). */
  signal?: AbortSignal;
  /** Called once per completed second of the run, in order. */
  onSecond?: (s: SecondSample, live: LiveStatus) => void;
  /** SLOs that `slo:` thresholds refer to, by name. */
  slos?: Map<string, SloDefinition>;
  /** Directory that data files of variables are relative to (default: cwd). */
  baseDir?: string;
  /** Wall clock for `startedAt` (tests). */
  now?: () => number;
}
