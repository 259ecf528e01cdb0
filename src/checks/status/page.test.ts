import { describe, expect, it } from 'vitest';
import { renderStatusHtml } from './html.ts';
import {
  buildStatusPage,
  type CheckFacts,
  type ComponentStatus,
  checkStatus,
  type DailyCounts,
  type PageFacts,
  type SloFacts,
  type StatusPage,
  sloStatus,
  uptimeDays,
  worst,
} from './page.ts';

const DAY = 86_400_000;
/** Mid-afternoon UTC, so "today" starts well before now. */
const NOW = Date.UTC(2026, 0, 10, 15, 30);
const TODAY = Date.UTC(2026, 0, 10);

const check = (over: Partial<CheckFacts> = {}): CheckFacts => ({
  name: 'home',
  service: 'shop',
  enabled: true,
  state: 'passing',
  latest: { status: 'pass', startedAt: NOW },
  ...over,
});
const slo = (firing: string[], over: Partial<SloFacts> = {}): SloFacts => ({
  name: 'avail',
  service: 'shop',
  firing,
  ...over,
});
const daily = (
  checkName: string,
  day: number,
  pass: number,
  degraded: number,
  fail: number,
): DailyCounts => ({
  check: checkName,
  day,
  pass,
  degraded,
  fail,
});
const facts = (over: Partial<PageFacts>): PageFacts => ({
  kind: 'service',
  name: 'shop',
  services: [{ name: 'shop' }],
  checks: [],
  slos: [],
  daily: [],
  now: NOW,
  days: 3,
  ...over,
});

describe('component status', () => {
  it.each<[string, Partial<CheckFacts>, ComponentStatus]>([
    ['a passing check is operational', {}, 'operational'],
    ['a check with no run yet is operational', { latest: undefined, state: undefined }, 'operational'],
    [
      'a paused check is under maintenance, whatever it last did',
      { enabled: false, state: 'failing' },
      'under_maintenance',
    ],
    [
      'a check past its failure threshold is a major outage',
      { state: 'failing', latest: { status: 'fail', startedAt: NOW } },
      'major_outage',
    ],
    [
      'a failing check whose newest run passed (not recovered) is still a major outage',
      { state: 'failing' },
      'major_outage',
    ],
    [
      'a failed run below the threshold is a partial outage',
      { latest: { status: 'fail', startedAt: NOW } },
      'partial_outage',
    ],
    [
      'a degraded run is degraded performance',
      { latest: { status: 'degraded', startedAt: NOW } },
      'degraded_performance',
    ],
  ])('%s', (_name, over, status) => {
    expect(checkStatus(check(over))).toBe(status);
  });

  it.each<[string, string[], ComponentStatus]>([
    ['an SLO with nothing firing is operational', [], 'operational'],
    ['a firing page alert is a partial outage', ['ticket', 'page'], 'partial_outage'],
    ['a firing ticket alert is degraded performance', ['ticket'], 'degraded_performance'],
    ['a firing alert of any other severity is degraded performance', ['info'], 'degraded_performance'],
  ])('%s', (_name, firing, status) => {
    expect(sloStatus(slo(firing))).toBe(status);
  });

  it.each<[string, ComponentStatus[], ComponentStatus]>([
    ['nothing is operational', [], 'operational'],
    ['all operational', ['operational', 'operational'], 'operational'],
    ['maintenance ranks above operational', ['operational', 'under_maintenance'], 'under_maintenance'],
    [
      'degraded ranks above maintenance',
      ['under_maintenance', 'degraded_performance'],
      'degraded_performance',
    ],
    [
      'a partial outage above degraded',
      ['degraded_performance', 'partial_outage', 'operational'],
      'partial_outage',
    ],
    [
      'a major outage above everything',
      ['partial_outage', 'major_outage', 'under_maintenance'],
      'major_outage',
    ],
  ])('worst: %s', (_name, statuses, expected) => {
    expect(worst(statuses)).toBe(expected);
  });
});

describe('uptime days', () => {
  const rows = [
    daily('home', TODAY - 5 * DAY, 100, 0, 100), // before the range
    daily('home', TODAY - 2 * DAY, 8, 1, 1),
    daily('api', TODAY - 2 * DAY, 0, 0, 10), // another check
    daily('home', TODAY, 2, 1, 1),
  ];

  it('lists the last days oldest first, today included, with gaps as no data', () => {
    expect(uptimeDays(rows, new Set(['home']), NOW, 3)).toEqual([
      { date: '2026-01-08', uptime: 0.9, fail: 1, total: 10 },
      { date: '2026-01-09', uptime: null, fail: 0, total: 0 },
      { date: '2026-01-10', uptime: 0.75, fail: 1, total: 4 },
    ]);
  });

  it('adds up the counts of several checks on the same day (degraded runs count as up)', () => {
    const days = uptimeDays(rows, new Set(['home', 'api']), NOW, 3);
    expect(days[0]).toEqual({ date: '2026-01-08', uptime: 0.45, fail: 11, total: 20 });
  });

  it('a day with a row of zero runs is no data, not 0 %', () => {
    expect(uptimeDays([daily('home', TODAY, 0, 0, 0)], new Set(['home']), NOW, 1)).toEqual([
      { date: '2026-01-10', uptime: null, fail: 0, total: 0 },
    ]);
  });

  it('today starts at UTC midnight: a run just after midnight is today', () => {
    const justAfter = TODAY + 1;
    const days = uptimeDays([daily('home', TODAY, 1, 0, 0)], new Set(['home']), justAfter, 2);
    expect(days.map((d) => [d.date, d.total])).toEqual([
      ['2026-01-09', 0],
      ['2026-01-10', 1],
    ]);
  });
});

