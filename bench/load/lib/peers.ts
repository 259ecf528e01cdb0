/**
 * The peers: wrk (Debian) and autocannon (npm, run on the pinned Node), each
 * under `measure` and parsed into the same shape as Ballast's result.
 */
import { createRequire } from 'node:module';
import { type Measured, type MeasureOptions, measure } from './measure.ts';

/** What every tool reports, latency in ms. */
export interface ToolResult {
  tool: string;
  requests: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  m: Measured;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** `123.45us` / `1.20ms` / `1.50s` → ms. */
export function wrkDurationMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m?.[1] || !m[2]) return Number.NaN;
  return Number(m[1]) * (UNIT_MS[m[2]] ?? Number.NaN);
}

/** Parses `wrk --latency` output. */
export function parseWrk(out: string): Omit<ToolResult, 'tool' | 'm'> {
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out);
    return m?.[1] ? wrkDurationMs(m[1]) : Number.NaN;
  };
  // Thread stats: "Latency   avg   stdev   max   +/-".
  const lat = /^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const errors = (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + non2xx;
  return {
    requests,
    errors,
    p50: pct('50'),
    p90: pct('90'),
    p99: pct('99'),
    max: lat?.[3] ? wrkDurationMs(lat[3]) : Number.NaN,
  };
}

export async function runWrk(
  url: string,
  connections: number,
  seconds: number,
  o: MeasureOptions,
): Promise<ToolResult> {
  const args = ['-t1', '-c', String(connections), '-d', `${seconds}s`, '--latency', url];
  const m = await measure('/usr/bin/wrk', args, o);
  return { tool: 'wrk', ...parseWrk(m.stdout), m };
}

const require = createRequire(import.meta.url);

/** autocannon's CLI entry, run with this (pinned) Node. */
export const AUTOCANNON_JS = require.resolve('autocannon/autocannon.js');

export async function runAutocannon(
  url: string,
  connections: number,
  seconds: number,
  o: MeasureOptions,
  extra: string[] = [],
  label = 'autocannon',
): Promise<ToolResult> {
  const args = [
    AUTOCANNON_JS,
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '-p',
    '1',
    '-j',
    ...extra,
    url,
  ];
  const m = await measure(process.execPath, args, o);
  const j = JSON.parse(m.stdout.slice(m.stdout.indexOf('{'))) as {
    requests: { total: number };
    latency: { p50: number; p90: number; p99: number; max: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  };
  return {
    tool: label,
    requests: j.requests.total,
    errors: j.errors + j.timeouts + j.non2xx,
    p50: j.latency.p50,
    p90: j.latency.p90,
    p99: j.latency.p99,
    max: j.latency.max,
    m,
  };
}
