/**
 * The load-testing model: what a run is asked to do (a plan), what it
 * measures, and the stable summary it reports. Pure types; the spec loader
 * and the CLI's quick form both produce a `LoadPlan`, the engine consumes it.
 */

/** Open model: requests start on a schedule whatever the target does. Closed model: VUs loop. */
export type ExecutorSpec =
  | {
      executor: 'constant-arrival-rate';
      /** Iterations per `timeUnitMs` (k6: rate + timeUnit). */
      rate: number;
      timeUnitMs: number;
      durationMs: number;
    }
  | {
      executor: 'ramping-arrival-rate';
      startRate: number;
      timeUnitMs: number;
      /** Linear ramps: each stage goes from the previous target to `target` over `durationMs`. */
      stages: { durationMs: number; target: number }[];
    }
  | { executor: 'constant-vus'; vus: number; durationMs: number }
  | { executor: 'ramping-vus'; startVUs: number; stages: { durationMs: number; target: number }[] }
  | { executor: 'iterations'; vus: number; iterations: number; maxDurationMs: number };

export type ExecutorName = ExecutorSpec['executor'];

/** Where `${name}` placeholders in URLs, headers and bodies get their values. */
export type VariableSource =
  | { kind: 'csv'; name: string; file: string; order: 'sequential' | 'random' }
  | { kind: 'json'; name: string; file: string; order: 'sequential' | 'random' }
  | { kind: 'sequence'; name: string; start: number }
  | { kind: 'randomInt'; name: string; min: number; max: number }
  | { kind: 'uuid'; name: string };

/** A response check; a failed check counts the request as failed (kind `check`). */
export type ResponseCheck =
  | { kind: 'status'; in: number[] }
  | { kind: 'bodyContains'; text: string }
  | { kind: 'bodyMatches'; pattern: string }
  | { kind: 'header'; name: string; equals?: string; matches?: string }
  | { kind: 'maxLatencyMs'; value: number };

export interface RequestTemplate {
  /** Name used in reports (defaults to `METHOD path`). */
  name: string;
  method: string;
  /** Absolute http(s) URL, may contain `${var}` placeholders. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Relative share of iterations that pick this request (> 0). */
  weight: number;
  checks: ResponseCheck[];
  tags: Record<string, string>;
}

/** A k6-style threshold: `p(99) < 300ms`, `rate(failed) < 0.1%`, `rps > 900`, or an SLO bound. */
export type ThresholdSpec =
  | {
      kind: 'expr';
      expr: string;
      /** Stop the run as soon as it fails. */
      abortOnFail: boolean;
      /** Evaluate over the last `windowMs` instead of the whole run. */
      windowMs?: number;
      /** Don't judge (for abort) before this much of the run has passed. */
      delayAbortEvalMs?: number;
    }
  | {
      kind: 'slo';
      slo: string;
      /** Fail when the run's traffic burns the SLO's budget faster than this (default 1). */
      maxBurnRate: number;
      abortOnFail: boolean;
      windowMs?: number;
      delayAbortEvalMs?: number;
    };

export interface HttpOptions {
  /** Cap on open connections per worker (the connection limit a run can hit). */
  maxConnections: number;
  /** Requests in flight per connection (1 = no pipelining). */
  pipelining: number;
  timeoutMs: number;
  /** Skip TLS verification (self-signed test targets). */
  insecureSkipVerify: boolean;
  keepAlive: boolean;
}

export interface LoadLimits {
  /** Hard cap on the target arrival rate (requests/s); raise only explicitly. */
  maxRatePerSecond: number;
  /** Hard cap on the run's duration. */
  maxDurationMs: number;
  /** Hard cap on VUs for closed-model executors. */
  maxVUs: number;
}

export interface LoadPlan {
  name: string;
  /** The service under test (its spec may allow hosts besides loopback). */
  service?: string;
  executor: ExecutorSpec;
  requests: RequestTemplate[];
  variables: VariableSource[];
  thresholds: ThresholdSpec[];
  http: HttpOptions;
  limits: LoadLimits;
  /** Hosts allowed besides loopback (from the service spec and --allow-host). */
  allowHosts: string[];
  /** worker_threads to spread the load over (default: cores − 1, at least 1). */
  workers?: number;
  tags: Record<string, string>;
}

/** Why a request failed, counted per kind in the summary. */
export type ErrorKind =
  | 'connect_refused'
  | 'dns'
  | 'tls'
  | 'timeout'
  | 'reset'
  | 'closed_mid_response'
  | 'bad_response'
  | 'status'
  | 'check'
  | 'dropped'
  | 'other';

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** One second of the run (per-second time series in the summary). */
export interface SecondSample {
  /** Seconds since the run started. */
  t: number;
  targetRate: number;
  achievedRate: number;
  ok: number;
  failed: number;
  inFlight: number;
  latency_ms: LatencySummary;
  service_time_ms: LatencySummary;
  /** Worst schedule lag seen in this second, ms. */
  lag_ms: number;
}

/** The stable, documented summary (`--summary-json`). */
export interface LoadSummary {
  name: string;
  startedAt: string;
  durationMs: number;
  executor: ExecutorName;
  requests: { total: number; ok: number; failed: number };
  errors: Partial<Record<ErrorKind, number>>;
  rate: { target: number; achieved: number };
  latency_ms: LatencySummary;
  service_time_ms: LatencySummary;
  /** Iterations the schedule asked for that never started (generator could not keep up). */
  dropped: number;
  valid: boolean;
  invalid_reasons: string[];
  thresholds: { expr: string; ok: boolean; value?: number; abortedRun?: boolean }[];
  /** True when a threshold with abortOnFail, or Ctrl-C, stopped the run early. */
  aborted: boolean;
  abortReason?: string;
  perRequest: Record<string, { total: number; failed: number; latency_ms: LatencySummary }>;
  series: SecondSample[];
  /** Percentile spectrum of latency (as HdrHistogram plots it): [percentile, ms]. */
  spectrum: { percentile: number; latency_ms: number }[];
}
