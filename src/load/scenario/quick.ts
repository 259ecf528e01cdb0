/**
 * The CLI's quick form: `ballast load run --url URL --rate 100 --duration 30s`
 * → a `LoadPlan`. Every error names the flag to fix.
 */
import { parseDuration } from '../../spec/index.ts';
import { checkLimits, DEFAULT_LIMITS } from '../safety.ts';
import { parseThreshold } from '../thresholds/index.ts';
import type { ExecutorSpec, LoadPlan, ThresholdSpec } from '../types.ts';
import { DEFAULT_HTTP, defaultRequestName } from './map.ts';

/** Flags as commander hands them over (strings), or typed values. */
export interface QuickFlags {
  url: string;
  method?: string;
  /** `-H 'name: value'`, repeatable. */
  header?: string[];
  body?: string;
  rate?: number | string;
  vus?: number | string;
  duration?: string;
  iterations?: number | string;
  maxConnections?: number | string;
  pipelining?: number | string;
  timeout?: string;
  insecure?: boolean;
  threshold?: string[];
  allowHost?: string[];
  maxRate?: number | string;
  maxDuration?: string;
  maxVus?: number | string;
  workers?: number | string;
  name?: string;
}

/** With `--rate` but no `--duration`. */
export const QUICK_DEFAULT_DURATION_MS = 10_000;

/**
 * Builds a plan from flags: `--rate N [--duration D]` is constant-arrival-rate
 * (per second), `--vus N --duration D` constant-vus, `--iterations N [--vus N]`
 * the iterations executor (`--duration` is then its maxDuration).
 */
export function quickPlan(flags: QuickFlags): { plan?: LoadPlan; errors: string[] } {
  const errors: string[] = [];
  const num = (flag: string, v: number | string | undefined, opts: { int?: boolean; min?: number } = {}) => {
    if (v === undefined) return undefined;
    const n = typeof v === 'number' ? v : Number(v.trim() === '' ? Number.NaN : v);
    const min = opts.min ?? Number.MIN_VALUE;
    if (!Number.isFinite(n) || n < min || (opts.int && !Number.isInteger(n))) {
      errors.push(
        `${flag}: expected ${opts.int ? 'a whole number' : 'a number'} ${min === Number.MIN_VALUE ? 'greater than 0' : `of at least ${min}`}, got ${JSON.stringify(String(v))}`,
      );
      return undefined;
    }
    return n;
  };
  const dur = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const d = parseDuration(v);
    if (d === undefined || d <= 0)
      errors.push(`${flag}: expected a duration such as 30s or 5m, got ${JSON.stringify(v)}`);
    return d;
  };
  const url = checkUrl(flags.url, errors);
  const method = (flags.method ?? 'GET').toUpperCase();
  if (!/^[A-Z]+$/.test(method))
    errors.push(`--method: expected an HTTP method such as GET or POST, got ${JSON.stringify(flags.method)}`);
  const headers = parseHeaders(flags.header ?? [], errors);
  const executor = quickExecutor(flags, num, dur, errors);
  const thresholds = quickThresholds(flags.threshold ?? [], errors);
  const http = {
    maxConnections:
      num('--max-connections', flags.maxConnections, { int: true, min: 1 }) ?? DEFAULT_HTTP.maxConnections,
    pipelining: num('--pipelining', flags.pipelining, { int: true, min: 1 }) ?? DEFAULT_HTTP.pipelining,
    timeoutMs: dur('--timeout', flags.timeout) ?? DEFAULT_HTTP.timeoutMs,
    insecureSkipVerify: flags.insecure ?? false,
    keepAlive: true,
  };
  const limits = {
    maxRatePerSecond: num('--max-rate', flags.maxRate) ?? DEFAULT_LIMITS.maxRatePerSecond,
    maxDurationMs: dur('--max-duration', flags.maxDuration) ?? DEFAULT_LIMITS.maxDurationMs,
    maxVUs: num('--max-vus', flags.maxVus, { int: true, min: 1 }) ?? DEFAULT_LIMITS.maxVUs,
  };
  const workers = num('--workers', flags.workers, { int: true, min: 1 });
  if (errors.length > 0 || !executor || !url) return { errors };
  const plan: LoadPlan = {
    name: flags.name ?? 'quick',
    executor,
    requests: [
      {
        name: defaultRequestName(method, url),
        method,
        url,
        headers,
        ...(flags.body !== undefined ? { body: flags.body } : {}),
        weight: 1,
        checks: [],
        tags: {},
      },
    ],
    variables: [],
    thresholds,
    http,
    limits,
    allowHosts: flags.allowHost ?? [],
    ...(workers !== undefined ? { workers } : {}),
    tags: {},
  };
  // Flags declare no variables, so a `${x}` in the URL or body is sent as written.
  const capErrors = checkLimits(plan);
  return capErrors.length > 0 ? { errors: capErrors } : { plan, errors: [] };
}

