/**
 * Ballast as a benchmark tool: writes a plan, runs `ballast-child.ts` under
 * `measure` with the pinned Node, and reads the summary back.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorSpec, LoadPlan, LoadSummary } from '../../../src/load/types.ts';
import { type MeasureOptions, measure } from './measure.ts';
import type { ToolResult } from './peers.ts';

export interface BallastResult extends ToolResult {
  summary: LoadSummary;
  /** CPU the child spent inside runLoad (excludes start-up and module loading). */
  runCpuS: number;
}

/** A one-request plan against `url` (limits raised: the bench sets its own bounds). */
export function benchPlan(url: string, executor: ExecutorSpec, maxConnections: number): LoadPlan {
  return {
    name: 'bench',
    executor,
    requests: [{ name: 'GET /', method: 'GET', url, headers: {}, weight: 1, checks: [], tags: {} }],
    variables: [],
    thresholds: [],
    http: { maxConnections, pipelining: 1, timeoutMs: 10_000, insecureSkipVerify: false, keepAlive: true },
    limits: { maxRatePerSecond: 1_000_000, maxDurationMs: 3_600_000, maxVUs: 100_000 },
    allowHosts: [],
    workers: 1,
    tags: {},
  };
}

const CHILD = new URL('./ballast-child.ts', import.meta.url).pathname;

export async function runBallast(
  plan: LoadPlan,
  o: MeasureOptions,
  nodeFlags: string[] = [],
  label = 'ballast',
): Promise<BallastResult> {
  const dir = await mkdtemp(join(tmpdir(), 'ballast-bench-run-'));
  try {
    const planFile = join(dir, 'plan.json');
    const outFile = join(dir, 'summary.json');
    await writeFile(planFile, JSON.stringify(plan));
    const m = await measure(process.execPath, [...nodeFlags, CHILD, planFile, outFile], o);
    if (m.code !== 0) throw new Error(`ballast child exited ${m.code}: ${m.stderr}`);
    const r = JSON.parse(await readFile(outFile, 'utf8')) as { summary: LoadSummary; runCpuS: number };
    const s = r.summary;
    return {
      tool: label,
      requests: s.requests.total,
      errors: s.requests.failed,
      p50: s.latency_ms.p50,
      p90: s.latency_ms.p90,
      p99: s.latency_ms.p99,
      max: s.latency_ms.max,
      m,
      summary: s,
      runCpuS: r.runCpuS,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
