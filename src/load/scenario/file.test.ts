import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../spec/index.ts';
import { loadPlansFromFile } from './file.ts';

let dir: string;
/** Services and SLOs live apart from the LoadTest files, as `--specs DIR`. */
let specs: string;

const SERVICE = `apiVersion: openslo/v1
kind: Service
metadata: { name: checkout }
spec:
  allowedHosts: [staging.example.internal]
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout-latency }
spec:
  service: checkout
  indicator:
    metadata: { name: lat }
    spec:
      thresholdMetric: { metricSource: { type: Ballast } }
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ op: lte, value: 300, target: 0.99 }]
`;

function loadTest(extra: string): string {
  return `apiVersion: ballast.dev/v1
kind: LoadTest
metadata: { name: peak }
spec:
  executor: { type: constant-arrival-rate, rate: 50, timeUnit: 1s, duration: 10s }
${extra}`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ballast-lt-'));
  specs = join(dir, 'specs');
  await mkdir(specs);
  await writeFile(join(specs, 'services.yaml'), SERVICE);
  await writeFile(join(dir, 'users.csv'), 'id,name\n1,ann\n2,"b, c"\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(name: string, text: string, specsDir?: string) {
  const file = join(dir, name);
  await writeFile(file, text);
  return loadPlansFromFile(file, specsDir === undefined ? {} : { specsDir });
}

describe('loadPlansFromFile', () => {
  it('a valid LoadTest with --specs maps to a plan with defaults, absolute data paths and the SLO', async () => {
    const r = await load(
      'ok.yaml',
      loadTest(`  service: checkout
  variables: [{ name: user, csv: users.csv }]
  requests:
    - { method: POST, url: "http://127.0.0.1:9/o?u=\${user.id}", body: "\${user.name}", checks: [{ status: 201 }, { maxLatency: 2s }] }
  thresholds: ["p(99) < 300ms", { slo: checkout-latency, maxBurnRate: 2, window: 10s }]`),
      specs,
    );
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.plans).toHaveLength(1);
    const plan = r.plans[0];
    expect(plan?.executor).toEqual({
      executor: 'constant-arrival-rate',
      rate: 50,
      timeUnitMs: 1000,
      durationMs: 10_000,
    });
    expect(plan?.service).toBe('checkout');
    expect(plan?.requests[0]).toMatchObject({
      name: 'POST /o',
      weight: 1,
      checks: [
        { kind: 'status', in: [201] },
        { kind: 'maxLatencyMs', value: 2000 },
      ],
    });
    expect(plan?.variables).toEqual([
      { kind: 'csv', name: 'user', file: join(dir, 'users.csv'), order: 'sequential' },
    ]);
    expect(plan?.thresholds[1]).toEqual({
      kind: 'slo',
      slo: 'checkout-latency',
      maxBurnRate: 2,
      abortOnFail: false,
      windowMs: 10_000,
    });
    expect(plan?.http.maxConnections).toBe(100);
    expect(plan?.limits.maxRatePerSecond).toBe(5000);
    expect(r.slos.get('checkout-latency')?.objective).toBe(0.99);
  });

  it.each([
    [
      'an unknown service is reported at the service field',
      '  service: nope\n  requests: [{ url: "http://127.0.0.1/" }]',
      ':6:12: error: unknown service "nope"',
    ],
    [
      'a dangling SLO threshold is reported at the slo field',
      '  requests: [{ url: "http://127.0.0.1/" }]\n  thresholds: [{ slo: missing }]',
      ':7:23: error: unknown SLO "missing"',
    ],
    [
      'a missing data file is reported at the file field',
      '  variables: [{ name: u, csv: nope.csv }]\n  requests: [{ url: "http://127.0.0.1/${u.id}" }]',
      ':6:31: error: data file not found',
    ],
    [
      'a column the data file lacks is reported at the request field',
      '  variables: [{ name: u, csv: users.csv }]\n  requests: [{ url: "http://127.0.0.1/${u.email}" }]',
      'has no column "email" (columns: id, name)',
    ],
    [
      'a rate over the cap is reported at the executor with the way to raise it',
      '  limits: { maxRate: 10 }\n  requests: [{ url: "http://127.0.0.1/" }]',
      'peak rate 50 req/s is above the cap of 10 req/s: raise it with limits.maxRate',
    ],
  ])('%s', async (_name, extra, expected) => {
    const r = await load('bad.yaml', loadTest(extra), specs);
    const out = r.diagnostics.map(formatDiagnostic);
    expect(r.plans).toEqual([]);
    expect(out).toEqual([expect.stringContaining(expected)]);
  });

  it("a service's allowedHosts become the plan's allowed hosts, with the spec's own", async () => {
    const r = await load(
      'allowed.yaml',
      loadTest(`  service: checkout
  allowHosts: [perf.example.internal]
  requests: [{ url: http://127.0.0.1:9/ }]
`),
      specs,
    );
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect([...(r.plans[0]?.allowHosts ?? [])].sort()).toEqual([
      'perf.example.internal',
      'staging.example.internal',
    ]);
  });

  it('without --specs a referenced service is unknown', async () => {
    const r = await load(
      'alone.yaml',
      loadTest('  service: checkout\n  requests: [{ url: "http://127.0.0.1/" }]'),
    );
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining('unknown service "checkout"'),
    ]);
  });

  it('schema errors are reported once, not again by the mapper', async () => {
    const r = await load('schema.yaml', loadTest('  requests: [{ url: "http://127.0.0.1/", weight: -1 }]'));
    expect(r.diagnostics.filter((d) => d.message.includes('weight'))).toHaveLength(1);
  });

  it('a file without a LoadTest says so', async () => {
    const r = await load('none.yaml', SERVICE);
    expect(r.diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('no LoadTest document')]);
  });

  it('a missing file is a diagnostic, not a throw', async () => {
    const r = await loadPlansFromFile(join(dir, 'missing.yaml'));
    expect(r.diagnostics[0]?.message).toBe('file not found');
  });
});
