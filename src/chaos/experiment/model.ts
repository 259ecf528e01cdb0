/**
 * Experiment documents mapped to the runner's model: durations in
 * milliseconds, defaults filled in, abort rules resolved to probes, and the
 * blast-radius limits judged against the planned method. Pure.
 */
import type { LoadedDocument } from '../../spec/classify.ts';
import type { Diagnostic } from '../../spec/index.ts';
import { parseDuration } from '../../spec/index.ts';
import { faultBodyProblems } from './fault-bodies.ts';
import { planMethod } from './plan.ts';
import { type ExperimentDocument, experimentDocumentSchema, type ProbeSpec, type StepSpec } from './spec.ts';

export const DEFAULT_DAEMON = 'http://127.0.0.1:8474';
export const DEFAULT_LEASE_TTL_MS = 15_000;
export const DEFAULT_PROBE_INTERVAL_MS = 5_000;
export const DEFAULT_RECOVERY_TIMEOUT_MS = 120_000;
const DEFAULT_HTTP_TIMEOUT_MS = 5_000;

export interface HttpRequestSpec {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export type Probe =
  | { kind: 'check'; name: string; check: string; whenNoData: 'pass' | 'fail' }
  | {
      kind: 'http';
      name: string;
      request: HttpRequestSpec;
      conditions: string[];
      whenNoData: 'pass' | 'fail';
    }
  | {
      kind: 'slo';
      name: string;
      slo: string;
      window: string;
      maxBurnRate: number;
      whenNoData: 'pass' | 'fail';
    }
  | {
      kind: 'promql';
      name: string;
      query: string;
      prometheus?: string;
      min?: number;
      max?: number;
      whenNoData: 'pass' | 'fail';
    };

export type FaultKind = 'toxic' | 'http' | 'host';

export type Step =
  | {
      kind: 'fault';
      name: string;
      fault: FaultKind;
      body: Record<string, unknown>;
      daemon: string;
      durationMs: number;
      background: boolean;
    }
  | { kind: 'pause'; name: string; durationMs: number }
  | { kind: 'load'; name: string; loadTest: string };

export interface ExperimentDefinition {
  name: string;
  service: string;
  description?: string;
  daemon: string;
  leaseTtlMs: number;
  probeIntervalMs: number;
  recoveryTimeoutMs: number;
  steadyState: Probe[];
  method: Step[];
  rollbacks: { name: string; request: HttpRequestSpec }[];
  abort: Probe[];
  blastRadius: { maxFaults?: number; maxDurationMs?: number; maxToxicity?: number };
}

const ms = (d: string | undefined, fallback: number): number =>
  d === undefined ? fallback : (parseDuration(d) ?? fallback);

function request(r: {
  url: string;
  method?: string | undefined;
  headers?: Record<string, string> | undefined;
  body?: string | undefined;
  timeout?: string | undefined;
}): HttpRequestSpec {
  return {
    url: r.url,
    method: r.method ?? (r.body !== undefined ? 'POST' : 'GET'),
    headers: r.headers ?? {},
    ...(r.body !== undefined ? { body: r.body } : {}),
    timeoutMs: ms(r.timeout, DEFAULT_HTTP_TIMEOUT_MS),
  };
}

/** A probe spec as the runner's probe; the schema guarantees exactly one kind. */
export function toProbe(p: ProbeSpec): Probe {
  const whenNoData = p.whenNoData ?? 'fail';
  if (p.check !== undefined) return { kind: 'check', name: p.name, check: p.check, whenNoData };
  if (p.http !== undefined)
    return {
      kind: 'http',
      name: p.name,
      request: request(p.http),
      conditions: p.http.conditions ?? ['[STATUS] < 400'],
      whenNoData,
    };
  if (p.slo !== undefined)
    return {
      kind: 'slo',
      name: p.name,
      slo: p.slo,
      window: p.window ?? '5m',
      maxBurnRate: p.maxBurnRate ?? 1,
      whenNoData,
    };
  return {
    kind: 'promql',
    name: p.name,
    query: p.promql ?? '',
    ...(p.prometheus !== undefined ? { prometheus: p.prometheus } : {}),
    ...(p.min !== undefined ? { min: p.min } : {}),
    ...(p.max !== undefined ? { max: p.max } : {}),
    whenNoData,
  };
}

function toStep(s: StepSpec, index: number, daemon: string): Step {
  const name = s.name ?? `step-${index + 1}`;
  if (s.pause !== undefined) return { kind: 'pause', name, durationMs: ms(s.pause, 0) };
  if (s.load !== undefined) return { kind: 'load', name, loadTest: s.load };
  const fault: FaultKind = s.toxic !== undefined ? 'toxic' : s.http !== undefined ? 'http' : 'host';
  return {
    kind: 'fault',
    name,
    fault,
    body: (s.toxic ?? s.http ?? s.host ?? {}) as Record<string, unknown>,
    daemon: s.daemon ?? daemon,
    durationMs: ms(s.duration, 0),
    background: s.background ?? false,
  };
}

/** Maps a validated document; reference and limit problems come back as diagnostics at their field. */
export function experimentFromDocument(doc: LoadedDocument): {
  experiment?: ExperimentDefinition;
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  const error = (path: (string | number)[], message: string) =>
    diagnostics.push({ file: doc.file, ...doc.locate(path), severity: 'error', message });
  const parsed = experimentDocumentSchema.safeParse(doc.body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) error(issue.path as (string | number)[], issue.message);
    return { diagnostics };
  }
  const experiment = fromParsed(parsed.data, error);
  return diagnostics.length > 0 ? { diagnostics } : { experiment, diagnostics };
}

