import { describe, expect, it } from 'vitest';
import type { Cadence } from './freshness.ts';
import { decideGate, type GateCheck, type GateInput, type GateReason } from './gate.ts';
import type { ErrorBudgetPolicy } from './policy.ts';

const NOW = Date.parse('2026-12-21T12:00:00Z');
const MIN = 60_000;
/** Every minute: a result counts for 5 minutes (three runs are less than the floor). */
const everyMinute: Cadence = { kind: 'interval', everyMs: MIN, jitterMs: 0 };

const passing = (name: string): GateCheck => ({
  name,
  enabled: true,
  cadence: everyMinute,
  state: 'passing',
  latest: { status: 'pass', startedAt: NOW - 30_000 },
});

/** A passing check with `cadence` whose newest result started `ageMs` ago. */
const ranAgo = (ageMs: number, cadence: Cadence = everyMinute): GateCheck => ({
  ...passing('api'),
  cadence,
  latest: { status: 'pass', startedAt: NOW - ageMs },
});

const policy = (
  name: string,
  minBudgetRemaining: number,
  freezes: ErrorBudgetPolicy['freezes'] = [],
  whenNoData?: ErrorBudgetPolicy['whenNoData'],
): ErrorBudgetPolicy => ({
  name,
  service: 'shop',
  minBudgetRemaining,
  freezes,
  ...(whenNoData ? { whenNoData } : {}),
});

const staleLine = (name: string, at: number) =>
  `check ${name} is stale: last ran at ${new Date(at).toISOString()} (a result counts for three runs of the check, at least 5 minutes)`;

const input = (over: Partial<GateInput>): GateInput => ({
  service: 'shop',
  now: NOW,
  checks: [],
  slos: [],
  policies: [],
  ...over,
});

const ok = (kind: GateReason['kind'], message: string): GateReason => ({ ok: true, kind, message });
const blocks = (kind: GateReason['kind'], message: string): GateReason => ({ ok: false, kind, message });

