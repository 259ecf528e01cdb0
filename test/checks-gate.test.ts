/**
 * `ballast gate` through the real CLI against a real server: a freeze in the
 * service's ErrorBudgetPolicy closes it, an old pass no longer opens it
 * (stale), and an SLO without data fails closed unless the policy says
 * `whenNoData: pass`. Results go in through the server's own monitor.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/checks/index.ts';
import { type RunningServer, startServer } from '../src/server/index.ts';

const ADMIN = 'gate-admin-token';
const BIN = join(import.meta.dirname, '..', 'bin', 'ballast.js');
const HOUR = 3_600_000;
const NOW = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();

const service = (name: string) => `apiVersion: openslo/v1
kind: Service
metadata: { name: ${name} }
spec: { description: ${name} }
`;
const check = (name: string, svc: string) => `apiVersion: ballast.dev/v1
kind: Check
metadata: { name: ${name} }
spec: { service: ${svc}, type: http, every: 1m, http: { url: "http://127.0.0.1:9/" } }
`;
const eventsSlo = (name: string, svc: string) => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: ${svc}
  indicator:
    metadata: { name: ${name}-sli }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Ballast } }
        total: { metricSource: { type: Ballast } }
  timeWindow: [{ duration: 7d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.99 }]
`;

const SPECS = [
  service('frozen'),
  check('frozen-web', 'frozen'),
  `apiVersion: ballast.dev/v1
kind: ErrorBudgetPolicy
metadata: { name: frozen-policy }
spec:
  service: frozen
  freezes:
    - { start: "${iso(NOW - HOUR)}", end: "${iso(NOW + 24 * HOUR)}", reason: release freeze }
`,
  service('stale'),
  check('stale-web', 'stale'),
  check('stale-never', 'stale'),
  service('nodata'),
  eventsSlo('nodata-avail', 'nodata'),
  service('nodata-ok'),
  eventsSlo('nodata-ok-avail', 'nodata-ok'),
  `apiVersion: ballast.dev/v1
kind: ErrorBudgetPolicy
metadata: { name: new-service }
spec: { service: nodata-ok, whenNoData: pass }
`,
].join('---\n');

let dir = '';
let server: RunningServer;

function result(name: string, svc: string, startedAt: number): CheckResult {
  return {
    check: name,
    service: svc,
    type: 'http',
    location: 'local',
    startedAt,
    durationMs: 5,
    status: 'pass',
    conditions: [],
    phases: {},
    attempts: 1,
  };
}

function gate(service: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'gate', '--service', service, '--server', server.url, '--token', ADMIN],
      { timeout: 30_000 },
      (err, stdout) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ballast-gate-'));
  await writeFile(join(dir, 'specs.yaml'), SPECS);
  server = await startServer({ port: 0, inMemory: true, specsDir: dir, adminToken: ADMIN, runChecks: false });
  await server.context.checks.record(result('frozen-web', 'frozen', Date.now() - 10_000));
  // Ten runs of a once-a-minute check have been missed since.
  await server.context.checks.record(result('stale-web', 'stale', NOW - 10 * 60_000));
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ballast gate on a real server', () => {
  it('a freeze in the ErrorBudgetPolicy closes the gate (exit 1) with the freeze line', async () => {
    const { code, stdout } = await gate('frozen');
    expect(code).toBe(1);
    expect(stdout).toContain('gate CLOSED for frozen');
    expect(stdout).toContain(
      `  FAIL freeze "release freeze" is active until ${iso(Date.parse(iso(NOW + 24 * HOUR)))} (policy frozen-policy)`,
    );
    expect(stdout).toContain('  ok   check frozen-web passes');
  });

  it('a pass older than three runs (and 5 minutes) is stale, and a check that never ran too', async () => {
    const { code, stdout } = await gate('stale');
    expect(code).toBe(1);
    expect(stdout).toContain(
      `  FAIL check stale-web is stale: last ran at ${iso(NOW - 10 * 60_000)} (a result counts for three runs of the check, at least 5 minutes)`,
    );
    expect(stdout).toContain('  FAIL check stale-never is stale: it has never run');
  });

  it('an SLO without data fails closed by default', async () => {
    const { code, stdout } = await gate('nodata');
    expect(code).toBe(1);
    expect(stdout).toContain(
      '  FAIL SLO nodata-avail has no data yet: the gate fails closed (an ErrorBudgetPolicy with whenNoData: pass lets it through)',
    );
  });

  it('whenNoData: pass in the policy lets an SLO without data through (exit 0)', async () => {
    const { code, stdout } = await gate('nodata-ok');
    expect(stdout).toContain('gate OPEN for nodata-ok');
    expect(stdout).toContain(
      '  ok   SLO nodata-ok-avail has no data yet (not judged: whenNoData: pass in policy new-service)',
    );
    expect(code).toBe(0);
  });
});
