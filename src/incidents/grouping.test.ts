import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../slo/index.ts';
import {
  chooseIncident,
  DEFAULT_GROUPING,
  DEFAULT_GROUPING_WINDOW_MS,
  type GroupingCandidate,
  type GroupingDecision,
  type GroupingRules,
  groupKey,
  type RoutingFallback,
  type RoutingRule,
  route,
  routingRuleProblems,
  urgencyOf,
} from './grouping.ts';
import type { Incident, IncidentState, IncomingAlert } from './types.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
const at = (minutes: number) => T0 + minutes * MINUTE_MS;
const WINDOW = DEFAULT_GROUPING_WINDOW_MS;

function alert(overrides: Partial<IncomingAlert> = {}): IncomingAlert {
  return {
    origin: 'alertmanager',
    dedupKey: 'am:new',
    action: 'trigger',
    summary: 'Checkout 5xx above 5%',
    severity: 'critical',
    service: 'checkout',
    labels: { alertname: 'HighErrorRate', cluster: 'eu-1' },
    annotations: {},
    startsAt: at(0),
    receivedAt: at(0),
    ...overrides,
  };
}

/** An incident created at `createdAt` holding one alert first seen then. */
function candidate(
  id: number,
  options: {
    state?: IncidentState;
    service?: string;
    services?: string[];
    createdAt?: number;
    resolvedAt?: number;
    alerts?: GroupingCandidate['alerts'];
  } = {},
): GroupingCandidate {
  const createdAt = options.createdAt ?? at(0);
  const service = options.service ?? 'checkout';
  const incident: Incident = {
    id,
    title: `incident ${id}`,
    state: options.state ?? 'triggered',
    severity: 'SEV2',
    urgency: 'high',
    service,
    services: options.services ?? [service],
    createdAt,
    updatedAt: options.resolvedAt ?? createdAt,
    milestones: { detectedAt: createdAt, ...(options.resolvedAt ? { resolvedAt: options.resolvedAt } : {}) },
    roles: {},
    impact: {},
    tasks: [],
    publicUpdates: [],
  };
  const alerts = options.alerts ?? [
    {
      dedupKey: `am:${id}`,
      labels: { alertname: 'Other', cluster: 'us-1' },
      service,
      firstSeenAt: createdAt,
    },
  ];
  return { incident, alerts };
}

describe('groupKey', () => {
  it.each([
    [
      'joins the chosen labels in the order given',
      { alertname: 'A', cluster: 'c' },
      ['cluster', 'alertname'],
      'cluster=c,alertname=A',
    ],
    ['ignores labels not chosen', { alertname: 'A', cluster: 'c', pod: 'p-1' }, ['alertname'], 'alertname=A'],
    ['is undefined when a chosen label is missing', { alertname: 'A' }, ['alertname', 'cluster'], undefined],
    ['is undefined when no label is chosen', { alertname: 'A' }, [], undefined],
  ])('%s', (_name, labels, byLabels, expected) => {
    expect(groupKey(labels, byLabels)).toBe(expected);
  });
});

