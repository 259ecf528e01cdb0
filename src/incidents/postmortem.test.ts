import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckResult, CheckStatus } from '../checks/index.ts';
import { MINUTE_MS } from '../slo/index.ts';
import { correctMilestone, move, type NewTimelineEntry } from './lifecycle.ts';
import { humanDuration, type PostmortemEvidence, postmortemMarkdown } from './postmortem.ts';
import type { AlertRecord, Incident, IncidentState, TimelineEntry } from './types.ts';

const GOLDEN_DIR = join(import.meta.dirname, 'golden');

/** Compares with a golden file; `UPDATE_GOLDEN=1 npx vitest run src/incidents/postmortem.test.ts` rewrites it. */
function expectGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const T0 = Date.UTC(2026, 10, 23, 14, 0, 0);
const at = (minutes: number, seconds = 0) => T0 + minutes * MINUTE_MS + seconds * 1000;

function baseIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 42,
    title: 'Checkout returns 5xx after the payment gateway deploy',
    state: 'triggered',
    severity: 'SEV2',
    urgency: 'high',
    service: 'checkout',
    services: ['checkout'],
    createdAt: at(0),
    updatedAt: at(0),
    milestones: { detectedAt: at(0) },
    roles: {},
    impact: {},
    tasks: [],
    publicUpdates: [],
    ...overrides,
  };
}

/** Drives an incident through the lifecycle, collecting the timeline the server would store. */
class Recorder {
  incident: Incident;
  readonly timeline: TimelineEntry[] = [];

  constructor(incident: Incident) {
    this.incident = incident;
  }

  add(entry: NewTimelineEntry): void {
    this.timeline.push({ ...entry, id: this.timeline.length + 1, incidentId: this.incident.id });
  }

  move(to: IncidentState, when: number, actor: string): void {
    const result = move(this.incident, to, when, actor);
    if ('error' in result) throw new Error(result.error.message);
    this.incident = result.incident;
    for (const e of result.entries) this.add(e);
  }

  correct(name: keyof Incident['milestones'], value: number, actor: string, now: number): void {
    const result = correctMilestone(this.incident, name, value, actor, now);
    if ('error' in result) throw new Error(result.error.message);
    this.incident = result.incident;
    this.add(result.entry);
  }
}

function checkResult(check: string, minute: number, status: CheckStatus, reason?: string): CheckResult {
  const r: CheckResult = {
    check,
    service: 'checkout',
    type: 'http',
    location: 'local',
    startedAt: at(minute),
    durationMs: 120,
    status,
    conditions: [],
    phases: {},
    attempts: 1,
  };
  if (reason) r.reason = reason;
  return r;
}

