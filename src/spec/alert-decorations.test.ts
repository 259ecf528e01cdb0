/** Alert names, labels and annotations from Sloth's `alerting` block and Ballast's `spec.alerting`. */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadSpecSources } from './index.ts';

/** A Sloth file with one events SLO whose `alerting:` block is `alerting` (indented 6). */
function slothWith(alerting: string): string {
  return `version: prometheus/v1
service: myservice
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        errorQuery: errors[{{.window}}]
        totalQuery: total[{{.window}}]
    alerting:
${alerting}`;
}

/** An OpenSLO SLO fed by Ballast events whose `spec.alerting` is `alerting` (indented 4). */
function openSloWith(alerting: string): string {
  return `apiVersion: openslo/v1
kind: Service
metadata:
  name: shop
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: shop-slo
spec:
  service: shop
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
  indicator:
    metadata:
      name: inline
    spec:
      ratioMetric:
        good: {}
        total: {}
  alerting:
${alerting}`;
}

describe('Sloth alerting blocks map onto AlertingConfig', () => {
  it('name, labels, annotations and the page and ticket alerts each land in their field', () => {
    const content = slothWith(`      name: MyServiceHighErrorRate
      labels: { category: availability }
      annotations: { runbook: https://runbooks.example.com/a }
      pageAlert:
        labels: { routing_key: myteam }
        annotations: { summary: Page now }
      ticketAlert:
        labels: { slack_channel: "#myteam" }
`);
    const bundle = loadSpecSources([{ file: 'sloth.yaml', content }]);
    expect(bundle.diagnostics).toEqual([]);
    expect(bundle.slos[0]?.alerting).toMatchObject({
      alertName: 'MyServiceHighErrorRate',
      labels: { category: 'availability' },
      annotations: { runbook: 'https://runbooks.example.com/a' },
      severityLabels: { page: { routing_key: 'myteam' }, ticket: { slack_channel: '#myteam' } },
      severityAnnotations: { page: { summary: 'Page now' } },
    });
  });

  it('a disabled alert drops its windows and its labels', () => {
    const content = slothWith(
      '      pageAlert:\n        disable: true\n        labels: { routing_key: myteam }\n',
    );
    const alerting = loadSpecSources([{ file: 'sloth.yaml', content }]).slos[0]?.alerting;
    expect(alerting?.windows.map((w) => w.severity)).toEqual(['ticket', 'ticket']);
    expect(alerting?.severityLabels).toBeUndefined();
    expect(alerting?.alertName).toBeUndefined();
  });

  it.each([
    [
      'an alert name that is not a metric name',
      '      name: my-alert\n',
      'sloth.yaml:11:13: error: slos[0].alerting.name: "my-alert" is not a valid alert name: use letters, digits, _ and :',
    ],
    [
      'a label name Prometheus rejects',
      '      labels: { team-name: a }\n',
      'sloth.yaml:11:28: error: slos[0].alerting.labels.team-name: "team-name" is not a Prometheus label name',
    ],
    [
      'a reserved annotation name on the page alert',
      '      pageAlert:\n        annotations: { __x: a }\n',
      'sloth.yaml:12:29: error: slos[0].alerting.pageAlert.annotations.__x: "__x": names starting with __ are reserved',
    ],
  ])('%s is an error at the field', (_name, alerting, expected) => {
    const bundle = loadSpecSources([{ file: 'sloth.yaml', content: slothWith(alerting) }]);
    expect(bundle.diagnostics.map(formatDiagnostic)).toEqual([expected]);
  });
});

describe("Ballast's spec.alerting extension carries the same fields for OpenSLO SLOs", () => {
  it('per-severity maps follow severityValues, merged over the original severity name', () => {
    const content = openSloWith(`    alertName: ShopSloBurn
    labels: { team: shop }
    annotations: { runbook: https://runbooks.example.com/shop }
    severityValues: { page: critical }
    severityLabels:
      page: { routing_key: shop, pager: "yes" }
      critical: { pager: sure }
      ticket: { slack_channel: "#shop" }
    severityAnnotations:
      ticket: { summary: Look tomorrow }
`);
    const bundle = loadSpecSources([{ file: 'slo.yaml', content }]);
    expect(bundle.diagnostics).toEqual([]);
    const alerting = bundle.slos[0]?.alerting;
    expect(alerting?.windows.map((w) => w.severity)).toEqual(['critical', 'critical', 'ticket', 'ticket']);
    expect(alerting).toMatchObject({
      alertName: 'ShopSloBurn',
      labels: { team: 'shop' },
      annotations: { runbook: 'https://runbooks.example.com/shop' },
      severityLabels: {
        critical: { routing_key: 'shop', pager: 'sure' },
        ticket: { slack_channel: '#shop' },
      },
      severityAnnotations: { ticket: { summary: 'Look tomorrow' } },
    });
  });

  it('a label value that is not a string is an error at the value', () => {
    const bundle = loadSpecSources([{ file: 'slo.yaml', content: openSloWith('    labels: { tier: 2 }\n') }]);
    expect(bundle.diagnostics.map(formatDiagnostic)).toEqual([
      'slo.yaml:23:21: error: spec.alerting.labels.tier: expected string, got number 2',
    ]);
  });
});