describe('chooseIncident', () => {
  const byLabels: GroupingRules = { windowMs: WINDOW, byLabels: ['alertname', 'cluster'] };
  const cases: {
    name: string;
    alert: IncomingAlert;
    candidates: GroupingCandidate[];
    rules?: GroupingRules;
    now: number;
    expected: GroupingDecision;
  }[] = [
    {
      name: 'a trigger with no candidate opens a new incident',
      alert: alert(),
      candidates: [],
      now: at(1),
      expected: { kind: 'new' },
    },
    {
      name: 'a resolve for an alert no incident holds does nothing',
      alert: alert({ action: 'resolve' }),
      candidates: [],
      now: at(1),
      expected: { kind: 'none' },
    },
    {
      name: 'a trigger with a dedup key an active incident holds joins it, however old',
      alert: alert({ dedupKey: 'am:1', service: 'search' }),
      candidates: [candidate(1, { createdAt: at(-600) })],
      now: at(0),
      expected: { kind: 'existing', incidentId: 1, reason: 'dedup', reopen: false },
    },
    {
      name: 'an alert for the same service joins an incident whose latest alert came exactly one window ago',
      alert: alert(),
      candidates: [candidate(1, { createdAt: at(0) - WINDOW })],
      now: at(0),
      expected: { kind: 'existing', incidentId: 1, reason: 'service', reopen: false },
    },
    {
      name: 'an alert for the same service one millisecond past the window opens a new incident',
      alert: alert(),
      candidates: [candidate(1, { createdAt: at(0) - WINDOW - 1 })],
      now: at(0),
      expected: { kind: 'new' },
    },
    {
      name: 'the window slides with the latest alert the incident took in',
      alert: alert(),
      candidates: [
        candidate(1, {
          createdAt: at(-100),
          alerts: [
            { dedupKey: 'am:a', labels: {}, service: 'checkout', firstSeenAt: at(-100) },
            { dedupKey: 'am:b', labels: {}, service: 'checkout', firstSeenAt: at(-20) },
          ],
        }),
      ],
      now: at(0),
      expected: { kind: 'existing', incidentId: 1, reason: 'service', reopen: false },
    },
    {
      name: 'an alert for a service the incident affects (not the one it is routed by) joins it',
      alert: alert({ service: 'payments' }),
      candidates: [candidate(1, { services: ['checkout', 'payments'] })],
      now: at(5),
      expected: { kind: 'existing', incidentId: 1, reason: 'service', reopen: false },
    },
    {
      name: 'an alert for another service opens a new incident',
      alert: alert({ service: 'search' }),
      candidates: [candidate(1)],
      now: at(5),
      expected: { kind: 'new' },
    },
    {
      name: 'an alert without a service is not grouped by service',
      alert: alert({ service: undefined }),
      candidates: [candidate(1)],
      now: at(5),
      expected: { kind: 'new' },
    },
    {
      name: 'a zero window turns service grouping off',
      alert: alert(),
      candidates: [candidate(1)],
      rules: { windowMs: 0, byLabels: [] },
      now: at(0),
      expected: { kind: 'new' },
    },
    {
      name: 'equal grouping labels join an incident of another service long after the window',
      alert: alert({ service: 'search' }),
      candidates: [
        candidate(1, {
          createdAt: at(-300),
          alerts: [
            {
              dedupKey: 'am:x',
              labels: { alertname: 'HighErrorRate', cluster: 'eu-1' },
              firstSeenAt: at(-300),
            },
          ],
        }),
      ],
      rules: byLabels,
      now: at(0),
      expected: { kind: 'existing', incidentId: 1, reason: 'labels', reopen: false },
    },
    {
      name: 'an alert missing a grouping label is not grouped by labels',
      alert: alert({ service: 'search', labels: { alertname: 'HighErrorRate' } }),
      candidates: [
        candidate(1, {
          alerts: [{ dedupKey: 'am:x', labels: { alertname: 'HighErrorRate' }, firstSeenAt: at(0) }],
        }),
      ],
      rules: byLabels,
      now: at(1),
      expected: { kind: 'new' },
    },
    {
      name: 'a different value of one grouping label keeps alerts apart',
      alert: alert({ service: 'search' }),
      candidates: [
        candidate(1, {
          alerts: [
            { dedupKey: 'am:x', labels: { alertname: 'HighErrorRate', cluster: 'us-1' }, firstSeenAt: at(0) },
          ],
        }),
      ],
      rules: byLabels,
      now: at(1),
      expected: { kind: 'new' },
    },
    ...(['closed', 'declined', 'merged'] as const).map((state) => ({
      name: `a ${state} incident is never reused, even for its own dedup key`,
      alert: alert({ dedupKey: 'am:1' }),
      candidates: [candidate(1, { state, resolvedAt: at(-1) })],
      now: at(0),
      expected: { kind: 'new' } as GroupingDecision,
    })),
    {
      name: 'a trigger for a resolved incident within the window of its resolution reopens it',
      alert: alert({ dedupKey: 'am:1' }),
      candidates: [candidate(1, { state: 'resolved', createdAt: at(-120), resolvedAt: at(0) - WINDOW })],
      now: at(0),
      expected: { kind: 'existing', incidentId: 1, reason: 'dedup', reopen: true },
    },
    {
      name: 'a same-service trigger within the window of a resolution reopens the incident',
      alert: alert(),
      candidates: [candidate(1, { state: 'resolved', createdAt: at(-120), resolvedAt: at(-10) })],
      now: at(0),
      expected: { kind: 'existing', incidentId: 1, reason: 'service', reopen: true },
    },
    {
      name: 'a trigger one millisecond past the window of a resolution opens a new incident',
      alert: alert({ dedupKey: 'am:1' }),
      candidates: [candidate(1, { state: 'resolved', createdAt: at(-120), resolvedAt: at(0) - WINDOW - 1 })],
      now: at(0),
      expected: { kind: 'new' },
    },
    {
      name: 'a late resolve for an alert of a resolved incident finds it without reopening it',
      alert: alert({ dedupKey: 'am:1', action: 'resolve' }),
      candidates: [candidate(1, { state: 'resolved', createdAt: at(-300), resolvedAt: at(-200) })],
      now: at(0),
      expected: { kind: 'existing', incidentId: 1, reason: 'dedup', reopen: false },
    },
    {
      name: 'an acknowledge never spills over to an incident of the same service',
      alert: alert({ action: 'acknowledge' }),
      candidates: [candidate(1)],
      now: at(1),
      expected: { kind: 'none' },
    },
    {
      name: 'a dedup match wins over a label match and a service match',
      alert: alert({ dedupKey: 'am:1' }),
      candidates: [
        candidate(2, {
          createdAt: at(-1),
          alerts: [
            {
              dedupKey: 'am:x',
              labels: { alertname: 'HighErrorRate', cluster: 'eu-1' },
              firstSeenAt: at(-1),
            },
          ],
        }),
        candidate(1, { createdAt: at(-200) }),
        candidate(3, { createdAt: at(-1) }),
      ],
      rules: byLabels,
      now: at(0),
      expected: { kind: 'existing', incidentId: 1, reason: 'dedup', reopen: false },
    },
    {
      name: 'a label match wins over a service match',
      alert: alert(),
      candidates: [
        candidate(3, { createdAt: at(-1) }),
        candidate(2, {
          service: 'search',
          createdAt: at(-50),
          alerts: [
            {
              dedupKey: 'am:x',
              labels: { alertname: 'HighErrorRate', cluster: 'eu-1' },
              firstSeenAt: at(-50),
            },
          ],
        }),
      ],
      rules: byLabels,
      now: at(0),
      expected: { kind: 'existing', incidentId: 2, reason: 'labels', reopen: false },
    },
    {
      name: 'an active incident wins over a resolved one for the same reason',
      alert: alert(),
      candidates: [
        candidate(1, { state: 'resolved', createdAt: at(-15), resolvedAt: at(-2) }),
        candidate(2, { createdAt: at(-20) }),
      ],
      now: at(0),
      expected: { kind: 'existing', incidentId: 2, reason: 'service', reopen: false },
    },
    {
      name: 'among active incidents of the service the one with the latest alert wins',
      alert: alert(),
      candidates: [
        candidate(1, { createdAt: at(-20) }),
        candidate(2, { createdAt: at(-5) }),
        candidate(3, { createdAt: at(-10) }),
      ],
      now: at(0),
      expected: { kind: 'existing', incidentId: 2, reason: 'service', reopen: false },
    },
  ];

  it.each(cases)('$name', ({ alert, candidates, rules, now, expected }) => {
    expect(chooseIncident(alert, candidates, rules ?? DEFAULT_GROUPING, now)).toEqual(expected);
  });

  it('groups by service within 30 minutes and by no label by default', () => {
    expect(DEFAULT_GROUPING).toEqual({ windowMs: 30 * MINUTE_MS, byLabels: [] });
  });
});

