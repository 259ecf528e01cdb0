/**
 * A validated `LoadTest` document → `LoadPlan`: resolves the service, SLO
 * thresholds and data files, and checks the hard caps. Every problem is a
 * diagnostic at the field that caused it.
 */
import { resolve } from 'node:path';
import type { ServiceDefinition, SloDefinition } from '../../slo/index.ts';
import { type Diagnostic, type LoadedDocument, parseDuration } from '../../spec/index.ts';
import { checkLimits, DEFAULT_LIMITS } from '../safety.ts';
import type {
  ExecutorSpec,
  HttpOptions,
  LoadPlan,
  RequestTemplate,
  ResponseCheck,
  ThresholdSpec,
  VariableSource,
} from '../types.ts';
import { readDataFile } from './data.ts';
import { findPlaceholders } from './placeholders.ts';
import { type LoadTestSpec, loadTestSchema } from './schema.ts';

/** HTTP options a plan gets unless the spec or flags say otherwise. */
export const DEFAULT_HTTP: HttpOptions = {
  maxConnections: 100,
  pipelining: 1,
  timeoutMs: 10_000,
  insecureSkipVerify: false,
  keepAlive: true,
};

export interface PlanContext {
  services: ServiceDefinition[];
  /** SLOs `slo:` thresholds may name. */
  slos?: SloDefinition[];
  /** Data files are relative to this (the spec file's directory). */
  baseDir: string;
}

const ms = (d: string | undefined, fallback: number): number =>
  d === undefined ? fallback : (parseDuration(d) ?? fallback);
type ErrorAt = (path: readonly PropertyKey[], message: string) => void;

/**
 * Maps one `LoadTest` document to a plan. Returns no plan when any error was
 * found; warnings do not block.
 */
export function loadPlanFromDocument(
  doc: LoadedDocument,
  ctx: PlanContext,
): { plan?: LoadPlan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const error: ErrorAt = (path, message) =>
    diagnostics.push({ file: doc.file, ...doc.locate(path), severity: 'error', message });
  const parsed = loadTestSchema.safeParse(doc.body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) error(issue.path, `${label(issue.path)}${issue.message}`);
    return { diagnostics };
  }
  const spec = parsed.data.spec;
  const allowHosts = [...(spec.allowHosts ?? [])];
  if (spec.service !== undefined) {
    const service = ctx.services.find((s) => s.name === spec.service);
    if (!service)
      error(
        ['spec', 'service'],
        `unknown service "${spec.service}": define it (openslo/v1 Service) in the specs given with --specs`,
      );
    else allowHosts.push(...(service.allowedHosts ?? []));
  }
  const variables = mapVariables(spec, ctx.baseDir, error);
  const plan: LoadPlan = {
    name: parsed.data.metadata.name,
    ...(spec.service !== undefined ? { service: spec.service } : {}),
    executor: mapExecutor(spec.executor),
    requests: spec.requests.map(mapRequest),
    variables: variables.sources,
    thresholds: mapThresholds(spec, ctx.slos ?? [], error),
    http: mapHttp(spec.http),
    limits: {
      maxRatePerSecond: spec.limits?.maxRate ?? DEFAULT_LIMITS.maxRatePerSecond,
      maxDurationMs: ms(spec.limits?.maxDuration, DEFAULT_LIMITS.maxDurationMs),
      maxVUs: spec.limits?.maxVUs ?? DEFAULT_LIMITS.maxVUs,
    },
    allowHosts,
    ...(spec.workers !== undefined ? { workers: spec.workers } : {}),
    tags: spec.tags ?? {},
  };
  checkColumns(spec, variables.columns, error);
  for (const e of checkLimits(plan)) error(['spec', 'executor'], e);
  return diagnostics.length > 0 ? { diagnostics } : { plan, diagnostics };
}

function label(path: readonly PropertyKey[]): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : `${out ? '.' : ''}${String(step)}`;
  return out ? `${out}: ` : '';
}

/** Maps the executor; defaults as k6: timeUnit 1s, startRate 0, startVUs 1, iterations on 1 VU within 10m. */
export function mapExecutor(e: LoadTestSpec['executor']): ExecutorSpec {
  const stages = (s: { duration: string; target: number }[]) =>
    s.map((x) => ({ durationMs: ms(x.duration, 0), target: x.target }));
  switch (e.type) {
    case 'constant-arrival-rate':
      return {
        executor: e.type,
        rate: e.rate,
        timeUnitMs: ms(e.timeUnit, 1000),
        durationMs: ms(e.duration, 0),
      };
    case 'ramping-arrival-rate':
      return {
        executor: e.type,
        startRate: e.startRate ?? 0,
        timeUnitMs: ms(e.timeUnit, 1000),
        stages: stages(e.stages),
      };
    case 'constant-vus':
      return { executor: e.type, vus: e.vus, durationMs: ms(e.duration, 0) };
    case 'ramping-vus':
      return { executor: e.type, startVUs: e.startVUs ?? 1, stages: stages(e.stages) };
    case 'iterations':
      return {
        executor: e.type,
        vus: e.vus ?? 1,
        iterations: e.iterations,
        maxDurationMs: ms(e.maxDuration, 600_000),
      };
  }
}

