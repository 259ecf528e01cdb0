import { describe, expect, it } from 'vitest';
import '../../capabilities.ts';
import { formatDiagnostic, loadSpecSources } from '../../spec/index.ts';
import { experimentFromDocument } from './model.ts';

const FILE = 'exp.yaml';
const BASE = `apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
---
apiVersion: ballast.dev/v1
kind: Check
metadata:
  name: checkout-api
spec:
  service: checkout
  type: http
  http:
    url: http://127.0.0.1:8080/health
---
`;

function load(spec: string) {
  const content = `${BASE}apiVersion: ballast.dev/v1
kind: Experiment
metadata:
  name: db-latency
spec:
${spec}`;
  const bundle = loadSpecSources([{ file: FILE, content }]);
  const doc = bundle.documents.find((d) => d.kind === 'Experiment');
  if (!doc) throw new Error('no experiment document');
  const mapped = experimentFromDocument(doc);
  // The loader reports schema errors itself; the mapper's own come on top only when the schema passed.
  const diagnostics = bundle.diagnostics.length > 0 ? bundle.diagnostics : mapped.diagnostics;
  return { ...mapped, all: diagnostics.map(formatDiagnostic) };
}

const GOOD = `  service: checkout
  leaseTtl: 5s
  probeInterval: 1s
  steadyState:
    probes:
      - name: api-up
        check: checkout-api
      - name: health
        http: { url: "http://127.0.0.1:8080/health", timeout: 2s }
  method:
    - name: pg-latency
      toxic: { proxy: postgres, type: latency, attributes: { latency: 200 } }
      duration: 10s
    - pause: 2s
  abort:
    - probe: health
`;

describe('experimentFromDocument', () => {
  it('maps durations, defaults and abort references', () => {
    const { experiment, all } = load(GOOD);
    expect(all).toEqual([]);
    expect(experiment?.leaseTtlMs).toBe(5_000);
    expect(experiment?.probeIntervalMs).toBe(1_000);
    expect(experiment?.recoveryTimeoutMs).toBe(120_000);
    expect(experiment?.daemon).toBe('http://127.0.0.1:8474');
    expect(experiment?.method[0]).toMatchObject({ kind: 'fault', fault: 'toxic', durationMs: 10_000 });
    expect(experiment?.method[1]).toMatchObject({ kind: 'pause', name: 'step-2', durationMs: 2_000 });
    expect(experiment?.steadyState[1]).toMatchObject({ kind: 'http', conditions: ['[STATUS] < 400'] });
    expect(experiment?.abort.map((p) => p.name)).toEqual(['health']);
  });

  const bad: { name: string; spec: string; message: string }[] = [
    {
      name: 'a probe with two kinds is refused at the probe',
      spec: GOOD.replace('        check: checkout-api', '        check: checkout-api\n        slo: x'),
      message:
        'exp.yaml:26:9: error: spec.steadyState.probes[0]: probe api-up needs exactly one of check, http, slo, promql (has check and slo)',
    },
    {
      name: 'a fault step without duration names the step',
      spec: GOOD.replace('      duration: 10s\n', ''),
      message: 'a fault step needs duration, e.g. 30s',
    },
    {
      name: 'an abort rule naming an unknown probe lists the known ones',
      spec: GOOD.replace('probe: health', 'probe: healthz'),
      message: 'abort rule names probe "healthz", which is not a steady-state probe: they are api-up, health',
    },
    {
      name: 'a check that does not exist is named',
      spec: GOOD.replace('check: checkout-api', 'check: nope'),
      message: 'probe names check "nope", which is not defined: defined checks are checkout-api',
    },
    {
      name: 'an unknown service is named',
      spec: GOOD.replace('service: checkout\n  leaseTtl', 'service: payments\n  leaseTtl'),
      message: 'service "payments" is not defined',
    },
    {
      name: 'an slo probe without a bound says what it needs',
      spec: GOOD.replace('        check: checkout-api', '        slo: x\n        window: 5m'),
      message: 'an slo probe needs maxBurnRate, e.g. 10',
    },
    {
      name: 'a method longer than the blast radius allows is refused at maxDuration',
      spec: `${GOOD}  blastRadius: { maxDuration: 5s }\n`,
      message: 'the method takes 12s; blastRadius.maxDuration allows 5s',
    },
    {
      name: 'two faults at once above maxFaults are refused',
      spec: GOOD.replace(
        '      duration: 10s\n',
        '      duration: 10s\n      background: true\n    - name: b\n      toxic: { proxy: redis, type: timeout }\n      duration: 1s\n',
      ).concat('  blastRadius: { maxFaults: 1 }\n'),
      message: 'the method holds 2 faults at once; blastRadius.maxFaults allows 1',
    },
    {
      name: 'a toxicity above maxToxicity is refused at the toxic',
      spec: `${GOOD}  blastRadius: { maxToxicity: 0.5 }\n`,
      message: 'toxicity 1 is above blastRadius.maxToxicity 0.5',
    },
    {
      name: "an unknown toxic type is refused at the step with the daemon validator's words",
      spec: GOOD.replace('type: latency', 'type: lantency'),
      message: 'step pg-latency:',
    },
    {
      name: 'an http fault rule with a percentage over 100 names the field',
      spec: GOOD.replace(
        '      toxic: { proxy: postgres, type: latency, attributes: { latency: 200 } }',
        '      http: { proxy: web, rule: { percentage: 150, abort: { status: 503 } } }',
      ),
      message: 'step pg-latency:',
    },
    {
      name: 'a host fault with an unknown kind lists the kinds',
      spec: GOOD.replace(
        '      toxic: { proxy: postgres, type: latency, attributes: { latency: 200 } }',
        '      host: { kind: explode }',
      ),
      message: 'must be one of',
    },
    {
      name: 'an unknown field is refused',
      spec: `${GOOD}  colour: red\n`,
      message: 'colour',
    },
  ];
  for (const c of bad)
    it(c.name, () => {
      const { experiment, all } = load(c.spec);
      expect(all.join('\n')).toContain(c.message);
      if (!c.message.includes('not defined')) expect(experiment).toBeUndefined();
    });
});