describe('urgencyOf', () => {
  it.each([
    ['a failing check pages', alert({ origin: 'check', severity: 'warning', labels: {} }), 'high'],
    [
      'a failing check with alertSeverity page pages',
      alert({ origin: 'check', severity: 'critical', labels: { severity: 'page' } }),
      'high',
    ],
    [
      'a failing check with alertSeverity ticket notifies without escalating',
      alert({ origin: 'check', severity: 'warning', labels: { severity: 'ticket' } }),
      'low',
    ],
    [
      'an SLO page burn-rate alert pages',
      alert({ origin: 'slo', severity: 'warning', labels: { severity: 'page' } }),
      'high',
    ],
    [
      'an SLO ticket burn-rate alert notifies',
      alert({ origin: 'slo', severity: 'critical', labels: { severity: 'ticket' } }),
      'low',
    ],
    [
      'an SLO alert without a severity label follows its severity',
      alert({ origin: 'slo', severity: 'error', labels: {} }),
      'high',
    ],
    [
      'an Events v2 critical event pages',
      alert({ origin: 'events-v2', severity: 'critical', labels: {} }),
      'high',
    ],
    ['an Events v2 error event pages', alert({ origin: 'events-v2', severity: 'error', labels: {} }), 'high'],
    [
      'an Events v2 warning event notifies',
      alert({ origin: 'events-v2', severity: 'warning', labels: {} }),
      'low',
    ],
    ['an Events v2 info event notifies', alert({ origin: 'events-v2', severity: 'info', labels: {} }), 'low'],
    [
      'an Events v2 event ignores a severity label (its payload severity counts)',
      alert({ origin: 'events-v2', severity: 'info', labels: { severity: 'page' } }),
      'low',
    ],
    [
      'an Alertmanager critical label pages',
      alert({ severity: 'error', labels: { severity: 'Critical' } }),
      'high',
    ],
    [
      'an Alertmanager warning label notifies',
      alert({ severity: 'error', labels: { severity: 'warning' } }),
      'low',
    ],
    [
      'an Alertmanager ticket label notifies',
      alert({ severity: 'warning', labels: { severity: 'ticket' } }),
      'low',
    ],
    [
      'an Alertmanager unknown label follows the severity',
      alert({ severity: 'info', labels: { severity: 'P5' } }),
      'low',
    ],
  ] as const)('%s', (_name, a, expected) => {
    expect(urgencyOf(a)).toBe(expected);
  });
});

