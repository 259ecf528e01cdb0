/**
 * Evaluates thresholds over the engine's measurements. Pure: the engine hands
 * in a `MetricsView` (whole run, or a sliding window) and gets verdicts back.
 */
import type { SloDefinition } from '../../slo/index.ts';
import type { ErrorKind, ThresholdSpec } from '../types.ts';
import { type ParsedThreshold, parseThreshold, type ThresholdOp } from './parse.ts';

/** The numbers a threshold can ask of a run (or of a window of it). Latencies in ms. */
export interface MetricsView {
  /** Length of the span this view covers (the whole run so far, or the window). */
  durationMs: number;
  total: number;
  ok: number;
  failed: number;
  errors: Partial<Record<ErrorKind, number>>;
  rps: number;
  /** Latency from the intended send time (coordinated-omission corrected). */
  latencyPercentile(p: number): number;
  /** Service time, from the actual send. */
  serviceTimePercentile(p: number): number;
  latencyMean(): number;
  latencyMax(): number;
  /** Requests whose latency was above `ms`. */
  countLatencyAbove(ms: number): number;
}

export interface ThresholdResult {
  expr: string;
  ok: boolean;
  /** The measured value (ms, ratio, count, req/s, or the burn rate for `slo:`); absent without data. */
  value?: number;
  /** True when the threshold failed, has `abortOnFail` and its `delayAbortEval` has passed. */
  abort: boolean;
}

/** How an `slo:` threshold is shown in results. */
export function sloThresholdExpr(slo: string, maxBurnRate: number): string {
  return `slo(${slo}) burn <= ${maxBurnRate}`;
}

const parsedCache = new Map<string, ParsedThreshold | undefined>();

function parsed(expr: string): ParsedThreshold | undefined {
  if (!parsedCache.has(expr)) {
    const r = parseThreshold(expr);
    parsedCache.set(expr, r.ok ? r.threshold : undefined);
  }
  return parsedCache.get(expr);
}

/**
 * Judges every threshold. `view(windowMs)` gives the last `windowMs` of the
 * run, `view()` the whole run so far (its `durationMs` is the elapsed time that
 * `delayAbortEval` is compared with). Latency and rate thresholds pass while
 * there is no data at all (nothing measured cannot break a bound); counts and
 * rps are judged on zero.
 */
export function evaluateThresholds(
  specs: ThresholdSpec[],
  view: (windowMs?: number) => MetricsView,
  slos: Map<string, SloDefinition>,
): ThresholdResult[] {
  const whole = view();
  return specs.map((spec) => {
    const v = spec.windowMs === undefined ? whole : view(spec.windowMs);
    const verdict =
      spec.kind === 'expr'
        ? { expr: spec.expr, ...judgeExpr(spec.expr, v) }
        : {
            expr: sloThresholdExpr(spec.slo, spec.maxBurnRate),
            ...judgeSlo(spec.slo, spec.maxBurnRate, v, slos),
          };
    const abort = !verdict.ok && spec.abortOnFail && whole.durationMs >= (spec.delayAbortEvalMs ?? 0);
    return { ...verdict, abort };
  });
}

function judgeExpr(expr: string, v: MetricsView): { ok: boolean; value?: number } {
  const t = parsed(expr);
  if (!t) return { ok: false };
  const value = measure(t, v);
  if (value === undefined) return { ok: true };
  return { ok: compare(value, t.op, t.value), value };
}

function measure(t: ParsedThreshold, v: MetricsView): number | undefined {
  const m = t.metric;
  switch (m.kind) {
    case 'count':
      return m.of === 'failed' ? v.failed : m.of === 'ok' ? v.ok : v.total;
    case 'rps':
      return v.rps;
  }
  if (v.total === 0) return undefined;
  switch (m.kind) {
    case 'latency_p':
      return v.latencyPercentile(m.percentile);
    case 'service_p':
      return v.serviceTimePercentile(m.percentile);
    case 'avg':
      return v.latencyMean();
    case 'max':
      return v.latencyMax();
    case 'rate':
      return (m.of === 'failed' ? v.failed : v.ok) / v.total;
  }
}

function compare(a: number, op: ThresholdOp, b: number): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}

/**
 * The run's burn rate against an SLO: bad / total over the error budget
 * (1 − objective). Bad = failed requests plus, for a latency (threshold) SLI,
 * requests slower than the SLI's threshold, capped at total.
 */
export function sloBurnRate(slo: SloDefinition, v: MetricsView): number | undefined {
  if (v.total === 0) return undefined;
  let bad = v.failed;
  const th = slo.indicator.threshold;
  if (slo.indicator.type === 'threshold' && th && (th.op === 'lt' || th.op === 'lte')) {
    bad += v.countLatencyAbove(th.value);
  }
  const ratio = Math.min(bad, v.total) / v.total;
  return ratio / (1 - slo.objective);
}

function judgeSlo(
  name: string,
  maxBurnRate: number,
  v: MetricsView,
  slos: Map<string, SloDefinition>,
): { ok: boolean; value?: number } {
  const slo = slos.get(name);
  if (!slo) return { ok: false };
  const burn = sloBurnRate(slo, v);
  if (burn === undefined) return { ok: true };
  // 1 − 0.9 is 0.09999…98 in floating point: a run burning exactly at the limit must pass.
  return { ok: burn <= maxBurnRate * (1 + 1e-9), value: burn };
}
