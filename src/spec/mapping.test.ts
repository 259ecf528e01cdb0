import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS, type SloDefinition } from '../slo/model.ts';
import { defaultAlerting, formatDiagnostic, loadSpecDirectory, loadSpecSources } from './index.ts';
// examples/ holds every kind, including the ones capabilities register (LoadTest, Check, on-call kinds).
import '../capabilities.ts';

const SERVICE = 'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: shop\n---\n';
/** The check a BallastCheck source names (a reference to a missing Check is an error). */
const CHECK =
  'apiVersion: ballast.dev/v1\nkind: Check\nmetadata:\n  name: home-page\nspec:\n  service: shop\n  type: http\n  http:\n    url: http://127.0.0.1:8080/\n---\n';
const PROM = `apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prom
spec:
  type: Prometheus
  connectionDetails:
    - url: http://127.0.0.1:9090
---
`;

/** An SLO around `indicator` (YAML under `spec.indicator.spec`, indented 6) and extra spec lines. */
function sloWith(
  indicator: string,
  extra = '  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.99\n',
): SloDefinition {
  const content = `${SERVICE}${CHECK}${PROM}apiVersion: openslo/v1
kind: SLO
metadata:
  name: shop-slo
  labels:
    team: [a, b]
spec:
  service: shop
  indicator:
    metadata:
      name: inline
    spec:
${indicator}${extra}`;
  const bundle = loadSpecSources([{ file: 'm.yaml', content }]);
  expect(bundle.diagnostics.map(formatDiagnostic)).toEqual([]);
  expect(bundle.slos).toHaveLength(1);
  return bundle.slos[0] as SloDefinition;
}

const q = (query: string, ref = true) =>
  `metricSource:\n${ref ? '  metricSourceRef: prom\n' : '  type: Prometheus\n'}  spec:\n    query: ${query}\n`;
const indent = (text: string, n: number) =>
  text
    .split('\n')
    .map((l) => (l ? ' '.repeat(n) + l : l))
    .join('\n');

describe('OpenSLO indicators map to the model', () => {
  it.each([
    [
      'good over total with Ballast events',
      '      ratioMetric:\n        good:\n          metricSource:\n            type: Ballast\n            spec: {}\n        total: {}\n',
      { type: 'ratio', counts: 'good', source: { kind: 'events' } },
    ],
    [
      'bad over total from Prometheus through a DataSource',
      `      ratioMetric:\n        bad:\n${indent(q('errors'), 10)}        total:\n${indent(q('requests'), 10)}`,
      {
        type: 'ratio',
        counts: 'bad',
        source: {
          kind: 'prometheus',
          dataSource: 'prom',
          query: { type: 'ratio', bad: 'errors', total: 'requests' },
        },
      },
    ],
    [
      'a raw success ratio from Prometheus',
      `      ratioMetric:\n        rawType: success\n        raw:\n${indent(q('ok_ratio', false), 10)}`,
      {
        type: 'ratio',
        source: { kind: 'prometheus', query: { type: 'rawSuccessRatio', successRatio: 'ok_ratio' } },
      },
    ],
    [
      'a raw failure ratio from Prometheus',
      `      ratioMetric:\n        rawType: failure\n        raw:\n${indent(q('err_ratio'), 10)}`,
      {
        type: 'ratio',
        source: {
          kind: 'prometheus',
          dataSource: 'prom',
          query: { type: 'rawErrorRatio', errorRatio: 'err_ratio' },
        },
      },
    ],
    [
      'a check result stream via BallastCheck',
      '      ratioMetric:\n        good:\n          metricSource:\n            type: BallastCheck\n            spec:\n              check: home-page\n        total:\n          metricSource:\n            type: BallastCheck\n            spec:\n              check: home-page\n',
      { type: 'ratio', counts: 'good', source: { kind: 'check', check: 'home-page' } },
    ],
  ])('%s', (_name, indicator, expected) => {
    expect(sloWith(indicator).indicator).toEqual(expected);
  });

  it('a threshold metric takes op and value from the objective', () => {
    const slo = sloWith(
      `      thresholdMetric:\n${indent(q('latency_ms'), 8)}`,
      '  budgetingMethod: Occurrences\n  objectives:\n    - op: lte\n      value: 300\n      targetPercent: 99\n',
    );
    expect(slo.indicator).toEqual({
      type: 'threshold',
      source: { kind: 'prometheus', dataSource: 'prom', query: { type: 'threshold', metric: 'latency_ms' } },
      threshold: { op: 'lte', value: 300 },
    });
    expect(slo.objective).toBe(0.99);
  });

  it('an SLO without timeWindow is 30 days rolling with scaled default alerting and flattened labels', () => {
    const slo = sloWith('      ratioMetric:\n        good: {}\n        total: {}\n');
    expect(slo.timeWindow).toEqual({ kind: 'rolling', durationMs: 30 * DAY_MS });
    expect(slo.alerting).toEqual(defaultAlerting(30 * DAY_MS));
    expect(slo.labels).toEqual({ team: 'a,b' });
  });
});

