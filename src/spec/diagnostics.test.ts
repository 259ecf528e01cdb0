import { describe, expect, it } from 'vitest';
import { formatDiagnostic, hasErrors, loadSpecDirectory, loadSpecSources } from './index.ts';

const BAD = 'test/fixtures/specs-bad';

/** `file:line:col: severity` plus a fragment of the message, for readable tables. */
function located(file: string, content: string): string[] {
  return loadSpecSources([{ file, content }]).diagnostics.map(formatDiagnostic);
}

describe('diagnostics of the bad fixture directory', () => {
  it.each([
    [
      'a duplicate YAML key is reported at the parser position',
      'malformed.yaml:5:3: error: Map keys must be unique',
    ],
    [
      'a malformed duration points at the duration',
      'slo-errors.yaml:14:17: error: spec.timeWindow[0].duration: malformed duration "30x"',
    ],
    [
      'a target outside (0, 1) points at the target',
      'slo-errors.yaml:18:15: error: spec.objectives[0].target: target must be in (0, 1), got 1.5',
    ],
    ['an unknown field points at its key', 'slo-errors.yaml:21:3: error: unknown field "colour" in spec'],
    [
      'a duplicate name points at the second name',
      'slo-errors.yaml:26:9: error: duplicate SLO name "shop-availability" (first defined at test/fixtures/specs-bad/slo-errors.yaml:9:9)',
    ],
    [
      'an unknown apiVersion points at apiVersion',
      'slo-errors.yaml:34:13: error: unknown apiVersion "openslo/v2"',
    ],
    [
      'a reserved Ballast kind is not supported yet',
      'slo-errors.yaml:40:7: error: kind LoadTest of ballast.dev/v1 is not supported by this version',
    ],
    [
      '1m on a monthly SLO is a warning',
      'windows.yaml:14:17: warning: duration "1m" means 1 minute(s), but this SLO reads as monthly',
    ],
    [
      'a time slice of 90 seconds is not whole minutes',
      'windows.yaml:20:24: error: timeSliceWindow "90s" must be a whole number of minutes',
    ],
    [
      'an impossible calendar start is an error',
      'windows.yaml:36:20: error: spec.timeWindow[0].calendar.startTime: calendar startTime "2024-13-01 00:00:00"',
    ],
    [
      'an unknown time zone is an error',
      'windows.yaml:37:19: error: spec.timeWindow[0].calendar.timeZone: unknown IANA time zone "Mars/Olympus"',
    ],
    [
      'a timeSliceTarget of zero is outside (0, 1]',
      'windows.yaml:41:24: error: spec.objectives[0].timeSliceTarget: timeSliceTarget must be in (0, 1], got 0',
    ],
    [
      'a budget under a minute is a warning',
      'windows.yaml:60:15: warning: objective 0.99999 over 1d leaves an error budget of 0.9s',
    ],
    [
      '1m on a calendar window is an error with the 1M hint',
      'windows.yaml:74:17: error: duration "1m" means minutes, which a calendar window cannot use: did you mean "1M"',
    ],
  ])('%s', async (_name, expected) => {
    const bundle = await loadSpecDirectory(BAD);
    const lines = bundle.diagnostics.map(formatDiagnostic);
    expect(lines.filter((l) => l.startsWith(`${BAD}/${expected}`))).toHaveLength(1);
  });

  it('every problem is collected and the bundle has errors', async () => {
    const bundle = await loadSpecDirectory(BAD);
    expect(hasErrors(bundle.diagnostics)).toBe(true);
    expect(bundle.diagnostics.filter((d) => d.severity === 'error')).toHaveLength(12);
    expect(bundle.diagnostics.filter((d) => d.severity === 'warning')).toHaveLength(2);
    expect(bundle.slos.map((s) => s.name)).toEqual(['shop-too-strict']);
  });
});

const SERVICE = 'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: shop\n---\n';
const SLO_HEAD = 'apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: shop-slo\nspec:\n  service: shop\n';
const EVENTS_SLI = '  indicator:\n    spec:\n      ratioMetric:\n        good: {}\n        total: {}\n';