describe('the deploy gate', () => {
  it.each<[string, Partial<GateInput>, boolean, GateReason[]]>([
    [
      'every check passes and every SLO has budget: it passes',
      { checks: [passing('home'), passing('api')], slos: [{ name: 'avail', budgetRemaining: 0.8 }] },
      true,
      [
        ok('check', 'check home passes'),
        ok('check', 'check api passes'),
        ok('budget', 'SLO avail has 80% of its error budget left (needs more than 0%)'),
      ],
    ],
    [
      'a failing check blocks, with its reason',
      {
        checks: [
          passing('home'),
          {
            name: 'api',
            enabled: true,
            cadence: everyMinute,
            state: 'failing',
            latest: { status: 'fail', reason: '[STATUS] (503) == 200', startedAt: NOW },
          },
        ],
      },
      false,
      [blocks('check', 'check api is failing: [STATUS] (503) == 200'), ok('check', 'check home passes')],
    ],
    [
      'a failed run below the failure threshold still blocks',
      {
        checks: [
          {
            name: 'api',
            enabled: true,
            cadence: everyMinute,
            state: 'passing',
            latest: { status: 'fail', startedAt: NOW },
          },
        ],
      },
      false,
      [blocks('check', 'check api is failing: failed')],
    ],
    [
      'a check whose newest run passed but that has not recovered yet blocks',
      { checks: [{ ...passing('api'), state: 'failing' }] },
      false,
      [blocks('check', 'check api has not recovered yet (needs more passing runs)')],
    ],
    [
      'a check that has never run blocks as stale',
      { checks: [{ name: 'api', enabled: true, cadence: everyMinute }] },
      false,
      [blocks('check', 'check api is stale: it has never run')],
    ],
    [
      'a pass within three runs counts',
      { checks: [ranAgo(29 * MIN, { kind: 'interval', everyMs: 10 * MIN, jitterMs: 0 })] },
      true,
      [ok('check', 'check api passes')],
    ],
    [
      'a pass older than three runs is stale and blocks',
      { checks: [ranAgo(31 * MIN, { kind: 'interval', everyMs: 10 * MIN, jitterMs: 0 })] },
      false,
      [blocks('check', staleLine('api', NOW - 31 * MIN))],
    ],
    [
      'a frequent check stays fresh for 5 minutes, not three of its runs',
      { checks: [ranAgo(4 * MIN, { kind: 'interval', everyMs: 10_000, jitterMs: 0 })] },
      true,
      [ok('check', 'check api passes')],
    ],
    [
      'a frequent check is stale after 5 minutes',
      { checks: [ranAgo(5 * MIN + 1, { kind: 'interval', everyMs: 10_000, jitterMs: 0 })] },
      false,
      [blocks('check', staleLine('api', NOW - 5 * MIN - 1))],
    ],
    [
      'a daily cron check is fresh until its third run has passed',
      {
        checks: [
          ranAgo(47 * 60 * MIN, { kind: 'cron', expression: '0 12 * * *', timeZone: 'UTC', jitterMs: 0 }),
        ],
      },
      true,
      [ok('check', 'check api passes')],
    ],
    [
      'a daily cron check that missed three runs is stale',
      {
        checks: [
          ranAgo(72 * 60 * MIN + 1, { kind: 'cron', expression: '0 12 * * *', timeZone: 'UTC', jitterMs: 0 }),
        ],
      },
      false,
      [blocks('check', staleLine('api', NOW - 72 * 60 * MIN - 1))],
    ],
    [
      'a heartbeat counts period plus grace as its interval',
      { checks: [ranAgo(80 * MIN, { kind: 'heartbeat', periodMs: 20 * MIN, graceMs: 10 * MIN })] },
      true,
      [ok('check', 'check api passes')],
    ],
    [
      'stale outranks an old failure: the failure is no longer news either',
      {
        checks: [
          {
            name: 'api',
            enabled: true,
            cadence: everyMinute,
            latest: { status: 'fail', reason: 'x', startedAt: NOW - 60 * MIN },
          },
        ],
      },
      false,
      [blocks('check', staleLine('api', NOW - 60 * MIN))],
    ],
    [
      'a paused check is not judged, even when its last run failed',
      {
        checks: [
          {
            name: 'api',
            enabled: false,
            cadence: everyMinute,
            state: 'failing',
            latest: { status: 'fail', startedAt: NOW },
          },
        ],
      },
      true,
      [ok('check', 'check api is paused (not judged)')],
    ],
    [
      'a degraded check does not block',
      {
        checks: [
          {
            name: 'api',
            enabled: true,
            cadence: everyMinute,
            state: 'passing',
            latest: { status: 'degraded', reason: '[RESPONSE_TIME] (900) < 500', startedAt: NOW },
          },
        ],
      },
      true,
      [ok('check', 'check api degraded ([RESPONSE_TIME] (900) < 500), not blocking')],
    ],
    [
      'a degraded check without a reason says slow',
      {
        checks: [
          {
            name: 'api',
            enabled: true,
            cadence: everyMinute,
            latest: { status: 'degraded', startedAt: NOW },
          },
        ],
      },
      true,
      [ok('check', 'check api degraded (slow), not blocking')],
    ],
    [
      'budget below the policy blocks',
      { slos: [{ name: 'avail', budgetRemaining: 0.05 }], policies: [policy('release', 0.1)] },
      false,
      [blocks('budget', 'SLO avail has 5.0% of its error budget left; the policy needs more than 10%')],
    ],
    [
      'budget exactly at the policy blocks (it must be strictly more)',
      { slos: [{ name: 'avail', budgetRemaining: 0.25 }], policies: [policy('release', 0.25)] },
      false,
      [blocks('budget', 'SLO avail has 25% of its error budget left; the policy needs more than 25%')],
    ],
    [
      'budget above the policy passes',
      { slos: [{ name: 'avail', budgetRemaining: 0.26 }], policies: [policy('release', 0.25)] },
      true,
      [ok('budget', 'SLO avail has 26% of its error budget left (needs more than 25%)')],
    ],
    [
      'without a policy, a spent budget blocks',
      { slos: [{ name: 'avail', budgetRemaining: 0 }] },
      false,
      [blocks('budget', 'SLO avail has 0% of its error budget left; the policy needs more than 0%')],
    ],
    [
      'without a policy, an overspent budget blocks',
      { slos: [{ name: 'avail', budgetRemaining: -0.5 }] },
      false,
      [blocks('budget', 'SLO avail has -50% of its error budget left; the policy needs more than 0%')],
    ],
    [
      'an SLO without data fails closed by default',
      { slos: [{ name: 'avail', budgetRemaining: null }], policies: [policy('release', 0.5)] },
      false,
      [
        blocks(
          'budget',
          'SLO avail has no data yet: the gate fails closed (an ErrorBudgetPolicy with whenNoData: pass lets it through)',
        ),
      ],
    ],
    [
      'an SLO without data fails closed without any policy',
      { slos: [{ name: 'avail', budgetRemaining: null }] },
      false,
      [
        blocks(
          'budget',
          'SLO avail has no data yet: the gate fails closed (an ErrorBudgetPolicy with whenNoData: pass lets it through)',
        ),
      ],
    ],
    [
      'whenNoData: pass lets an SLO without data through, naming the policy',
      {
        slos: [{ name: 'avail', budgetRemaining: null }],
        policies: [policy('budget', 0.1), policy('new-service', 0, [], 'pass')],
      },
      true,
      [ok('budget', 'SLO avail has no data yet (not judged: whenNoData: pass in policy new-service)')],
    ],
    [
      'a policy that says whenNoData: fail outranks one that says pass',
      {
        slos: [{ name: 'avail', budgetRemaining: null }],
        policies: [policy('a', 0, [], 'pass'), policy('b', 0, [], 'fail')],
      },
      false,
      [
        blocks(
          'budget',
          'SLO avail has no data yet: the gate fails closed (an ErrorBudgetPolicy with whenNoData: pass lets it through)',
        ),
      ],
    ],
    [
      'several policies: the strictest threshold applies',
      {
        slos: [{ name: 'avail', budgetRemaining: 0.3 }],
        policies: [policy('lenient', 0.1), policy('strict', 0.5), policy('none', 0)],
      },
      false,
      [blocks('budget', 'SLO avail has 30% of its error budget left; the policy needs more than 50%')],
    ],
    [
      'an active freeze blocks, naming its reason, end and policy',
      {
        checks: [passing('home')],
        policies: [
          policy('release', 0, [
            {
              start: Date.parse('2026-12-20T00:00:00Z'),
              end: Date.parse('2026-12-27T00:00:00Z'),
              reason: 'holidays',
            },
          ]),
        ],
      },
      false,
      [
        blocks('freeze', 'freeze "holidays" is active until 2026-12-27T00:00:00.000Z (policy release)'),
        ok('check', 'check home passes'),
      ],
    ],
    [
      'a freeze is active from its start, not at its end',
      {
        policies: [
          policy('a', 0, [{ start: NOW, end: NOW + 1 }]),
          policy('b', 0, [{ start: NOW - 1, end: NOW }]),
        ],
      },
      false,
      [
        blocks('freeze', `freeze is active until ${new Date(NOW + 1).toISOString()} (policy a)`),
        ok('empty', 'service shop has no checks and no SLOs: nothing to judge'),
      ],
    ],
    [
      'past and future freezes do not block',
      {
        checks: [passing('home')],
        policies: [
          policy('release', 0, [
            { start: Date.parse('2026-01-01T00:00:00Z'), end: Date.parse('2026-01-02T00:00:00Z') },
            { start: Date.parse('2027-01-01T00:00:00Z'), end: Date.parse('2027-01-02T00:00:00Z') },
          ]),
        ],
      },
      true,
      [ok('check', 'check home passes')],
    ],
    [
      'no checks and no SLOs: passes, saying there was nothing to judge',
      {},
      true,
      [ok('empty', 'service shop has no checks and no SLOs: nothing to judge')],
    ],
    [
      'blocking reasons come first, each group in input order',
      {
        checks: [
          passing('a'),
          { name: 'b', enabled: true, cadence: everyMinute },
          passing('c'),
          {
            name: 'd',
            enabled: true,
            cadence: everyMinute,
            state: 'failing',
            latest: { status: 'pass', startedAt: NOW },
          },
        ],
        slos: [
          { name: 'x', budgetRemaining: 0.9 },
          { name: 'y', budgetRemaining: 0.01 },
        ],
        policies: [policy('p', 0.02)],
      },
      false,
      [
        blocks('check', 'check b is stale: it has never run'),
        blocks('check', 'check d has not recovered yet (needs more passing runs)'),
        blocks('budget', 'SLO y has 1.0% of its error budget left; the policy needs more than 2.0%'),
        ok('check', 'check a passes'),
        ok('check', 'check c passes'),
        ok('budget', 'SLO x has 90% of its error budget left (needs more than 2.0%)'),
      ],
    ],
  ])('%s', (_name, over, pass, reasons) => {
    const decision = decideGate(input(over));
    expect(decision.reasons).toEqual(reasons);
    expect(decision.pass).toBe(pass);
    expect(decision.service).toBe('shop');
  });

  it('reports the threshold it applied: the strictest policy, never below 0', () => {
    expect(decideGate(input({})).minBudgetRemaining).toBe(0);
    expect(decideGate(input({ policies: [policy('a', 0.1), policy('b', 0.3)] })).minBudgetRemaining).toBe(
      0.3,
    );
  });
});