const EVENTS = '      ratioMetric:\n        good: {}\n        total: {}\n';

describe('windows and budgeting methods map to the model', () => {
  it('a calendar month keeps its unit, anchor and zone; alert windows use the nominal 30 days', () => {
    const slo = sloWith(
      EVENTS,
      '  timeWindow:\n    - duration: 1M\n      calendar:\n        startTime: 2024-01-01T00:00\n        timeZone: Europe/Berlin\n  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.999\n',
    );
    expect(slo.timeWindow).toEqual({
      kind: 'calendar',
      unit: 'Month',
      count: 1,
      startTime: '2024-01-01 00:00:00',
      timeZone: 'Europe/Berlin',
    });
    expect(slo.alerting.windows).toEqual(defaultAlerting(30 * DAY_MS).windows);
  });

  it('a calendar quarter scales alert windows by 90 days', () => {
    const slo = sloWith(
      EVENTS,
      '  timeWindow:\n    - duration: 1Q\n      isRolling: false\n  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.999\n',
    );
    expect(slo.timeWindow).toMatchObject({ kind: 'calendar', unit: 'Quarter', timeZone: 'UTC' });
    expect(slo.alerting.windows[0]?.longWindowMs).toBe(3 * HOUR_MS);
  });

  it.each([
    [
      'Timeslices keeps the slice length and target',
      'Timeslices',
      '      timeSliceTarget: 0.95\n      timeSliceWindow: 5m\n',
      { timesliceMs: 5 * MINUTE_MS, timesliceTarget: 0.95 },
    ],
    [
      'RatioTimeslices takes minutes as a bare number',
      'RatioTimeslices',
      '      timeSliceWindow: 2\n',
      { timesliceMs: 2 * MINUTE_MS },
    ],
  ])('%s', (_name, method, objective, expected) => {
    const slo = sloWith(
      EVENTS,
      `  budgetingMethod: ${method}\n  objectives:\n    - target: 0.99\n${objective}`,
    );
    expect(slo.budgetingMethod).toBe(method);
    expect(slo).toMatchObject(expected);
  });
});

describe('alerting overrides', () => {
  const policy = `apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: fast
spec:
  conditions:
    - kind: AlertCondition
      metadata:
        name: fast-burn
      spec:
        condition:
          kind: burnrate
          threshold: 10
          lookbackWindow: 2h
          alertAfter: 10m
    - conditionRef: slow
---
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: slow
spec:
  severity: ticket
  condition:
    kind: burnrate
    op: gt
    threshold: 2
    lookbackWindow: 1d
---
`;
  const slo = (extra: string, metadata = '') =>
    loadSpecSources([
      {
        file: 'a.yaml',
        content: `${SERVICE}${policy}apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: s\n${metadata}spec:\n  service: shop\n  indicator:\n    spec:\n${EVENTS}  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.99\n${extra}`,
      },
    ]);

  it('an attached AlertPolicy replaces the default windows; severity falls back to the condition name', () => {
    const bundle = slo('  alertPolicies:\n    - fast\n');
    expect(bundle.diagnostics).toEqual([]);
    expect(bundle.slos[0]?.alerting.windows).toEqual([
      { severity: 'fast-burn', longWindowMs: 2 * HOUR_MS, shortWindowMs: 10 * MINUTE_MS, burnRate: 10 },
      { severity: 'ticket', longWindowMs: DAY_MS, shortWindowMs: 2 * HOUR_MS, burnRate: 2 },
    ]);
  });

  it('spec.alerting sets windows, guard, no-data, label, renamed severities and the Alertmanager URL', () => {
    const bundle = slo(
      '  alerting:\n    windows:\n      - severity: page\n        longWindow: 30m\n        shortWindow: 2m\n        burnRate: 20\n    minEvents: 50\n    noDataAfter: 15m\n    severityLabel: urgency\n    severityValues:\n      page: critical\n    alertmanagerUrl: http://127.0.0.1:9093\n',
    );
    expect(bundle.diagnostics).toEqual([]);
    expect(bundle.slos[0]?.alerting).toEqual({
      windows: [
        { severity: 'critical', longWindowMs: 30 * MINUTE_MS, shortWindowMs: 2 * MINUTE_MS, burnRate: 20 },
      ],
      minEvents: 50,
      noDataAfterMs: 15 * MINUTE_MS,
      severityLabel: 'urgency',
      alertmanagerUrl: 'http://127.0.0.1:9093',
    });
  });

  it('annotations set the scalar settings and keep the default windows', () => {
    const bundle = slo(
      '',
      '  annotations:\n    ballast.dev/min-events: "25"\n    ballast.dev/no-data-after: 5m\n    ballast.dev/alertmanager-url: http://127.0.0.1:9093\n',
    );
    expect(bundle.diagnostics).toEqual([]);
    expect(bundle.slos[0]?.alerting).toMatchObject({
      minEvents: 25,
      noDataAfterMs: 5 * MINUTE_MS,
      alertmanagerUrl: 'http://127.0.0.1:9093',
    });
    expect(bundle.slos[0]?.alerting.windows).toEqual(defaultAlerting(30 * DAY_MS).windows);
  });

  it('a malformed annotation is an error at the annotation', () => {
    const bundle = slo('', '  annotations:\n    ballast.dev/min-events: lots\n');
    expect(bundle.diagnostics.map(formatDiagnostic)).toEqual([
      'a.yaml:40:29: error: ballast.dev/min-events must be a whole number, got "lots"',
    ]);
  });
});