function mapHttp(h: LoadTestSpec['http']): HttpOptions {
  return {
    maxConnections: h?.maxConnections ?? DEFAULT_HTTP.maxConnections,
    pipelining: h?.pipelining ?? DEFAULT_HTTP.pipelining,
    timeoutMs: ms(h?.timeout, DEFAULT_HTTP.timeoutMs),
    insecureSkipVerify: h?.insecureSkipVerify ?? DEFAULT_HTTP.insecureSkipVerify,
    keepAlive: h?.keepAlive ?? DEFAULT_HTTP.keepAlive,
  };
}

/** The name a request gets in reports when it has none: `METHOD /path`. */
export function defaultRequestName(method: string, url: string): string {
  const path = /^https?:\/\/[^/?#]*([^?#]*)/.exec(url)?.[1] || '/';
  return `${method} ${path}`;
}

function mapRequest(r: LoadTestSpec['requests'][number]): RequestTemplate {
  const method = r.method ?? 'GET';
  const t: RequestTemplate = {
    name: r.name ?? defaultRequestName(method, r.url),
    method,
    url: r.url,
    headers: Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, String(v)])),
    weight: r.weight ?? 1,
    checks: (r.checks ?? []).map(mapCheck),
    tags: r.tags ?? {},
  };
  if (r.body !== undefined) t.body = r.body;
  return t;
}

function mapCheck(c: NonNullable<LoadTestSpec['requests'][number]['checks']>[number]): ResponseCheck {
  if ('status' in c) return { kind: 'status', in: Array.isArray(c.status) ? c.status : [c.status] };
  if ('bodyContains' in c) return { kind: 'bodyContains', text: c.bodyContains };
  if ('bodyMatches' in c) return { kind: 'bodyMatches', pattern: c.bodyMatches };
  if ('header' in c) {
    const h: ResponseCheck = { kind: 'header', name: c.header.toLowerCase() };
    if (c.equals !== undefined) h.equals = c.equals;
    if (c.matches !== undefined) h.matches = c.matches;
    return h;
  }
  return { kind: 'maxLatencyMs', value: ms(c.maxLatency, 0) };
}

function mapThresholds(spec: LoadTestSpec, slos: SloDefinition[], error: ErrorAt): ThresholdSpec[] {
  return (spec.thresholds ?? []).map((t, i) => {
    if (typeof t === 'string') return { kind: 'expr', expr: t, abortOnFail: false };
    const common = {
      abortOnFail: t.abortOnFail ?? false,
      ...(t.window !== undefined ? { windowMs: ms(t.window, 0) } : {}),
      ...(t.delayAbortEval !== undefined ? { delayAbortEvalMs: ms(t.delayAbortEval, 0) } : {}),
    };
    if ('expr' in t) return { kind: 'expr', expr: t.expr, ...common };
    if (!slos.some((s) => s.name === t.slo)) {
      error(
        ['spec', 'thresholds', i, 'slo'],
        `unknown SLO "${t.slo}": load the specs that define it with --specs DIR`,
      );
    }
    return { kind: 'slo', slo: t.slo, maxBurnRate: t.maxBurnRate ?? 1, ...common };
  });
}

function mapVariables(spec: LoadTestSpec, baseDir: string, error: ErrorAt) {
  const sources: VariableSource[] = [];
  const columns = new Map<string, Set<string>>();
  (spec.variables ?? []).forEach((v, i) => {
    const { name } = v;
    const fileKind = v.csv !== undefined ? 'csv' : v.json !== undefined ? 'json' : undefined;
    if (fileKind) {
      const file = resolve(baseDir, (v.csv ?? v.json) as string);
      const data = readDataFile(file, fileKind);
      if (!data.ok) error(['spec', 'variables', i, fileKind], data.error);
      else columns.set(name, new Set(data.columns));
      sources.push({ kind: fileKind, name, file, order: v.order ?? 'sequential' });
    } else if (v.sequence) sources.push({ kind: 'sequence', name, start: v.sequence.start ?? 1 });
    else if (v.randomInt)
      sources.push({ kind: 'randomInt', name, min: v.randomInt.min, max: v.randomInt.max });
    else sources.push({ kind: 'uuid', name });
  });
  return { sources, columns };
}

/** `${user.col}` must name a column the data file has (checked once the file is read). */
function checkColumns(spec: LoadTestSpec, columns: Map<string, Set<string>>, error: ErrorAt): void {
  spec.requests.forEach((r, i) => {
    const fields: [PropertyKey[], string][] = [[['url'], r.url]];
    for (const [k, v] of Object.entries(r.headers ?? {})) fields.push([['headers', k], String(v)]);
    if (r.body !== undefined) fields.push([['body'], r.body]);
    for (const [path, text] of fields) {
      for (const p of findPlaceholders(text)) {
        const cols = columns.get(p.variable);
        if (cols && p.field !== undefined && !cols.has(p.field)) {
          error(
            ['spec', 'requests', i, ...path],
            `\${${p.raw}}: the data of "${p.variable}" has no column "${p.field}" (columns: ${[...cols].join(', ')})`,
          );
        }
      }
    }
  });
}