function fromParsed(
  d: ExperimentDocument,
  error: (path: (string | number)[], message: string) => void,
): ExperimentDefinition {
  const spec = d.spec;
  const daemon = spec.daemon ?? DEFAULT_DAEMON;
  const steadyState = spec.steadyState.probes.map(toProbe);
  const byName = new Map(steadyState.map((p) => [p.name, p]));
  duplicates(
    steadyState.map((p) => p.name),
    (i, n) => error(['spec', 'steadyState', 'probes', i, 'name'], `probe name ${n} is used twice`),
  );
  const method = spec.method.map((s, i) => toStep(s, i, daemon));
  duplicates(
    method.map((s) => s.name),
    (i, n) => error(['spec', 'method', i, 'name'], `step name ${n} is used twice`),
  );
  method.forEach((s, i) => {
    if (s.kind !== 'fault') return;
    for (const p of faultBodyProblems(s))
      error(['spec', 'method', i, ...p.path], `step ${s.name}: ${p.message}`);
  });
  const abort: Probe[] = [];
  (spec.abort ?? []).forEach((rule, i) => {
    if ('probe' in rule && Object.keys(rule).length === 1) {
      const probe = byName.get(rule.probe as string);
      if (probe) abort.push(probe);
      else
        error(
          ['spec', 'abort', i, 'probe'],
          `abort rule names probe "${rule.probe}", which is not a steady-state probe: they are ${[...byName.keys()].join(', ')}`,
        );
    } else abort.push(toProbe(rule as ProbeSpec));
  });
  const blast = spec.blastRadius ?? {};
  const blastRadius: ExperimentDefinition['blastRadius'] = {
    ...(blast.maxFaults !== undefined ? { maxFaults: blast.maxFaults } : {}),
    ...(blast.maxDuration !== undefined ? { maxDurationMs: ms(blast.maxDuration, 0) } : {}),
    ...(blast.maxToxicity !== undefined ? { maxToxicity: blast.maxToxicity } : {}),
  };
  const plan = planMethod(method);
  if (blastRadius.maxFaults !== undefined && plan.maxConcurrentFaults > blastRadius.maxFaults)
    error(
      ['spec', 'blastRadius', 'maxFaults'],
      `the method holds ${plan.maxConcurrentFaults} faults at once; blastRadius.maxFaults allows ${blastRadius.maxFaults}`,
    );
  if (blastRadius.maxDurationMs !== undefined && plan.totalMs > blastRadius.maxDurationMs)
    error(
      ['spec', 'blastRadius', 'maxDuration'],
      `the method takes ${plan.totalMs / 1000}s; blastRadius.maxDuration allows ${blastRadius.maxDurationMs / 1000}s`,
    );
  if (blastRadius.maxToxicity !== undefined)
    method.forEach((s, i) => {
      if (s.kind !== 'fault' || s.fault !== 'toxic') return;
      const toxicity = typeof s.body.toxicity === 'number' ? s.body.toxicity : 1;
      if (toxicity > blastRadius.maxToxicity!)
        error(
          ['spec', 'method', i, 'toxic', 'toxicity'],
          `toxicity ${toxicity} is above blastRadius.maxToxicity ${blastRadius.maxToxicity} (a toxic without toxicity affects every connection)`,
        );
    });
  return {
    name: d.metadata.name,
    service: spec.service,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    daemon,
    leaseTtlMs: ms(spec.leaseTtl, DEFAULT_LEASE_TTL_MS),
    probeIntervalMs: ms(spec.probeInterval, DEFAULT_PROBE_INTERVAL_MS),
    recoveryTimeoutMs: ms(spec.recoveryTimeout, DEFAULT_RECOVERY_TIMEOUT_MS),
    steadyState,
    method,
    rollbacks: (spec.rollbacks ?? []).map((r) => ({ name: r.name, request: request(r.http) })),
    abort,
    blastRadius,
  };
}

function duplicates(names: string[], report: (index: number, name: string) => void): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) report(i, n);
    seen.add(n);
  });
}
