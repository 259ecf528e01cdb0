import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AlertTransition } from '../slo/model.ts';
import { loadSpecSources } from '../spec/index.ts';
import { toAlertmanagerAlert } from './alertmanager.ts';

const file = 'src/slo/golden/specs/sloth-alerting.yaml';
const bundle = loadSpecSources([{ file, content: readFileSync(file, 'utf8') }]);
const def = bundle.slos.find((s) => s.name === 'myservice-requests-availability')!;

function transition(severity: string): AlertTransition {
  return {
    slo: def.name,
    service: def.service,
    severity,
    from: 'ok',
    to: 'firing',
    at: Date.UTC(2026, 0, 1),
    reason: '1h burn 20 > 14.4 and 5m burn 30 > 14.4',
    burnRates: { '5m': 30, '1h': 20 },
  };
}

describe('toAlertmanagerAlert', () => {
  it('names the alert and adds the labels and annotations the spec gives, as the Prometheus rules do', () => {
    const alert = toAlertmanagerAlert(transition('page'), def, undefined);
    expect(alert.labels).toMatchObject({
      alertname: 'MyServiceHighErrorRate',
      category: 'alerting-availability',
      routing_key: 'myteam',
      ballast_slo: def.name,
      service: 'myservice',
      severity: 'page',
    });
    expect(alert.annotations).toMatchObject({
      summary: "High error rate on 'myservice' requests responses",
      runbook: 'https://runbooks.example.com/myservice/availability',
      dashboard: 'https://grafana.example.com/d/myservice',
    });
  });

  it('keeps per-severity labels to their own severity', () => {
    const alert = toAlertmanagerAlert(transition('ticket'), def, undefined);
    expect(alert.labels.slack_channel).toBe('#alerts-myteam');
    expect(alert.labels.routing_key).toBeUndefined();
    expect(alert.annotations.dashboard).toBeUndefined();
  });

  it('lets no spec label override the severity or the SLO identity', () => {
    const alert = toAlertmanagerAlert(transition('page'), def, 'http://127.0.0.1:7420');
    expect(alert.labels.severity).toBe('page');
    expect(alert.generatorURL).toBe(`http://127.0.0.1:7420/slos/${def.name}`);
  });
});

describe('toAlertmanagerAlert for a check', () => {
  it('labels a failing check as BallastCheckFailing with the check, service and severity, and links to it', () => {
    const alert = toAlertmanagerAlert(
      {
        source: 'check',
        slo: 'checkout-home',
        service: 'checkout',
        severity: 'page',
        from: 'ok',
        to: 'firing',
        at: Date.UTC(2026, 0, 1),
        reason: '[STATUS] (503) == 200',
        burnRates: {},
      },
      undefined,
      'https://ballast.example.com',
    );
    expect(alert).toEqual({
      labels: {
        alertname: 'BallastCheckFailing',
        ballast_check: 'checkout-home',
        service: 'checkout',
        severity: 'page',
      },
      annotations: {
        summary: 'check checkout-home of checkout is failing',
        description: '[STATUS] (503) == 200',
      },
      startsAt: '2026-01-01T00:00:00.000Z',
      generatorURL: 'https://ballast.example.com/checks/checkout-home',
    });
  });
});