describe('diagnostics of single documents', () => {
  it.each([
    [
      'a dangling indicatorRef points at the reference',
      `${SERVICE}${SLO_HEAD}  indicatorRef: nope\n  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.9\n`,
      's.yaml:12:17: error: unknown SLI "nope": declare an SLI with that name',
    ],
    [
      'a dangling service points at the service',
      `${SERVICE}${SLO_HEAD.replace('service: shop', 'service: depot')}${EVENTS_SLI}  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.9\n`,
      's.yaml:11:12: error: unknown service "depot": declare a Service named "depot"',
    ],
    [
      'a dangling alert policy points at the list item',
      `${SERVICE}${SLO_HEAD}${EVENTS_SLI}  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.9\n  alertPolicies:\n    - paging\n`,
      's.yaml:21:7: error: unknown AlertPolicy "paging"',
    ],
    [
      'a targetPercent outside (0, 100) points at the value',
      `${SERVICE}${SLO_HEAD}${EVENTS_SLI}  budgetingMethod: Occurrences\n  objectives:\n    - targetPercent: 100\n`,
      's.yaml:19:22: error: spec.objectives[0].targetPercent: targetPercent must be in (0, 100), got 100',
    ],
    [
      'target and targetPercent together are an error',
      `${SERVICE}${SLO_HEAD}${EVENTS_SLI}  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.9\n      targetPercent: 90\n`,
      's.yaml:20:22: error: use target or targetPercent, not both',
    ],
    [
      'a missing required field points at the parent mapping',
      `${SERVICE}${SLO_HEAD}${EVENTS_SLI}  objectives:\n    - target: 0.9\n`,
      's.yaml:11:3: error: missing required field spec.budgetingMethod',
    ],
    [
      'a wrongly typed field names the expected type',
      `${SERVICE}${SLO_HEAD}${EVENTS_SLI}  budgetingMethod: Occurrences\n  objectives:\n    - target: high\n`,
      's.yaml:19:15: error: spec.objectives[0].target: expected number, got string "high"',
    ],
    [
      'an unknown kind lists the known ones',
      'apiVersion: openslo/v1\nkind: Slo\nmetadata:\n  name: x\n',
      's.yaml:2:7: error: unknown kind "Slo" for openslo/v1: expected one of Service, SLO, SLI',
    ],
    [
      'a dangling metricSourceRef points at the reference',
      'apiVersion: openslo/v1\nkind: SLI\nmetadata:\n  name: x\nspec:\n  thresholdMetric:\n    metricSource:\n      metricSourceRef: prom\n',
      's.yaml:8:24: error: unknown DataSource "prom"',
    ],
    [
      'a dangling conditionRef points at the reference',
      'apiVersion: openslo/v1\nkind: AlertPolicy\nmetadata:\n  name: p\nspec:\n  conditions:\n    - conditionRef: gone\n',
      's.yaml:7:21: error: unknown AlertCondition "gone"',
    ],
    [
      'a dangling notification target points at the reference',
      'apiVersion: openslo/v1\nkind: AlertCondition\nmetadata:\n  name: c\nspec:\n  condition:\n    kind: burnrate\n    threshold: 2\n    lookbackWindow: 1h\n---\napiVersion: openslo/v1\nkind: AlertPolicy\nmetadata:\n  name: p\nspec:\n  conditions:\n    - conditionRef: c\n  notificationTargets:\n    - targetRef: pager\n',
      's.yaml:19:18: error: unknown AlertNotificationTarget "pager"',
    ],
    [
      'a Prometheus DataSource needs a URL',
      'apiVersion: openslo/v1\nkind: DataSource\nmetadata:\n  name: prom\nspec:\n  type: Prometheus\n  connectionDetails:\n    url: not-a-url\n',
      's.yaml:8:10: error: a Prometheus DataSource needs connectionDetails.url',
    ],
    [
      'malformed YAML is reported at the parser position',
      'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: [unclosed\n',
      's.yaml:5:1: error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    [
      'a document that is not a mapping is an error',
      '- just\n- a list\n',
      's.yaml:1:1: error: a spec document must be a mapping',
    ],
  ])('%s', (_name, content, expected) => {
    const lines = located('s.yaml', content);
    expect(lines.filter((l) => l.startsWith(expected))).toEqual([expect.stringContaining(expected)]);
    expect(lines.filter((l) => l.includes(': error: ')).length).toBeGreaterThan(0);
  });

  it('a clean document has no diagnostics', () => {
    const content = `${SERVICE}${SLO_HEAD}${EVENTS_SLI}  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.9\n`;
    expect(located('s.yaml', content)).toEqual([]);
  });

  it('a missing directory is a diagnostic, not a throw', async () => {
    const bundle = await loadSpecDirectory('test/fixtures/does-not-exist');
    expect(bundle.diagnostics.map(formatDiagnostic)).toEqual([
      'test/fixtures/does-not-exist:1:1: error: spec directory not found',
    ]);
  });
});