describe('route', () => {
  const rules: RoutingRule[] = [
    {
      name: 'payments-db',
      match: { service: 'payments', labels: { component: 'db' } },
      route: { escalationPolicy: 'dba', severity: 'SEV1' },
    },
    { name: 'payments', match: { service: 'payments' }, route: { escalationPolicy: 'payments-oncall' } },
    {
      match: { labels: { cluster: { regex: 'eu-.*' } } },
      route: { escalationPolicy: 'eu-oncall', urgency: 'low' },
    },
    {
      name: 'staging',
      match: { labels: { env: 'staging' } },
      route: { service: 'staging', urgency: 'low', severityTable: { critical: 'SEV4' } },
    },
    {
      name: 'search-regex',
      match: { service: { regex: 'search|index' } },
      route: { escalationPolicy: 'search-oncall' },
    },
    { name: 'no-env', match: { labels: { env: '' } }, route: { escalationPolicy: 'unlabelled' } },
  ];
  const fallback: RoutingFallback = { escalationPolicy: 'default', service: 'platform' };

  it.each([
    {
      name: 'the first matching rule wins over later ones that also match',
      alert: alert({ service: 'payments', labels: { component: 'db', cluster: 'eu-1', env: 'prod' } }),
      expected: {
        escalationPolicy: 'dba',
        service: 'payments',
        urgency: 'high',
        severity: 'SEV1',
        rule: 'payments-db',
      },
    },
    {
      name: 'a rule matches only when all its conditions hold',
      alert: alert({ service: 'payments', labels: { component: 'api', env: 'prod' } }),
      expected: {
        escalationPolicy: 'payments-oncall',
        service: 'payments',
        urgency: 'high',
        severity: 'SEV2',
        rule: 'payments',
      },
    },
    {
      name: 'a regex label matcher matches the whole value and an unnamed rule is named by position',
      alert: alert({ labels: { cluster: 'eu-west', env: 'prod' } }),
      expected: {
        escalationPolicy: 'eu-oncall',
        service: 'checkout',
        urgency: 'low',
        severity: 'SEV2',
        rule: '#3',
      },
    },
    {
      name: 'a regex is anchored: it does not match part of a value',
      alert: alert({ labels: { cluster: 'us-eu-1', env: 'prod' } }),
      expected: { escalationPolicy: 'default', service: 'checkout', urgency: 'high', severity: 'SEV2' },
    },
    {
      name: 'a rule can file the incident under another service and override the severity table',
      alert: alert({ labels: { env: 'staging' } }),
      expected: {
        escalationPolicy: 'default',
        service: 'staging',
        urgency: 'low',
        severity: 'SEV4',
        rule: 'staging',
      },
    },
    {
      name: 'a regex service matcher matches the alternatives',
      alert: alert({ service: 'index', labels: { env: 'prod' } }),
      expected: {
        escalationPolicy: 'search-oncall',
        service: 'index',
        urgency: 'high',
        severity: 'SEV2',
        rule: 'search-regex',
      },
    },
    {
      name: 'a missing label reads as the empty string',
      alert: alert({ labels: {} }),
      expected: {
        escalationPolicy: 'unlabelled',
        service: 'checkout',
        urgency: 'high',
        severity: 'SEV2',
        rule: 'no-env',
      },
    },
    {
      name: 'an alert without a service is routed by the fallback service',
      alert: alert({ service: undefined, labels: { env: 'prod' } }),
      expected: { escalationPolicy: 'default', service: 'platform', urgency: 'high', severity: 'SEV2' },
    },
    {
      name: 'service rules match the fallback service of an alert without one',
      alert: alert({ service: undefined, labels: { env: 'prod' } }),
      fallback: { service: 'payments' },
      expected: {
        escalationPolicy: 'payments-oncall',
        service: 'payments',
        urgency: 'high',
        severity: 'SEV2',
        rule: 'payments',
      },
    },
  ] as {
    name: string;
    alert: IncomingAlert;
    fallback?: RoutingFallback;
    expected: ReturnType<typeof route>;
  }[])('$name', ({ alert, fallback: given, expected }) => {
    expect(route(alert, rules, given ?? fallback)).toEqual(expected);
  });

  it.each([
    ['critical', 'SEV2'],
    ['error', 'SEV3'],
    ['warning', 'SEV4'],
    ['info', 'SEV4'],
  ] as const)('maps a %s alert to %s by default', (severity, expected) => {
    expect(route(alert({ severity }), []).severity).toBe(expected);
  });

  it('takes severities from the fallback table over the default one', () => {
    expect(route(alert({ severity: 'critical' }), [], { severityTable: { critical: 'SEV1' } }).severity).toBe(
      'SEV1',
    );
    expect(route(alert({ severity: 'error' }), [], { severityTable: { critical: 'SEV1' } }).severity).toBe(
      'SEV3',
    );
  });

  it('takes the rule table over the fallback table', () => {
    const rule: RoutingRule = { match: {}, route: { severityTable: { critical: 'SEV3' } } };
    expect(route(alert(), [rule], { severityTable: { critical: 'SEV1' } }).severity).toBe('SEV3');
  });

  it('matches rules on the alert origin', () => {
    const rule: RoutingRule = {
      name: 'slo',
      match: { origin: 'slo' },
      route: { escalationPolicy: 'slo-owners' },
    };
    expect(route(alert({ origin: 'slo' }), [rule]).escalationPolicy).toBe('slo-owners');
    expect(route(alert({ origin: 'check' }), [rule]).escalationPolicy).toBeUndefined();
  });

  it('leaves policy and service unset when neither a rule nor the fallback gives one', () => {
    expect(route(alert({ service: undefined, severity: 'warning' }), [])).toEqual({
      urgency: 'low',
      severity: 'SEV4',
    });
  });

  it('a rule whose regex does not compile matches nothing', () => {
    const broken: RoutingRule = {
      name: 'broken',
      match: { labels: { env: { regex: '(' } } },
      route: { escalationPolicy: 'x' },
    };
    expect(route(alert({ labels: { env: '(' } }), [broken], fallback).rule).toBeUndefined();
  });
});

describe('routingRuleProblems', () => {
  it('reports regexes that do not compile and rules that route nowhere', () => {
    const rules: RoutingRule[] = [
      { name: 'ok', match: { service: { regex: 'a|b' } }, route: { escalationPolicy: 'p' } },
      { name: 'bad-service', match: { service: { regex: '[a-' } }, route: { escalationPolicy: 'p' } },
      { match: { labels: { env: { regex: '(' }, team: 'x' } }, route: { urgency: 'low' } },
      { name: 'empty', match: { service: 'a' }, route: {} },
    ];
    expect(routingRuleProblems(rules)).toEqual([
      'routing rule bad-service: service regex "[a-" does not compile',
      'routing rule #3: label env regex "(" does not compile',
      'routing rule empty: routes nowhere (set escalationPolicy, service, urgency, severity or severityTable)',
    ]);
  });
});
