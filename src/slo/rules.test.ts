import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSpecSources } from '../spec/load.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, type SloDefinition } from './model.ts';
import { generatePrometheusRules } from './rules.ts';
import { prometheusSlo } from './rules-fixtures.ts';
import { errorRatioQuery, eventsQuery, promDuration, substituteWindow } from './rules-promql.ts';

const GOLDEN_DIR = join(import.meta.dirname, 'golden');

/** Compares with a golden file; `UPDATE_GOLDEN=1 npx vitest run src/slo/rules.test.ts` rewrites it. */
function expectGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** SLOs of a spec file under golden/specs, through the whole spec loader. */
function slosOfSpec(name: string): SloDefinition[] {
  const file = join(GOLDEN_DIR, 'specs', name);
  const bundle = loadSpecSources([{ file, content: readFileSync(file, 'utf8') }]);
  expect(bundle.diagnostics).toEqual([]);
  return bundle.slos;
}

describe('generatePrometheusRules golden files', () => {
  const cases: [string, string, SloDefinition[], Parameters<typeof generatePrometheusRules>[1]][] = [
    ['a bad/total SLO with the SRE Workbook windows', 'bad-total.yaml', [prometheusSlo()], {}],
    [
      'a good/total SLO over bare counter selectors',
      'good-total-selectors.yaml',
      [
        prometheusSlo({
          name: 'api-latency',
          query: {
            type: 'ratio',
            good: 'http_request_duration_seconds_bucket{le="0.3"}',
            total: 'http_request_duration_seconds_count',
          },
        }),
      ],
      {},
    ],
    [
      'a raw error ratio SLO with a custom severity label and no-data severity',
      'raw-error-ratio.yaml',
      [
        prometheusSlo({
          name: 'queue-errors',
          query: { type: 'rawErrorRatio', errorRatio: 'job:errors:ratio_rate{{.window}}' },
          labels: {},
        }),
      ],
      { severityLabel: 'priority', noDataSeverity: 'P3' },
    ],
    [
      'a raw success ratio SLO on a calendar month with scaled windows',
      'raw-success-calendar.yaml',
      [
        prometheusSlo({
          name: 'search-success',
          displayName: 'Search success',
          timeWindow: {
            kind: 'calendar',
            unit: 'Week',
            count: 1,
            startTime: '2024-01-01 00:00:00',
            timeZone: 'UTC',
          },
          query: { type: 'rawSuccessRatio', successRatio: 'avg_over_time(search_ok[$window])' },
          alerting: {
            windows: [
              { severity: 'page', longWindowMs: 14 * MINUTE_MS, shortWindowMs: 70_000, burnRate: 14.4 },
              { severity: 'ticket', longWindowMs: 6 * HOUR_MS, shortWindowMs: 28 * MINUTE_MS, burnRate: 3 },
            ],
            minEvents: 0,
            noDataAfterMs: 15 * MINUTE_MS,
            severityLabel: 'severity',
          },
        }),
      ],
      {},
    ],
    [
      'a Sloth spec with an alert name, labels and annotations, loaded by the spec loader',
      'sloth-alerting.yaml',
      slosOfSpec('sloth-alerting.yaml'),
      {},
    ],
  ];
  it.each(cases)('%s', (_name, file, slos, options) => {
    expectGolden(file, generatePrometheusRules(slos, options).yaml);
  });
});

describe('generatePrometheusRules', () => {
  it('skips SLOs fed by events, checks or threshold queries, and says why', () => {
    const result = generatePrometheusRules([
      prometheusSlo({ name: 'pushed', indicator: { type: 'ratio', source: { kind: 'events' } } }),
      prometheusSlo({ name: 'latency-gauge', query: { type: 'threshold', metric: 'p99_latency' } }),
      prometheusSlo(),
    ]);
    expect(result.skipped.map((s) => s.slo)).toEqual(['pushed', 'latency-gauge']);
    expect(result.skipped[0]?.message).toContain('events');
    expect(result.groups.map((g) => g.name)).toEqual([
      'ballast-slo-checkout-availability-sli-recordings',
      'ballast-slo-checkout-availability-meta-recordings',
      'ballast-slo-checkout-availability-alerts',
    ]);
  });

  it('warns where the rules only approximate the SLO', () => {
    const result = generatePrometheusRules([
      prometheusSlo({ budgetingMethod: 'Timeslices', timesliceMs: MINUTE_MS, timesliceTarget: 0.95 }),
    ]);
    expect(result.warnings.map((w) => w.message).join('\n')).toContain('Timeslices');
  });

  it('records the period window as a ratio of sums of bad and total events, not a mean of ratios', () => {
    const { groups } = generatePrometheusRules([prometheusSlo()]);
    const period = groups[0]?.rules.find((r) => 'record' in r && r.record === 'slo:sli_error:ratio_rate30d');
    expect(period?.expr).toContain('sum_over_time(slo:sli_bad:rate5m');
    expect(period?.expr).toContain('sum_over_time(slo:sli_total:rate5m');
    expect(period?.expr).not.toContain('count_over_time');
  });

  it('labels alerts with the severity label and value of each window pair', () => {
    const { yaml } = generatePrometheusRules([prometheusSlo()], { severityLabel: 'priority' });
    const doc = parse(yaml) as { groups: { rules: { alert?: string; labels: Record<string, string> }[] }[] };
    const alerts = doc.groups.flatMap((g) => g.rules).filter((r) => r.alert);
    expect(alerts.map((a) => [a.alert, a.labels.priority])).toEqual([
      ['CheckoutAvailabilityPageBurnRate', 'page'],
      ['CheckoutAvailabilityTicketBurnRate', 'ticket'],
      ['CheckoutAvailabilityNoData', 'ticket'],
    ]);
  });
});

