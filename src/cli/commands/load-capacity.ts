/**
 * `ballast load capacity FILE | --url URL`: steps or bisects the arrival rate
 * until the SLO (or the given latency / error bounds) breaks, prints each
 * step and the highest rate that held, and stores it on the server as the
 * service's measured capacity.
 */
import { writeFile } from 'node:fs/promises';
import {
  type CapacityOptions,
  type CapacityResult,
  type CapacityStep,
  capacityCriteria,
  findCapacity,
  formatMs,
  type LoadPlan,
  runLoad,
} from '../../load/index.ts';
import type { SloDefinition } from '../../slo/index.ts';
import { parseDuration } from '../../spec/index.ts';
import { ExitCode } from '../exit-codes.ts';
import { createLiveView } from './load-live.ts';
import { prepareOutputs } from './load-outcome.ts';
import { type PlanFlags, resolvePlans } from './load-plans.ts';
import type { Io } from './load-run.ts';
import { processIo } from './load-run.ts';
import { sendCapacity } from './load-server.ts';
import { onInterrupt } from './load-signal.ts';

export interface CapacityFlags extends PlanFlags {
  slo?: string;
  latency?: string;
  errorRate?: string;
  startRate?: string;
  ceiling?: string;
  stepDuration?: string;
  mode?: string;
  stepFactor?: string;
  stepAdd?: string;
  precision?: string;
  service?: string;
  server?: string;
  token?: string;
  json?: string;
  quiet?: boolean;
}

/** The search settings the flags give: the capacity options without the plan, SLO and callbacks. */
type Settings = Omit<CapacityOptions, 'plan' | 'slo' | 'run' | 'onStep' | 'signal'>;

/** `300ms`, `1s` or a bare number of milliseconds. */
function parseLatency(text: string): number | undefined {
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : parseDuration(text);
  return n !== undefined && n > 0 ? n : undefined;
}

/** `0.1%` or a ratio `0.001`. */
export function parseErrorRate(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!m) return undefined;
  const v = Number(m[1]) / (m[2] ? 100 : 1);
  return v >= 0 && v < 1 ? v : undefined;
}

/** Parses the capacity flags; every error names its flag. */
export function capacitySettings(f: CapacityFlags, errors: string[]): Settings | undefined {
  const positive = (flag: string, v: string | undefined, fallback?: number) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
      errors.push(`${flag}: expected a number above 0, got ${JSON.stringify(v)}`);
    return n;
  };
  const latencyMs = f.latency === undefined ? undefined : parseLatency(f.latency);
  if (f.latency !== undefined && latencyMs === undefined)
    errors.push(`--latency: expected a duration such as 300ms or 1s, got ${JSON.stringify(f.latency)}`);
  const errorRate = f.errorRate === undefined ? undefined : parseErrorRate(f.errorRate);
  if (f.errorRate !== undefined && errorRate === undefined)
    errors.push(
      `--error-rate: expected a percentage such as 0.1% or a ratio below 1, got ${JSON.stringify(f.errorRate)}`,
    );
  if (f.slo === undefined && latencyMs === undefined && errorRate === undefined)
    errors.push('give --slo NAME (with --specs DIR), or --latency and/or --error-rate to judge each step by');
  const stepDurationMs = f.stepDuration === undefined ? 10_000 : parseDuration(f.stepDuration);
  if (!stepDurationMs)
    errors.push(`--step-duration: expected a duration such as 10s, got ${JSON.stringify(f.stepDuration)}`);
  const mode = f.mode ?? 'bisect';
  if (mode !== 'step' && mode !== 'bisect')
    errors.push(`--mode: expected step or bisect, got ${JSON.stringify(mode)}`);
  const startRate = positive('--start-rate', f.startRate, 10) as number;
  const ceiling = positive('--ceiling', f.ceiling, 1000) as number;
  if (ceiling < startRate) errors.push(`--ceiling: ${ceiling} is below --start-rate ${startRate}`);
  const stepFactor = positive('--step-factor', f.stepFactor);
  if (stepFactor !== undefined && stepFactor <= 1) errors.push('--step-factor: expected a number above 1');
  if (errors.length > 0) return undefined;
  const s: Settings = {
    startRate,
    ceiling,
    stepDurationMs: stepDurationMs as number,
    mode: mode as Settings['mode'],
  };
  if (latencyMs !== undefined) s.latencyMs = latencyMs;
  if (errorRate !== undefined) s.errorRate = errorRate;
  if (stepFactor !== undefined) s.stepFactor = stepFactor;
  const stepAdd = positive('--step-add', f.stepAdd);
  if (stepAdd !== undefined) s.stepAdd = stepAdd;
  const precision = positive('--precision', f.precision);
  if (precision !== undefined) s.precision = precision;
  return s;
}

