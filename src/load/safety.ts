/**
 * Safety rails of a load run: where traffic may go (loopback unless a host is
 * explicitly allowed) and how much of it (hard caps raised only explicitly).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ExecutorSpec, LoadLimits, LoadPlan } from './types.ts';

/** The caps a plan gets unless a spec field or CLI flag raises them. */
export const DEFAULT_LIMITS: LoadLimits = {
  maxRatePerSecond: 5_000,
  maxDurationMs: 10 * 60_000,
  maxVUs: 1_000,
};

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z). */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (isIP(a) === 4) return a.startsWith('127.');
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped !== null && (mapped[1] as string).startsWith('127.');
}

type Lookup = (host: string) => Promise<string[]>;

const systemLookup: Lookup = async (host) => (await lookup(host, { all: true })).map((r) => r.address);

/**
 * Checks every request's target host. Loopback literals and `localhost` are
 * always allowed; a host in `plan.allowHosts` is allowed as written; any other
 * name is resolved and allowed only when every address it resolves to is
 * loopback. Returns one error per refused host (empty: all allowed). Sends no traffic.
 */
export async function checkTargets(plan: LoadPlan, resolve: Lookup = systemLookup): Promise<string[]> {
  const allowed = new Set(plan.allowHosts.map((h) => h.toLowerCase().replace(/^\[|\]$/g, '')));
  const hosts = new Set<string>();
  const errors: string[] = [];
  for (const r of plan.requests) {
    const host = targetHost(r.url);
    if (host === undefined) errors.push(`request "${r.name}": cannot read a host from URL ${r.url}`);
    else hosts.add(host);
  }
  for (const host of hosts) {
    if (host === 'localhost' || isLoopbackAddress(host) || allowed.has(host)) continue;
    const hint = `add it to allowHosts (spec), the service's allowedHosts, or --allow-host ${host}`;
    if (isIP(host)) {
      errors.push(`target ${host} is not loopback and not allowed: ${hint}`);
      continue;
    }
    let addresses: string[];
    try {
      addresses = await resolve(host);
    } catch (err) {
      errors.push(
        `target ${host} cannot be resolved (${(err as NodeJS.ErrnoException).code ?? 'DNS error'})`,
      );
      continue;
    }
    const outside = addresses.filter((a) => !isLoopbackAddress(a));
    if (addresses.length === 0 || outside.length > 0) {
      errors.push(`target ${host} resolves to ${outside.join(', ') || 'nothing'}, not loopback: ${hint}`);
    }
  }
  return errors;
}

/** The lower-cased host of a request URL; placeholders outside the host are fine. */
function targetHost(url: string): string | undefined {
  const m = /^https?:\/\/(\[[^\]]*\]|[^/:?#]*)/i.exec(url);
  const host = m?.[1]?.toLowerCase().replace(/^\[|\]$/g, '');
  return host && !host.includes('${') ? host : undefined;
}

/** The highest arrival rate (per second) the executor asks for; 0 for closed-model executors. */
export function peakRatePerSecond(e: ExecutorSpec): number {
  switch (e.executor) {
    case 'constant-arrival-rate':
      return (e.rate * 1000) / e.timeUnitMs;
    case 'ramping-arrival-rate':
      return (Math.max(e.startRate, ...e.stages.map((s) => s.target)) * 1000) / e.timeUnitMs;
    default:
      return 0;
  }
}

/** The most VUs a closed-model executor runs; 0 for open-model executors. */
export function peakVUs(e: ExecutorSpec): number {
  switch (e.executor) {
    case 'constant-vus':
    case 'iterations':
      return e.vus;
    case 'ramping-vus':
      return Math.max(e.startVUs, ...e.stages.map((s) => s.target));
    default:
      return 0;
  }
}

/** The longest the executor runs (the `iterations` executor: its maxDuration). */
export function maxExecutorDurationMs(e: ExecutorSpec): number {
  switch (e.executor) {
    case 'constant-arrival-rate':
    case 'constant-vus':
      return e.durationMs;
    case 'iterations':
      return e.maxDurationMs;
    default:
      return e.stages.reduce((sum, s) => sum + s.durationMs, 0);
  }
}

/** Checks the plan against its hard caps; each error says how to raise the cap. */
export function checkLimits(plan: LoadPlan): string[] {
  const { executor: e, limits } = plan;
  const errors: string[] = [];
  const rate = peakRatePerSecond(e);
  if (rate > limits.maxRatePerSecond) {
    errors.push(
      `peak rate ${round(rate)} req/s is above the cap of ${limits.maxRatePerSecond} req/s: raise it with limits.maxRate (spec) or --max-rate`,
    );
  }
  const duration = maxExecutorDurationMs(e);
  if (duration > limits.maxDurationMs) {
    errors.push(
      `duration ${duration / 1000}s is above the cap of ${limits.maxDurationMs / 1000}s: raise it with limits.maxDuration (spec) or --max-duration`,
    );
  }
  const vus = peakVUs(e);
  if (vus > limits.maxVUs) {
    errors.push(
      `${vus} VUs is above the cap of ${limits.maxVUs}: raise it with limits.maxVUs (spec) or --max-vus`,
    );
  }
  return errors;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
