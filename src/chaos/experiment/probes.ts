/**
 * The probes an experiment judges steady state by, as a {@link ProbePort}:
 * Checks run by the controller with the checks' own executor, HTTP probes as
 * ad-hoc http checks (so the conditions language is the same), SLO burn rates
 * read from the server, and PromQL instant queries.
 */
import {
  type BrowserHost,
  CHECK_DEFAULTS,
  type CheckDefinition,
  type CheckResult,
  executeCheck,
} from '../../checks/index.ts';
import { PrometheusClient } from '../../slo/index.ts';
import type { Probe } from './model.ts';
import type { ProbePort, ProbeResult } from './runner.ts';

export interface ProbeDeps {
  /** Checks by name, from the spec set the experiment was loaded with. */
  checks: ReadonlyMap<string, CheckDefinition>;
  artifactsDir: string;
  browsers?: BrowserHost;
  /** The current burn rates of an SLO by window label; undefined when the server does not know it. */
  sloBurnRates?: (slo: string) => Promise<Record<string, number | null> | undefined>;
  /** Prometheus for promql probes that name none. */
  prometheusUrl?: string;
}

/** A probe port over real checks, HTTP, the server's SLO status and Prometheus. */
export function createProbePort(deps: ProbeDeps): ProbePort {
  return {
    async run(probe: Probe, signal: AbortSignal): Promise<ProbeResult> {
      switch (probe.kind) {
        case 'check': {
          const check = deps.checks.get(probe.check);
          if (!check) return { ok: false, value: null, detail: `check ${probe.check} is not defined` };
          return fromCheck(await execute(check, deps, signal));
        }
        case 'http':
          return fromCheck(await execute(httpCheck(probe), deps, signal));
        case 'slo':
          return sloProbe(probe, deps);
        case 'promql':
          return promqlProbe(probe, deps);
      }
    },
  };
}

function execute(check: CheckDefinition, deps: ProbeDeps, signal: AbortSignal): Promise<CheckResult> {
  return executeCheck(check, {
    artifactsDir: deps.artifactsDir,
    signal,
    location: 'chaos',
    ...(deps.browsers ? { browsers: deps.browsers } : {}),
  });
}

/** Degraded is slow but working: steady state holds; the response time is the probe's value. */
function fromCheck(r: CheckResult): ProbeResult {
  const ok = r.status === 'pass' || r.status === 'degraded';
  const status = r.httpStatus !== undefined ? `HTTP ${r.httpStatus}, ` : '';
  return {
    ok,
    value: r.durationMs,
    detail: `${r.status}: ${status}${Math.round(r.durationMs)} ms${r.reason ? `; ${r.reason}` : ''}`,
  };
}

function httpCheck(probe: Extract<Probe, { kind: 'http' }>): CheckDefinition {
  return {
    name: probe.name,
    service: 'chaos-probe',
    tags: [],
    locations: ['chaos'],
    schedule: { kind: 'interval', everyMs: 60_000, jitterMs: 0 },
    timeoutMs: probe.request.timeoutMs,
    retries: { count: 0, backoff: 'fixed', delayMs: 0, onlyNetworkErrors: false },
    failAfter: 1,
    recoverAfter: 1,
    conditions: probe.conditions,
    degradedConditions: [],
    enabled: true,
    spec: {
      type: 'http',
      request: {
        method: probe.request.method,
        url: probe.request.url,
        headers: probe.request.headers,
        ...(probe.request.body !== undefined ? { body: probe.request.body } : {}),
      },
      followRedirects: false,
      maxRedirects: 0,
      tls: { verify: true },
      maxBodyBytes: CHECK_DEFAULTS.maxBodyBytes,
    },
  };
}

function noData(probe: Probe, detail: string): ProbeResult {
  return {
    ok: probe.whenNoData === 'pass',
    value: null,
    detail: `${detail} (whenNoData: ${probe.whenNoData})`,
  };
}

async function sloProbe(probe: Extract<Probe, { kind: 'slo' }>, deps: ProbeDeps): Promise<ProbeResult> {
  if (!deps.sloBurnRates)
    return {
      ok: false,
      value: null,
      detail: `SLO probes need a server (--server) to read ${probe.slo}'s burn rate`,
    };
  const rates = await deps.sloBurnRates(probe.slo);
  if (!rates) return { ok: false, value: null, detail: `the server has no SLO named ${probe.slo}` };
  if (!(probe.window in rates))
    return {
      ok: false,
      value: null,
      detail: `SLO ${probe.slo} has no ${probe.window} burn-rate window; its windows are ${Object.keys(rates).join(', ')}`,
    };
  const rate = rates[probe.window] ?? null;
  if (rate === null) return noData(probe, `SLO ${probe.slo} has no data in its ${probe.window} window`);
  const ok = rate < probe.maxBurnRate;
  return {
    ok,
    value: rate,
    detail: `${probe.slo} ${probe.window} burn rate ${rate.toFixed(2)} ${ok ? '<' : '≥'} ${probe.maxBurnRate}`,
  };
}

async function promqlProbe(probe: Extract<Probe, { kind: 'promql' }>, deps: ProbeDeps): Promise<ProbeResult> {
  const client = new PrometheusClient({
    timeoutMs: 10_000,
    ...((probe.prometheus ?? deps.prometheusUrl) ? { url: probe.prometheus ?? deps.prometheusUrl } : {}),
  });
  const value = await client.sum(probe.query);
  if (value === null) return noData(probe, `query returned no series`);
  const low = probe.min !== undefined && value < probe.min;
  const high = probe.max !== undefined && value > probe.max;
  const bounds = [
    probe.min !== undefined ? `min ${probe.min}` : '',
    probe.max !== undefined ? `max ${probe.max}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return { ok: !low && !high, value, detail: `query = ${value} (${bounds})` };
}