describe('generatePrometheusRules alert names, labels and annotations', () => {
  const decorated = prometheusSlo({
    alerting: {
      ...prometheusSlo().alerting,
      alertName: 'CheckoutDown',
      labels: { team: 'alerts-team', ballast_slo: 'spoofed', severity: 'spoofed', tier: '1' },
      annotations: { summary: 'Checkout burns budget', runbook: 'https://runbooks.example.com/checkout' },
      severityLabels: { page: { pager: 'yes' }, nodata: { never: 'used' } },
      severityAnnotations: { ticket: { summary: 'Checkout burns budget slowly' } },
    },
  });
  const alertsOf = (options: Parameters<typeof generatePrometheusRules>[1] = {}) =>
    generatePrometheusRules([decorated], options)
      .groups.flatMap((g) => g.rules)
      .filter((r) => 'alert' in r);

  it('every burn-rate alert takes the alert name and the no-data alert appends NoData', () => {
    expect(alertsOf().map((a) => [a.alert, a.labels.severity])).toEqual([
      ['CheckoutDown', 'page'],
      ['CheckoutDown', 'ticket'],
      ['CheckoutDownNoData', 'ticket'],
    ]);
  });

  it('an alertName option still names the alerts of every SLO', () => {
    const names = alertsOf({ alertName: (slo, severity) => `${slo}_${severity}` }).map((a) => a.alert);
    expect(names).toEqual([
      'checkout-availability_page',
      'checkout-availability_ticket',
      'checkout-availability_nodata',
    ]);
  });

  it('extra labels override the SLO labels but never Ballast labels or the severity label', () => {
    const [page, ticket, noData] = alertsOf();
    expect(page?.labels).toMatchObject({ team: 'alerts-team', tier: '1', pager: 'yes' });
    expect(page?.labels).toMatchObject({ ballast_slo: 'checkout-availability', severity: 'page' });
    expect(ticket?.labels.pager).toBeUndefined();
    expect(noData?.labels).not.toHaveProperty('never');
  });

  it('extra annotations override the burn-rate defaults; the no-data alert keeps its own summary', () => {
    const [page, ticket, noData] = alertsOf();
    expect(page?.annotations.summary).toBe('Checkout burns budget');
    expect(ticket?.annotations.summary).toBe('Checkout burns budget slowly');
    expect(page?.annotations.description).toContain('1h and 5m');
    expect(noData?.annotations.summary).toContain('has no SLI data');
    expect(noData?.annotations.runbook).toBe('https://runbooks.example.com/checkout');
  });
});

describe('PromQL helpers', () => {
  it.each([
    ['five minutes', 5 * MINUTE_MS, '5m'],
    ['thirty days', 30 * DAY_MS, '30d'],
    ['a scaled window mixes units', 4 * MINUTE_MS + 40_000, '4m40s'],
    ['a day and a half', 36 * HOUR_MS, '1d12h'],
  ])('promDuration formats %s', (_name, ms, expected) => {
    expect(promDuration(ms)).toBe(expected);
  });

  it.each([
    ['Sloth placeholders', 'rate(x[{{.window}}])', 'rate(x[1h])'],
    ['Sloth placeholders with spaces', 'rate(x[{{ .window }}])', 'rate(x[1h])'],
    ['Grafana placeholders', 'rate(x[$__window])', 'rate(x[1h])'],
    ['shell-style placeholders', 'rate(x[$window]) / rate(y[$window])', 'rate(x[1h]) / rate(y[1h])'],
  ])('substituteWindow replaces %s', (_name, query, expected) => {
    expect(substituteWindow(query, HOUR_MS)).toBe(expected);
  });

  it.each([
    [
      'a rate() query is scaled by the window to count events',
      'sum(rate(x[{{.window}}]))',
      '(sum(rate(x[1h]))) * 3600',
    ],
    ['an increase() query already counts events', 'sum(increase(x[{{.window}}]))', 'sum(increase(x[1h]))'],
    ['an irate() query is not mistaken for rate()', 'sum(irate(x[{{.window}}]))', 'sum(irate(x[1h]))'],
    ['a bare selector gets increase() around it', 'x{a="b"}', 'sum(increase(x{a="b"}[1h]))'],
    ['any other expression becomes a subquery', 'sum(x)', 'sum(increase((sum(x))[1h:]))'],
  ])('eventsQuery: %s', (_name, query, expected) => {
    expect(eventsQuery(query, HOUR_MS)).toBe(expected);
  });

  it('errorRatioQuery turns good/total into (total − good) / total', () => {
    expect(errorRatioQuery({ type: 'ratio', good: 'g', total: 't' }, HOUR_MS)).toBe(
      '((sum(increase(t[1h]))) - (sum(increase(g[1h])))) / (sum(increase(t[1h])))',
    );
  });
});