describe('Sloth prometheus/v1 import', () => {
  const slos = `  - name: requests-availability
    objective: 99.9
    description: no 5xx
    labels:
      category: availability
    sli:
      events:
        errorQuery: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        totalQuery: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: HighErrorRate
      ticketAlert:
        disable: true
  - name: ratio
    objective: 99
    sli:
      raw:
        errorRatioQuery: error_ratio[{{.window}}]
`;
  const file = `version: "prometheus/v1"\nservice: myservice\nlabels:\n  owner: team-a\nslos:\n${slos}`;
  const crd = `apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\nmetadata:\n  name: myservice-slos\n  namespace: monitoring\nspec:\n  service: myservice\n  labels:\n    owner: team-a\n  slos:\n${indent(slos, 2)}`;

  it.each([
    ['the plain file form', file],
    ['the Kubernetes CRD form', crd],
  ])('%s becomes a service and 30-day Occurrences SLOs', (_name, content) => {
    const bundle = loadSpecSources([{ file: 'sloth.yaml', content }]);
    expect(bundle.diagnostics).toEqual([]);
    expect(bundle.services).toEqual([{ name: 'myservice', labels: { owner: 'team-a' } }]);
    const availability = bundle.slos.find((s) => s.name === 'myservice-requests-availability');
    const ratio = bundle.slos.find((s) => s.name === 'myservice-ratio');
    expect(availability).toEqual({
      name: 'myservice-requests-availability',
      service: 'myservice',
      description: 'no 5xx',
      objective: 0.999,
      timeWindow: { kind: 'rolling', durationMs: 30 * DAY_MS },
      budgetingMethod: 'Occurrences',
      indicator: {
        type: 'ratio',
        counts: 'bad',
        source: {
          kind: 'prometheus',
          query: {
            type: 'ratio',
            bad: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
            total: 'sum(rate(http_requests_total[{{.window}}]))',
          },
        },
      },
      alerting: {
        ...defaultAlerting(30 * DAY_MS),
        windows: defaultAlerting(30 * DAY_MS).windows.filter((w) => w.severity === 'page'),
        alertName: 'HighErrorRate',
      },
      labels: { owner: 'team-a', category: 'availability' },
    });
    expect(ratio?.indicator.source).toEqual({
      kind: 'prometheus',
      query: { type: 'rawErrorRatio', errorRatio: 'error_ratio[{{.window}}]' },
    });
    expect(ratio?.objective).toBe(0.99);
  });

  it('a Sloth objective outside (0, 100) is an error at the objective', () => {
    const bundle = loadSpecSources([
      { file: 'sloth.yaml', content: file.replace('objective: 99.9', 'objective: 100') },
    ]);
    expect(bundle.diagnostics.map(formatDiagnostic)).toEqual([
      'sloth.yaml:7:16: error: slos[0].objective: objective is a percentage in (0, 100), got 100',
    ]);
  });
});

describe('the examples directory', () => {
  it('validates with no diagnostics and yields the demo services and SLOs', async () => {
    const bundle = await loadSpecDirectory('examples');
    expect(bundle.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(bundle.services.map((s) => s.name).sort()).toEqual(['checkout', 'payments-api', 'rides-dispatch']);
    const kinds = new Set(
      bundle.slos.map((s) => `${s.budgetingMethod}/${s.timeWindow.kind}/${s.indicator.source.kind}`),
    );
    expect(kinds).toEqual(
      new Set([
        'Occurrences/rolling/events',
        'Timeslices/rolling/events',
        'Occurrences/calendar/events',
        'Occurrences/rolling/prometheus',
      ]),
    );
    expect(bundle.slos.find((s) => s.timeWindow.kind === 'calendar')?.timeWindow).toMatchObject({
      timeZone: 'Europe/Berlin',
    });
  });
});

describe('Service allowedHosts (Ballast extension)', () => {
  const service = (hosts: string) => `apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
spec:
  allowedHosts: ${hosts}
`;

  it('maps the hosts a service lets load tests target', () => {
    const bundle = loadSpecSources([
      { file: 's.yaml', content: service('[staging.example.internal, 10.0.0.7]') },
    ]);
    expect(bundle.diagnostics).toEqual([]);
    expect(bundle.services[0]?.allowedHosts).toEqual(['staging.example.internal', '10.0.0.7']);
  });

  it('refuses a URL where a host is expected, at the value', () => {
    const bundle = loadSpecSources([
      { file: 's.yaml', content: service('[http://staging.example.internal]') },
    ]);
    expect(bundle.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/^s\.yaml:6:18: error: .*host name or IP address/),
    ]);
  });
});
