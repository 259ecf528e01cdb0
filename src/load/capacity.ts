/**
 * Capacity at SLO: step or bisect the arrival rate until the latency or error
 * objective breaks, and report the highest rate that held. The search is pure
 * control logic over an injected `run` (the real engine in production, a
 * deterministic target model in unit tests).
 */
import type { SloDefinition } from '../slo/model.ts';
import type { LoadPlan, LoadSummary } from './types.ts';

/** What one run at a fixed rate needs from the engine (the shape of `runLoad`). */
export type RunLoadFn = (plan: LoadPlan, options?: { signal?: AbortSignal }) => Promise<LoadSummary>;

/** One rate tried by the search. */
export interface CapacityStep {
  /** Target arrival rate, requests/s. */
  rate: number;
  /** p99 latency (from intended start), ms. */
  p99: number;
  /** Latency at the judged percentile (p99 unless the SLO's objective says otherwise), ms. */
  latencyMs: number;
  /** Failed / total requests, 0..1. */
  errorRate: number;
  achievedRate: number;
  /** Latency and error objectives met AND the run was valid. */
  held: boolean;
  valid: boolean;
  /** Why the step did not hold (or was not valid). */
  reason?: string;
}

/** The objective a step must meet. */
export interface CapacityCriteria {
  /** Judged percentile of latency, in percent (99 = p99). */
  percentile: number;
  /** Latency bound at that percentile, ms; undefined = latency not judged. */
  latencyMs?: number;
  /** Highest failed/total ratio that still holds; undefined = errors not judged. */
  errorRate?: number;
}

export interface CapacityOptions {
  /** Base plan (requests, http options, limits); its executor is replaced by constant-arrival-rate steps. */
  plan: LoadPlan;
  /** Take the criteria from this SLO (objective → error budget and percentile; threshold SLI → latency bound). */
  slo?: SloDefinition;
  /** Latency bound at p99 (or at the SLO's percentile), ms; overrides the SLO's threshold. */
  latencyMs?: number;
  /** Highest error ratio (0..1); overrides the SLO's budget. */
  errorRate?: number;
  startRate: number;
  ceiling: number;
  stepDurationMs: number;
  mode: 'step' | 'bisect';
  /** Step mode: multiply by this each step (default 1.5). */
  stepFactor?: number;
  /** Step mode: add this many req/s each step instead of multiplying. */
  stepAdd?: number;
  /** Bisect mode: stop when the bracket is this narrow, req/s (default 5% of the first breached rate, ≥ 1). */
  precision?: number;
  run: RunLoadFn;
  onStep?: (s: CapacityStep) => void;
  signal?: AbortSignal;
}

export interface CapacityResult {
  /** Highest rate that held, req/s; null when even the first step broke. */
  capacity: number | null;
  steps: CapacityStep[];
  stoppedBy: 'breach' | 'ceiling' | 'invalid' | 'aborted';
  criteria: CapacityCriteria;
}

/**
 * Derives the criteria: explicit bounds win; otherwise a threshold SLI's
 * `value < N` (ms) is the latency bound at the objective's percentile, and
 * the error budget (1 − objective) bounds the error rate.
 */
export function capacityCriteria(
  opts: Pick<CapacityOptions, 'slo' | 'latencyMs' | 'errorRate'>,
): CapacityCriteria {
  const slo = opts.slo;
  const threshold = slo?.indicator.threshold;
  const sloLatency =
    slo?.indicator.type === 'threshold' && threshold && (threshold.op === 'lt' || threshold.op === 'lte')
      ? threshold.value
      : undefined;
  const percentile =
    slo && sloLatency !== undefined && opts.latencyMs === undefined ? slo.objective * 100 : 99;
  const criteria: CapacityCriteria = { percentile };
  const latencyMs = opts.latencyMs ?? sloLatency;
  if (latencyMs !== undefined) criteria.latencyMs = latencyMs;
  const errorRate = opts.errorRate ?? (slo ? 1 - slo.objective : undefined);
  if (errorRate !== undefined) criteria.errorRate = errorRate;
  return criteria;
}

/**
 * Latency at a percentile (0..100), interpolated linearly on the run's
 * spectrum (percentiles 0..100); falls back to the summary's keys.
 */
export function latencyAtPercentile(s: LoadSummary, percentile: number): number {
  const points = s.spectrum.length
    ? s.spectrum.map((p) => [p.percentile, p.latency_ms])
    : [
        [50, s.latency_ms.p50],
        [90, s.latency_ms.p90],
        [99, s.latency_ms.p99],
        [99.9, s.latency_ms.p999],
        [100, s.latency_ms.max],
      ];
  points.sort((a, b) => (a[0] as number) - (b[0] as number));
  let prev = points[0] as number[];
  if (percentile <= (prev[0] as number)) return prev[1] as number;
  for (const p of points) {
    const [q, v] = p as [number, number];
    if (q >= percentile) {
      const [q0, v0] = prev as [number, number];
      return q === q0 ? v : v0 + ((v - v0) * (percentile - q0)) / (q - q0);
    }
    prev = p;
  }
  return s.latency_ms.max;
}