describe('the status page', () => {
  it('a service page has one component per check and per SLO, with uptime for checks only', () => {
    const page = buildStatusPage(
      facts({
        checks: [
          check({ name: 'home', displayName: 'Home page' }),
          check({ name: 'api', latest: { status: 'degraded', startedAt: NOW } }),
        ],
        slos: [slo(['page'], { displayName: 'Availability' })],
        daily: [daily('home', TODAY, 9, 0, 1), daily('api', TODAY - DAY, 4, 0, 0)],
      }),
    );
    expect(page.page).toEqual({ kind: 'service', name: 'shop', updatedAt: NOW });
    expect(page.components.map((c) => [c.kind, c.name, c.displayName, c.status])).toEqual([
      ['check', 'home', 'Home page', 'operational'],
      ['check', 'api', 'api', 'degraded_performance'],
      ['slo', 'avail', 'Availability', 'partial_outage'],
    ]);
    expect(page.components[0]?.uptime.ratio).toBe(0.9);
    expect(page.components[0]?.uptime.days).toHaveLength(3);
    expect(page.components[1]?.uptime.ratio).toBe(1);
    expect(page.components[2]?.uptime).toEqual({ days: [], ratio: null });
    expect(page.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    expect(page.incidents).toEqual([]);
  });

  it('a check without runs in the range has no uptime ratio', () => {
    const page = buildStatusPage(facts({ checks: [check()] }));
    expect(page.components[0]?.uptime.ratio).toBeNull();
  });

  it('a team page has one component per service: the worst of its checks and SLOs, uptime over its checks', () => {
    const page = buildStatusPage(
      facts({
        kind: 'team',
        name: 'payments',
        services: [
          { name: 'shop', displayName: 'Shop', description: 'the storefront' },
          { name: 'billing' },
          { name: 'quiet' },
        ],
        checks: [
          check({ name: 'home', service: 'shop' }),
          check({ name: 'cart', service: 'shop', latest: { status: 'fail', startedAt: NOW } }),
          check({ name: 'invoices', service: 'billing' }),
        ],
        slos: [slo(['ticket'], { name: 'billing-avail', service: 'billing' })],
        daily: [
          daily('home', TODAY, 3, 0, 1),
          daily('cart', TODAY, 0, 0, 4),
          daily('invoices', TODAY, 10, 0, 0),
          daily('other', TODAY, 0, 0, 100),
        ],
      }),
    );
    expect(page.page.kind).toBe('team');
    expect(page.components).toEqual([
      {
        name: 'shop',
        displayName: 'Shop',
        kind: 'service',
        status: 'partial_outage',
        description: 'the storefront',
        uptime: expect.objectContaining({ ratio: 3 / 8 }),
      },
      {
        name: 'billing',
        displayName: 'billing',
        kind: 'service',
        status: 'degraded_performance',
        uptime: expect.objectContaining({ ratio: 1 }),
      },
      {
        name: 'quiet',
        displayName: 'quiet',
        kind: 'service',
        status: 'operational',
        uptime: expect.objectContaining({ ratio: null }),
      },
    ]);
    expect(page.status.indicator).toBe('major');
  });

  it.each<[ComponentStatus, StatusPage['status']]>([
    ['operational', { indicator: 'none', description: 'All Systems Operational' }],
    ['under_maintenance', { indicator: 'maintenance', description: 'Service Under Maintenance' }],
    ['degraded_performance', { indicator: 'minor', description: 'Degraded Performance' }],
    ['partial_outage', { indicator: 'major', description: 'Partial System Outage' }],
    ['major_outage', { indicator: 'critical', description: 'Major System Outage' }],
  ])('the worst component %s gives the indicator %o', (status, expected) => {
    const byStatus: Record<ComponentStatus, Partial<CheckFacts>> = {
      operational: {},
      under_maintenance: { enabled: false },
      degraded_performance: { latest: { status: 'degraded', startedAt: NOW } },
      partial_outage: { latest: { status: 'fail', startedAt: NOW } },
      major_outage: { state: 'failing' },
    };
    const page = buildStatusPage(facts({ checks: [check({ name: 'fine' }), check(byStatus[status])] }));
    expect(page.components[1]?.status).toBe(status);
    expect(page.status).toEqual(expected);
  });

  it('a service in an active maintenance window shows its checks and SLOs under maintenance, until when', () => {
    const page = buildStatusPage(
      facts({
        checks: [check({ state: 'failing', latest: { status: 'fail', startedAt: NOW } })],
        slos: [slo(['page'])],
        maintenance: [
          { service: 'shop', end: NOW + 3_600_000 },
          { service: 'shop', end: NOW + 7_200_000 },
          { service: 'other', end: NOW + 3_600_000 },
        ],
      }),
    );
    expect(page.components.map((c) => [c.name, c.status, c.maintenanceUntil])).toEqual([
      ['home', 'under_maintenance', NOW + 7_200_000],
      ['avail', 'under_maintenance', NOW + 7_200_000],
    ]);
    expect(page.status.indicator).toBe('maintenance');
  });

  it('a window that has ended changes nothing', () => {
    const page = buildStatusPage(facts({ checks: [check()], maintenance: [{ service: 'shop', end: NOW }] }));
    expect(page.components[0]?.status).toBe('operational');
    expect(page.components[0]?.maintenanceUntil).toBeUndefined();
  });

  it('on a team page only the service in maintenance is under maintenance; an outage elsewhere still shows', () => {
    const page = buildStatusPage(
      facts({
        kind: 'team',
        services: [{ name: 'shop' }, { name: 'billing' }],
        checks: [
          check({ name: 'home', service: 'shop', state: 'failing' }),
          check({ name: 'invoices', service: 'billing', state: 'failing' }),
        ],
        maintenance: [{ service: 'shop', end: NOW + 60_000 }],
      }),
    );
    expect(page.components.map((c) => [c.name, c.status])).toEqual([
      ['shop', 'under_maintenance'],
      ['billing', 'major_outage'],
    ]);
    expect(page.status.indicator).toBe('critical');
    expect(renderStatusHtml(page)).toContain(
      `Under maintenance until <time>${new Date(NOW + 60_000).toISOString()}</time>`,
    );
  });

  it('carries the incidents it is given', () => {
    const incidents = [
      { name: 'Checkout errors', status: 'investigating', impact: 'major', updatedAt: NOW, notes: [] },
    ];
    expect(buildStatusPage(facts({ incidents })).incidents).toEqual(incidents);
  });
});

describe('the status page as HTML', () => {
  const hostile = '<script>alert("x")</script> & \'co\'';
  const page = buildStatusPage(
    facts({
      kind: 'team',
      name: `team ${hostile}`,
      services: [
        { name: 'shop', displayName: `Shop ${hostile}`, description: `desc ${hostile}` },
        { name: 'billing' },
      ],
      checks: [
        check({ name: 'home', service: 'shop', state: 'failing' }),
        check({ name: 'inv', service: 'billing' }),
      ],
      daily: [daily('home', TODAY, 1, 0, 1)],
      incidents: [
        {
          name: `Incident ${hostile}`,
          status: 'identified',
          impact: 'major',
          updatedAt: NOW,
          notes: [{ at: NOW - 60_000, body: `note ${hostile}` }],
        },
      ],
    }),
  );
  const html = renderStatusHtml(page);

  it('escapes every text that came from specs or incidents', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain(hostile);
    const escaped = '&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;co&#39;';
    for (const text of [
      `team ${escaped}`,
      `Shop ${escaped}`,
      `desc ${escaped}`,
      `Incident ${escaped}`,
      `note ${escaped}`,
    ])
      expect(html).toContain(text);
  });

  it('lists every component with its status as a data attribute', () => {
    const items = html.match(/<li class="component">/g) ?? [];
    expect(items).toHaveLength(page.components.length);
    expect(html).toContain('billing');
    const statuses = [...html.matchAll(/data-status="([a-z_]+)"/g)].map((m) => m[1]);
    expect(statuses).toEqual(page.components.map((c) => c.status));
    expect(statuses).toEqual(['major_outage', 'operational']);
  });

  it('shows the overall indicator, one bar per day and the uptime ratio', () => {
    expect(html).toContain(`data-indicator="${page.status.indicator}"`);
    expect(html).toContain(page.status.description);
    const bars = html.match(/class="bar"/g) ?? [];
    expect(bars).toHaveLength(page.components.length * 3);
    expect(html).toContain('50.00% uptime');
    expect(html).toContain('no data uptime');
    expect(html).toContain(`${new Date(NOW).toISOString()}`);
  });

  it('links the JSON form with the name URL-encoded', () => {
    expect(html).toContain(`href="/api/v1/status/${encodeURIComponent(page.page.name)}"`);
  });

  it('a page without incidents has no incident section', () => {
    const quiet = renderStatusHtml(buildStatusPage(facts({ checks: [check()] })));
    expect(quiet).not.toContain('Open incidents');
    expect(quiet).toContain('data-indicator="none"');
    expect(html).toContain('Open incidents');
  });
});