function checkUrl(url: string, errors: string[]): string | undefined {
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    errors.push(`--url: expected an absolute http:// or https:// URL, got ${JSON.stringify(url)}`);
    return undefined;
  }
  return url;
}

function parseHeaders(list: string[], errors: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    const name = i > 0 ? h.slice(0, i).trim() : '';
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) || /[\r\n]/.test(h)) {
      errors.push(`--header: expected 'name: value', got ${JSON.stringify(h)}`);
      continue;
    }
    headers[name] = h.slice(i + 1).trim();
  }
  return headers;
}

type Num = (
  flag: string,
  v: number | string | undefined,
  opts?: { int?: boolean; min?: number },
) => number | undefined;
type Dur = (flag: string, v: string | undefined) => number | undefined;

function quickExecutor(flags: QuickFlags, num: Num, dur: Dur, errors: string[]): ExecutorSpec | undefined {
  const modes = (['rate', 'vus', 'iterations'] as const).filter((k) => flags[k] !== undefined);
  const duration = dur('--duration', flags.duration);
  if (flags.iterations !== undefined) {
    if (flags.rate !== undefined)
      errors.push('--iterations: cannot be combined with --rate (give one of them)');
    const iterations = num('--iterations', flags.iterations, { int: true, min: 1 });
    const vus = num('--vus', flags.vus, { int: true, min: 1 }) ?? 1;
    if (iterations === undefined) return undefined;
    return {
      executor: 'iterations',
      vus,
      iterations,
      maxDurationMs: duration ?? DEFAULT_LIMITS.maxDurationMs,
    };
  }
  if (modes.length === 0) {
    errors.push('give the load: --rate N [--duration D], --vus N --duration D, or --iterations N');
    return undefined;
  }
  if (modes.length > 1) {
    errors.push('--rate and --vus: give one of them (open model: --rate; closed model: --vus)');
    return undefined;
  }
  if (flags.rate !== undefined) {
    const rate = num('--rate', flags.rate);
    if (rate === undefined) return undefined;
    return {
      executor: 'constant-arrival-rate',
      rate,
      timeUnitMs: 1000,
      durationMs: duration ?? QUICK_DEFAULT_DURATION_MS,
    };
  }
  const vus = num('--vus', flags.vus, { int: true, min: 1 });
  if (flags.duration === undefined)
    errors.push('--duration: required with --vus (e.g. --vus 10 --duration 30s)');
  if (vus === undefined || duration === undefined) return undefined;
  return { executor: 'constant-vus', vus, durationMs: duration };
}

function quickThresholds(list: string[], errors: string[]): ThresholdSpec[] {
  const out: ThresholdSpec[] = [];
  for (const expr of list) {
    const r = parseThreshold(expr);
    if (r.ok) out.push({ kind: 'expr', expr, abortOnFail: false });
    else errors.push(`--threshold ${JSON.stringify(expr)}: ${r.error}`);
  }
  return out;
}