/** Judges one run against the criteria. */
export function judgeStep(rate: number, s: LoadSummary, c: CapacityCriteria): CapacityStep {
  const errorRate = s.requests.total > 0 ? s.requests.failed / s.requests.total : 0;
  const latencyMs = c.percentile === 99 ? s.latency_ms.p99 : latencyAtPercentile(s, c.percentile);
  const step: CapacityStep = {
    rate,
    p99: s.latency_ms.p99,
    latencyMs,
    errorRate,
    achievedRate: s.rate.achieved,
    held: false,
    valid: s.valid,
  };
  const pLabel = `p(${Number(c.percentile.toFixed(3))})`;
  if (!s.valid) {
    step.reason = `run not valid: ${s.invalid_reasons.join('; ') || 'the generator fell behind'}`;
  } else if (s.requests.total === 0) {
    step.reason = 'no requests completed';
  } else if (c.latencyMs !== undefined && latencyMs > c.latencyMs) {
    step.reason = `${pLabel} ${latencyMs.toFixed(1)} ms > ${c.latencyMs} ms`;
  } else if (c.errorRate !== undefined && errorRate > c.errorRate) {
    step.reason = `error rate ${(errorRate * 100).toFixed(3)}% > ${(c.errorRate * 100).toFixed(3)}%`;
  } else {
    step.held = true;
  }
  return step;
}

/** The base plan turned into one constant-arrival-rate step, without the plan's own thresholds. */
export function stepPlan(base: LoadPlan, rate: number, durationMs: number): LoadPlan {
  return {
    ...base,
    name: `${base.name} @ ${Number(rate.toFixed(2))}/s`,
    executor: { executor: 'constant-arrival-rate', rate, timeUnitMs: 1000, durationMs },
    thresholds: [],
  };
}

function validate(o: CapacityOptions, c: CapacityCriteria): string | undefined {
  if (c.latencyMs === undefined && c.errorRate === undefined)
    return 'give an SLO or a latency/error-rate bound to judge each step by';
  if (!(o.startRate > 0)) return 'the start rate must be above 0';
  if (!(o.ceiling >= o.startRate)) return 'the ceiling must be at least the start rate';
  if (!(o.stepDurationMs > 0)) return 'the step duration must be above 0';
  if (o.stepFactor !== undefined && !(o.stepFactor > 1)) return 'the step factor must be above 1';
  if (o.stepAdd !== undefined && !(o.stepAdd > 0)) return 'the step increment must be above 0';
  if (o.precision !== undefined && !(o.precision > 0)) return 'the precision must be above 0';
  return undefined;
}

/**
 * Finds the highest arrival rate at which the objective holds. Step mode
 * raises the rate (×stepFactor or +stepAdd) until a breach or the ceiling;
 * bisect mode does the same to bracket the boundary, then halves the bracket
 * until it is narrower than `precision`. A step that is not valid stops the
 * search with `stoppedBy: 'invalid'`: the generator, not the target, was the limit.
 *
 * @example
 * const r = await findCapacity({ plan, latencyMs: 300, errorRate: 0.001, startRate: 50,
 *   ceiling: 2000, stepDurationMs: 10_000, mode: 'bisect', run: runLoad });
 */
export async function findCapacity(o: CapacityOptions): Promise<CapacityResult> {
  const criteria = capacityCriteria(o);
  const problem = validate(o, criteria);
  if (problem) throw new RangeError(problem);
  const steps: CapacityStep[] = [];
  const done = (capacity: number | null, stoppedBy: CapacityResult['stoppedBy']): CapacityResult => ({
    capacity,
    steps,
    stoppedBy,
    criteria,
  });
  const tryRate = async (rate: number): Promise<CapacityStep | 'aborted'> => {
    if (o.signal?.aborted) return 'aborted';
    const summary = await o.run(stepPlan(o.plan, rate, o.stepDurationMs), { signal: o.signal });
    if (o.signal?.aborted) return 'aborted';
    const step = judgeStep(rate, summary, criteria);
    steps.push(step);
    o.onStep?.(step);
    return step;
  };

  // Phase 1: climb until a breach, the ceiling, or an invalid step.
  let held: number | null = null;
  let breached: number | undefined;
  let rate = o.startRate;
  for (;;) {
    const step = await tryRate(rate);
    if (step === 'aborted') return done(held, 'aborted');
    if (!step.valid) return done(held, 'invalid');
    if (!step.held) {
      breached = rate;
      break;
    }
    held = rate;
    if (rate >= o.ceiling) return done(held, 'ceiling');
    rate = Math.min(o.ceiling, o.stepAdd !== undefined ? rate + o.stepAdd : rate * (o.stepFactor ?? 1.5));
  }
  if (o.mode === 'step') return done(held, 'breach');

  // Phase 2 (bisect): narrow [held, breached] until it is within the precision.
  const precision = o.precision ?? Math.max(1, breached * 0.05);
  let lo = held ?? 0;
  let hi = breached;
  while (hi - lo > precision) {
    const mid = (lo + hi) / 2;
    const step = await tryRate(mid);
    if (step === 'aborted') return done(held, 'aborted');
    if (!step.valid) return done(held, 'invalid');
    if (step.held) {
      lo = mid;
      held = mid;
    } else hi = mid;
  }
  return done(held, 'breach');
}