function fullEvidence(): PostmortemEvidence {
  const rec = new Recorder(
    baseIncident({
      services: ['checkout', 'payments'],
      escalationPolicy: 'checkout-oncall',
      roles: { commander: 'alice', scribe: 'bob' },
      impact: {
        customersAffected: 1234,
        failedTransactions: 340,
        value: 12500.5,
        currency: 'EUR',
        notes: 'EU card payments only | wallets unaffected',
      },
      tasks: [
        { id: 't1', title: 'Roll back the gateway to v2.3.1', owner: 'alice', status: 'done', kind: 'task' },
        { id: 't2', title: 'Post a status page update', status: 'done', kind: 'task' },
        {
          id: 'f1',
          title: 'Circuit breaker around the gateway client',
          owner: 'carol',
          status: 'open',
          kind: 'follow-up',
          actionType: 'mitigate',
          dueAt: Date.UTC(2026, 11, 4),
        },
        {
          id: 'f2',
          title: 'Canary deploys for the payment gateway',
          owner: 'dave',
          status: 'open',
          kind: 'follow-up',
          actionType: 'prevent',
        },
        {
          id: 'f3',
          title: 'Page payments on checkout burn-rate alerts',
          status: 'done',
          kind: 'follow-up',
          actionType: 'process',
        },
        { id: 'f4', title: 'Review gateway timeouts', status: 'open', kind: 'follow-up' },
      ],
    }),
  );
  rec.add({ at: at(0), kind: 'alert-firing', actor: 'alertmanager', text: 'Firing: CheckoutHighErrorRate' });
  rec.add({ at: at(0, 5), kind: 'page-sent', actor: 'ballast', text: 'Paged alice (webhook)' });
  rec.move('acknowledged', at(3, 20), 'alice');
  rec.add({ at: at(3, 20), kind: 'page-acknowledged', actor: 'alice', text: 'alice acknowledged' });
  rec.move('investigating', at(5), 'alice');
  rec.add({ at: at(6), kind: 'role', actor: 'alice', text: 'alice is commander, bob is scribe' });
  rec.add({
    at: at(9),
    kind: 'note',
    actor: 'bob',
    text: 'Gateway v2.4.0 deployed at 13:52; errors | timeouts since',
  });
  rec.move('identified', at(12), 'alice');
  rec.move('monitoring', at(31), 'alice');
  rec.add({
    at: at(32),
    kind: 'public-update',
    actor: 'bob',
    text: 'We are seeing recovery of card payments',
  });
  rec.move('resolved', at(78), 'alice');
  rec.correct('impactStartedAt', at(-8), 'bob', at(90));
  rec.correct('mitigatedAt', at(27, 30), 'bob', at(91));

  const alerts: AlertRecord[] = [
    {
      id: 7,
      dedupKey: 'am:3f2a',
      origin: 'alertmanager',
      status: 'resolved',
      summary: 'Checkout 5xx above 5% <b>eu-1</b>',
      severity: 'critical',
      service: 'checkout',
      labels: { alertname: 'CheckoutHighErrorRate', cluster: 'eu-1' },
      firstSeenAt: at(0),
      lastSeenAt: at(30),
      resolvedAt: at(33),
      incidentId: 42,
    },
    {
      id: 9,
      dedupKey: 'slo:checkout-availability:page',
      origin: 'slo',
      status: 'firing',
      summary: 'Checkout availability is burning its error budget (page)',
      severity: 'critical',
      service: 'checkout',
      labels: { severity: 'page' },
      firstSeenAt: at(2),
      lastSeenAt: at(60),
      incidentId: 42,
    },
  ];
  const checkResults = [
    checkResult('checkout-api', -10, 'pass'),
    checkResult('checkout-api', -5, 'fail', '[STATUS] (503) == 200'),
    checkResult('checkout-api', 0, 'fail', '[STATUS] (502) == 200'),
    checkResult('checkout-api', 5, 'fail', '[STATUS] (503) == 200'),
    checkResult('checkout-api', 10, 'degraded', '[RESPONSE_TIME] (1450) < 800'),
    checkResult('checkout-api', 30, 'pass'),
    checkResult('cart-page', 0, 'pass'),
    checkResult('cart-page', 30, 'pass'),
  ];
  return {
    incident: rec.incident,
    timeline: rec.timeline,
    alerts,
    checkResults,
    pages: [
      { incidentId: 42, user: 'alice', at: at(0, 5), channel: 'webhook', acknowledgedAt: at(3, 20) },
      { incidentId: 42, user: 'bob', at: at(10), channel: 'slack' },
    ],
    slos: [
      {
        slo: 'checkout-availability',
        displayName: 'Checkout availability',
        objective: 0.999,
        budgetAtStart: 0.82,
        budgetAtEnd: 0.61,
      },
      { slo: 'checkout-latency', objective: 0.99, budgetAtStart: 0.5, budgetAtEnd: 0.52 },
      { slo: 'payments-availability', objective: 0.9995, budgetAtStart: null, budgetAtEnd: 0.9 },
    ],
  };
}

function minimalEvidence(): PostmortemEvidence {
  const rec = new Recorder(
    baseIncident({
      title: 'Search slow',
      severity: 'SEV4',
      urgency: 'low',
      service: 'search',
      services: ['search'],
    }),
  );
  rec.move('resolved', at(45), 'ballast');
  return {
    incident: rec.incident,
    timeline: rec.timeline,
    alerts: [],
    checkResults: [],
    pages: [],
    slos: [],
  };
}

