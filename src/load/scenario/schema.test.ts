import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadSpecSources } from '../../spec/index.ts';
import './index.ts';

/** A LoadTest with one spec field replaced (YAML text, so positions are real). */
function doc(spec: string): string {
  return `apiVersion: ballast.dev/v1
kind: LoadTest
metadata: { name: t }
spec:
${spec}`;
}

const base = {
  executor: '  executor: { type: constant-arrival-rate, rate: 10, duration: 5s }',
  requests: '  requests:\n    - url: http://127.0.0.1:8080/',
};

function validate(text: string): string[] {
  return loadSpecSources([{ file: 'lt.yaml', content: text }]).diagnostics.map(formatDiagnostic);
}

describe('the LoadTest schema in ballast validate', () => {
  it('a complete example validates without diagnostics', () => {
    const text =
      doc(`  executor: { type: ramping-arrival-rate, startRate: 1, timeUnit: 1m, stages: [{ duration: 30s, target: 50 }] }
  http: { maxConnections: 10, pipelining: 2, timeout: 2s, insecureSkipVerify: true, keepAlive: false }
  limits: { maxRate: 100, maxDuration: 1m, maxVUs: 5 }
  allowHosts: [staging.internal]
  variables:
    - { name: user, json: users.json, order: random }
    - { name: n, sequence: {} }
  requests:
    - { name: a, weight: 2, method: PUT, url: "http://127.0.0.1/x/\${n}?u=\${user.id}", headers: { x-n: "\${n}", x-k: 3 }, body: "\${user.name}", checks: [{ status: 200 }, { header: x, equals: y }], tags: { a: b } }
  thresholds: ["p(99) < 1s", { expr: "rps > 1", abortOnFail: true, window: 5s, delayAbortEval: 0s }, { slo: s, maxBurnRate: 2 }]
  tags: { team: x }
  workers: 2`);
    expect(validate(text)).toEqual([]);
  });

  it.each([
    [
      'an unknown executor type names the choices',
      `  executor: { type: warp-speed, rate: 1 }\n${base.requests}`,
      'lt.yaml:5:21: error: spec.executor.type: unknown executor type "warp-speed"',
    ],
    [
      'a negative rate points at the rate',
      `  executor: { type: constant-arrival-rate, rate: -5, duration: 5s }\n${base.requests}`,
      'lt.yaml:5:50: error: spec.executor.rate: rate must be greater than 0',
    ],
    [
      'a malformed duration points at it',
      `  executor: { type: constant-vus, vus: 2, duration: 5 minutes }\n${base.requests}`,
      'lt.yaml:5:53: error: spec.executor.duration: malformed duration "5 minutes"',
    ],
    [
      'a bad threshold expression points at the expression',
      `${base.executor}\n${base.requests}\n  thresholds:\n    - p(99) < 3x`,
      'lt.yaml:9:7: error: spec.thresholds[0]: threshold "p(99) < 3x": unexpected \'x\' at column 10',
    ],
    [
      'a bad expression inside an object points at expr',
      `${base.executor}\n${base.requests}\n  thresholds:\n    - { expr: "avg <" }`,
      'lt.yaml:9:15: error: spec.thresholds[0].expr: threshold "avg <"',
    ],
    [
      'an unknown field points at its key',
      `${base.executor}\n${base.requests}\n  rampUp: 5s`,
      'lt.yaml:8:3: error: unknown field "rampUp" in spec',
    ],
    [
      'a placeholder naming no variable points at the field',
      `${base.executor}\n  requests:\n    - url: "http://127.0.0.1/\${who}"`,
      'lt.yaml:7:12: error: spec.requests[0].url: unknown variable "who" in ${who}',
    ],
    [
      'a data variable used without a column is refused',
      `${base.executor}\n  variables: [{ name: u, csv: u.csv }]\n  requests:\n    - { url: "http://127.0.0.1/", body: "\${u}" }`,
      'needs a column',
    ],
    [
      'a variable with two sources is refused',
      `${base.executor}\n  variables: [{ name: u, uuid: {}, sequence: {} }]\n${base.requests}`,
      'give exactly one source',
    ],
    ['a missing requests list is reported', base.executor, 'missing required field spec.requests'],
    [
      'a relative URL is refused',
      `${base.executor}\n  requests: [{ url: /health }]`,
      'url must be an absolute http:// or https:// URL',
    ],
  ])('%s', (_name, text, expected) => {
    const out = validate(doc(text));
    expect(
      out.some((line) => line.includes(expected)),
      out.join('\n'),
    ).toBe(true);
  });
});