/** One printed line per step. */
export function formatStep(s: CapacityStep): string {
  const verdict = s.held
    ? '✓ held'
    : s.valid
      ? `✗ ${s.reason ?? 'breached'}`
      : `! ${s.reason ?? 'not valid'}`;
  return `rate ${s.rate.toFixed(1).padStart(8)}/s  achieved ${s.achievedRate.toFixed(1).padStart(8)}/s  p99 ${formatMs(
    s.p99,
  ).padStart(9)}  errors ${(s.errorRate * 100).toFixed(3).padStart(7)}%  ${verdict}`;
}

const STOPPED: Record<CapacityResult['stoppedBy'], string> = {
  breach: 'the objective broke above it',
  ceiling: 'the ceiling was reached and held: the capacity is at least this',
  invalid:
    'the load generator fell behind (the generator, not the target, was the limit): the capacity is at least this',
  aborted: 'interrupted',
};

async function planAndSlo(
  file: string | undefined,
  f: CapacityFlags,
  s: Settings | undefined,
  errors: string[],
): Promise<{ plan?: LoadPlan; slo?: SloDefinition }> {
  // The quick form needs a load to validate; the search replaces it with its own steps.
  const flags: PlanFlags =
    f.url !== undefined && s ? { ...f, rate: String(s.ceiling), duration: `${s.stepDurationMs}ms` } : f;
  const resolved = await resolvePlans(file, flags);
  errors.push(...resolved.errors);
  if (resolved.errors.length > 0) return {};
  if (resolved.plans.length !== 1) {
    errors.push(`the file holds ${resolved.plans.length} LoadTests; capacity searches one (split the file)`);
    return {};
  }
  const plan = resolved.plans[0] as LoadPlan;
  if (s && s.ceiling > plan.limits.maxRatePerSecond)
    errors.push(
      `--ceiling ${s.ceiling} is above the rate cap of ${plan.limits.maxRatePerSecond} req/s: raise it with --max-rate`,
    );
  if (f.slo === undefined) return { plan };
  const slo = resolved.slos.get(f.slo);
  if (!slo)
    errors.push(`--slo: no SLO named "${f.slo}" (give the spec directory that defines it with --specs DIR)`);
  return slo ? { plan, slo } : { plan };
}

/** Runs `load capacity` and returns its exit code: 0 found, 1 not even the start rate held, 2 bad input, 3 not valid / interrupted. */
export async function loadCapacity(
  file: string | undefined,
  f: CapacityFlags,
  io: Io = processIo,
): Promise<ExitCode> {
  const errors: string[] = [];
  const settings = capacitySettings(f, errors);
  const { plan, slo } = await planAndSlo(file, f, settings, errors);
  errors.push(...(await prepareOutputs([f.json])));
  const service = f.service ?? plan?.service ?? slo?.service;
  if (f.server && !service)
    errors.push('--server: name the service to store the capacity on with --service NAME');
  if (errors.length > 0 || !settings || !plan) {
    for (const e of errors) io.err(`${e}\n`);
    return ExitCode.BadInput;
  }
  const criteria = capacityCriteria({ slo, latencyMs: settings.latencyMs, errorRate: settings.errorRate });
  io.out(
    `searching capacity of ${plan.name} (${settings.mode}): p(${Number(criteria.percentile.toFixed(3))}) ≤ ${
      criteria.latencyMs === undefined ? '-' : formatMs(criteria.latencyMs)
    }, errors ≤ ${criteria.errorRate === undefined ? '-' : `${(criteria.errorRate * 100).toFixed(3)}%`}\n`,
  );
  const controller = new AbortController();
  const stopListening = onInterrupt(() => controller.abort());
  let result: CapacityResult;
  try {
    result = await findCapacity({
      plan,
      ...settings,
      ...(slo ? { slo } : {}),
      signal: controller.signal,
      run: async (p, o) => {
        const view = createLiveView(p.name, settings.stepDurationMs, { quiet: f.quiet });
        const summary = await runLoad(p, { ...o, onSecond: (sample, live) => view.update(sample, live) });
        view.done();
        return summary;
      },
      onStep: (step) => io.out(`${formatStep(step)}\n`),
    });
  } finally {
    stopListening();
  }
  io.out(
    result.capacity === null
      ? 'capacity: not even the start rate held; lower --start-rate\n'
      : `capacity: ${Number(result.capacity.toFixed(2))} req/s (${STOPPED[result.stoppedBy]})\n`,
  );
  if (f.json) await writeFile(f.json, `${JSON.stringify({ service, slo: slo?.name, ...result }, null, 2)}\n`);
  if (f.server && service && result.capacity !== null && result.stoppedBy !== 'aborted') {
    try {
      await sendCapacity(f.server, f.token, service, result, slo?.name, new Date());
      io.err(`stored as the measured capacity of ${service} on ${f.server}\n`);
    } catch (err) {
      io.err(`--server: could not store the capacity: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  if (result.stoppedBy === 'invalid' || result.stoppedBy === 'aborted') return ExitCode.Invalid;
  return result.capacity === null ? ExitCode.Failed : ExitCode.Ok;
}