describe('postmortemMarkdown golden files', () => {
  it.each([
    ['a full incident with alerts, checks, pages, SLOs and follow-ups', 'full.md', fullEvidence],
    ['a minimal incident resolved without acknowledgement or evidence', 'minimal.md', minimalEvidence],
  ])('writes the postmortem of %s', (_name, file, evidence) => {
    expectGolden(file, postmortemMarkdown(evidence()));
  });
});

describe('postmortemMarkdown', () => {
  const headings = (md: string) => md.split('\n').filter((l) => l.startsWith('## '));

  it('follows the blameless template order', () => {
    expect(headings(postmortemMarkdown(fullEvidence()))).toEqual([
      '## Summary',
      '## Impact',
      '## Root causes',
      '## Trigger',
      '## Resolution',
      '## Detection',
      '## Action items',
      '## Lessons learned',
      '## Timeline',
    ]);
  });

  it('leaves the judgement sections as placeholders to write', () => {
    const md = postmortemMarkdown(minimalEvidence());
    for (const section of [
      'Root causes',
      'Trigger',
      'What went well',
      'What went wrong',
      'Where we got lucky',
    ]) {
      const after = md.slice(md.indexOf(`# ${section}\n`));
      expect(after.split('\n')[2]).toMatch(/^_To be written: .+_$/);
    }
  });

  it('shows the budget consumed as a share of the budget (start − end)', () => {
    const md = postmortemMarkdown(fullEvidence());
    expect(md).toContain(
      '| Checkout availability (checkout-availability) | 99.9% | 82% | 61% | 21% of the budget |',
    );
    expect(md).toContain('| checkout-latency | 99% | 50% | 52% | none (2% recovered) |');
    expect(md).toContain('| payments-availability | 99.95% | no data | 90% | — |');
  });

  it('groups follow-ups by action type and keeps tasks done during the incident in the resolution', () => {
    const md = postmortemMarkdown(fullEvidence());
    const actions = md.slice(md.indexOf('## Action items'), md.indexOf('## Lessons learned'));
    expect(actions.split('\n').filter((l) => l.startsWith('### '))).toEqual([
      '### Mitigate',
      '### Prevent',
      '### Process',
      '### Not typed yet',
    ]);
    expect(actions).toContain('| Circuit breaker around the gateway client | carol | open | 2026-12-04 |');
    expect(actions).not.toContain('Roll back');
    expect(md).toContain(
      'Tasks done during the incident: Roll back the gateway to v2.3.1; Post a status page update.',
    );
  });

  it('keeps sender text from breaking tables or opening HTML', () => {
    const md = postmortemMarkdown(fullEvidence());
    expect(md).toContain('Checkout 5xx above 5% &lt;b>eu-1&lt;/b>');
    expect(md).toContain('errors \\| timeouts since');
    expect(md).not.toContain('<b>');
  });

  it('says an unmitigated incident is still ongoing', () => {
    const evidence = minimalEvidence();
    evidence.incident = baseIncident({
      state: 'investigating',
      milestones: { detectedAt: at(0), acknowledgedAt: at(1) },
    });
    const md = postmortemMarkdown(evidence);
    expect(md).toContain('impact not mitigated yet');
    expect(md).toContain(
      '- Impact started 2026-11-23 14:00:00 UTC (detected; impact start unknown) and is not mitigated yet.',
    );
    expect(md).toContain('- Not mitigated or resolved yet.');
  });

  it('asks for action items when there are no follow-ups', () => {
    const md = postmortemMarkdown(minimalEvidence());
    const actions = md.slice(md.indexOf('## Action items'), md.indexOf('## Lessons learned'));
    expect(actions).toContain('_To be written: follow-up tasks');
  });
});

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [400, '<1s'],
    [45_000, '45s'],
    [3 * MINUTE_MS, '3m'],
    [3 * MINUTE_MS + 20_000, '3m 20s'],
    [72 * MINUTE_MS, '1h 12m'],
    [60 * MINUTE_MS + 5_000, '1h'],
    [2 * 24 * 60 * MINUTE_MS, '2d'],
    [(51 * 60 + 30) * MINUTE_MS, '2d 3h'],
    [59_600, '1m'],
  ])('shows %i ms as %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});
