/**
 * Shared set-up for the server integration tests: a real `startServer` on a
 * loopback port over PGlite (temp dir) or a throwaway PostgreSQL database,
 * a controllable clock, spec fixtures and a tiny fetch wrapper.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningServer, type ServerOptions, startServer } from '../src/server/index.ts';
import type { ApplyResult } from '../src/store/types.ts';
import { createTestPostgres } from './helpers/databases.ts';

export type Driver = 'pglite' | 'postgres';
export const DRIVERS: Driver[] = ['pglite', 'postgres'];
export const ADMIN = 'admin-token-for-tests';

/** A fixed instant in the middle of a minute, so no event lands on a window edge. */
export const T0 = Date.UTC(2025, 2, 10, 12, 0, 30);

export const SPEC_SERVICE = `apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
  displayName: Checkout
spec:
  description: Checkout API
`;

export const SPEC_SLO = `apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
spec:
  service: checkout
  indicator:
    metadata:
      name: checkout-requests
    spec:
      ratioMetric:
        counter: true
        good: {}
        total: {}
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
`;

export const SPEC_PROMETHEUS = `apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prom
spec:
  type: Prometheus
  connectionDetails:
    url: http://127.0.0.1:9
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-latency-prom
spec:
  service: checkout
  indicator:
    metadata:
      name: checkout-prom
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            metricSourceRef: prom
            spec:
              query: sum(rate(http_requests_total{code!~"5.."}[{{.window}}]))
        total:
          metricSource:
            metricSourceRef: prom
            spec:
              query: sum(rate(http_requests_total[{{.window}}]))
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
`;

export const SPEC_FILES = [
  { file: 'specs/service.yaml', content: SPEC_SERVICE },
  { file: 'specs/slo.yaml', content: SPEC_SLO },
  { file: 'specs/prometheus.yaml', content: SPEC_PROMETHEUS },
];

export interface Harness {
  server: RunningServer;
  clock: { now: number };
  call(
    method: string,
    path: string,
    opts?: { body?: unknown; raw?: string; token?: string | null },
    // biome-ignore lint/suspicious/noExplicitAny: tests read response fields directly and assert on them
  ): Promise<{ status: number; json: any }>;
  /** Restarts on the same database (PGlite dir or PostgreSQL database). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a server for one test on the given driver. */
export async function startHarness(driver: Driver, options: Partial<ServerOptions> = {}): Promise<Harness> {
  const clock = { now: T0 };
  let dataDir: string | undefined;
  let pg: Awaited<ReturnType<typeof createTestPostgres>> | undefined;
  if (driver === 'pglite') dataDir = await mkdtemp(join(tmpdir(), 'ballast-server-'));
  else pg = await createTestPostgres();
  const start = () =>
    startServer({
      port: 0,
      dataDir,
      databaseUrl: pg?.url,
      adminToken: ADMIN,
      now: () => clock.now,
      evaluateEveryMs: 3_600_000,
      evaluateThrottleMs: 50,
      ...options,
    });
  const harness: Harness = {
    server: await start(),
    clock,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      const token = opts.token === undefined ? ADMIN : opts.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined = opts.raw;
      if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${harness.server.url}${path}`, { method, headers, body });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {}
      return { status: res.status, json };
    },
    async restart() {
      await harness.server.close();
      harness.server = await start();
    },
    async close() {
      await harness.server.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
      await pg?.drop();
    },
  };
  return harness;
}

/** Applies the fixtures through the API. */
export async function applyFixtures(h: Harness): Promise<ApplyResult> {
  const res = await h.call('POST', '/api/v1/apply', { body: { documents: SPEC_FILES } });
  if (res.status !== 200) throw new Error(`apply failed: ${JSON.stringify(res.json)}`);
  return res.json;
}

/** Parses a window label like `5m`, `1h`, `3d` into ms. */
export function labelMs(label: string): number {
  const m = /^(\d+)([smhdw])$/.exec(label);
  if (!m) throw new Error(`unexpected window label ${label}`);
  const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[m[2] as 's'];
  return Number(m[1]) * unit;
}
