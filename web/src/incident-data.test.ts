import { describe, expect, it } from 'vitest';
import {
  applyIncidentEvent,
  describeApiError,
  escapeHtml,
  escapeText,
  filtersFromParams,
  groupTasks,
  groupTimelineByDay,
  type Incident,
  type IncidentDetail,
  type IncidentFilters,
  type IncidentState,
  impactFormOf,
  impactPatch,
  incidentDurations,
  incidentsPath,
  matchesFilters,
  mergeIntoList,
  mergeTimeline,
  moveButtons,
  PERSON_HUES,
  paramsFromFilters,
  renderInline,
  renderMarkdown,
  rolesPatch,
  severityTone,
  splitTableRow,
  stateBadge,
  type TimelineEntry,
  timelineKind,
  timeToAcknowledge,
  userHue,
  withAccessToken,
} from './incident-data.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 1,
    title: 'Checkout failing',
    state: 'triggered',
    severity: 'SEV2',
    urgency: 'high',
    service: 'pay',
    services: ['pay'],
    createdAt: T0,
    updatedAt: T0,
    milestones: { detectedAt: T0 },
    roles: {},
    impact: {},
    tasks: [],
    publicUpdates: [],
    ...over,
  };
}

function entry(id: number, at: number, over: Partial<TimelineEntry> = {}): TimelineEntry {
  return { id, incidentId: 1, at, kind: 'note', actor: 'alice', text: `entry ${id}`, ...over };
}

describe('state and severity badges', () => {
  it.each<[IncidentState, string]>([
    ['triggered', 'alarm'],
    ['acknowledged', 'working'],
    ['investigating', 'working'],
    ['identified', 'working'],
    ['monitoring', 'watching'],
    ['resolved', 'done'],
    ['closed', 'done'],
    ['declined', 'void'],
    ['merged', 'void'],
  ])('a %s incident has the %s tone and its state as label', (state, tone) => {
    expect(stateBadge(state)).toEqual({ label: state, tone });
  });

  it('a severity tone is the lower-cased severity, one CSS modifier per level', () => {
    expect(['SEV1', 'SEV2', 'SEV3', 'SEV4'].map((s) => severityTone(s as 'SEV1'))).toEqual([
      'sev1',
      'sev2',
      'sev3',
      'sev4',
    ]);
  });
});

describe('moveButtons', () => {
  it.each<[string, IncidentState, IncidentState[], string[], string]>([
    [
      'a triggered incident offers acknowledge first, the forward states, then decline; merge is left out',
      'triggered',
      ['acknowledged', 'investigating', 'identified', 'monitoring', 'resolved', 'declined', 'merged'],
      ['Acknowledge', 'Investigating', 'Identified', 'Monitoring', 'Resolve', 'Decline'],
      'Acknowledge',
    ],
    [
      'the order is the lifecycle order whatever order the server sends',
      'acknowledged',
      ['declined', 'resolved', 'investigating', 'merged'],
      ['Investigating', 'Resolve', 'Decline'],
      'Investigating',
    ],
    [
      'an identified incident can go back to investigating, but the primary move is forward',
      'identified',
      ['investigating', 'monitoring', 'resolved', 'merged'],
      ['Investigating', 'Monitoring', 'Resolve'],
      'Monitoring',
    ],
    [
      'a resolved incident reopens or closes',
      'resolved',
      ['investigating', 'closed', 'merged'],
      ['Reopen', 'Close'],
      'Close',
    ],
    ['a closed incident has no buttons', 'closed', [], [], ''],
    [
      'moves that lag a live state change never offer the state it is in',
      'acknowledged',
      ['acknowledged', 'investigating', 'declined'],
      ['Investigating', 'Decline'],
      'Investigating',
    ],
  ])('%s', (_name, state, allowed, labels, primary) => {
    const buttons = moveButtons(state, allowed);
    expect(buttons.map((b) => b.label)).toEqual(labels);
    expect(buttons.filter((b) => b.kind === 'primary').map((b) => b.label)).toEqual(primary ? [primary] : []);
  });

  it('decline is marked as the dangerous one', () => {
    expect(moveButtons('triggered', ['declined']).map((b) => b.kind)).toEqual(['danger']);
  });
});

describe('list filters', () => {
  it.each<[string, string, IncidentFilters]>([
    ['no query string means open incidents of any severity and service', '', { state: 'open' }],
    [
      'state, severity and service are read back',
      'state=resolved&severity=SEV1&service=pay',
      { state: 'resolved', severity: 'SEV1', service: 'pay' },
    ],
    ['all is a state filter of its own', 'state=all', { state: 'all' }],
    ['unknown values fall back to the defaults', 'state=burning&severity=SEV9', { state: 'open' }],
  ])('%s', (_name, query, filters) => {
    expect(filtersFromParams(new URLSearchParams(query))).toEqual(filters);
  });

  it('the query string leaves the defaults out and round-trips', () => {
    expect(paramsFromFilters({ state: 'open' }).toString()).toBe('');
    const f: IncidentFilters = { state: 'monitoring', severity: 'SEV3', service: 'shop' };
    expect(filtersFromParams(paramsFromFilters(f))).toEqual(f);
  });

  it.each<[string, IncidentFilters, string]>([
    ['open asks the server for open', { state: 'open' }, '/api/v1/incidents?state=open&limit=50'],
    [
      'all sends no state at all',
      { state: 'all', severity: 'SEV2' },
      '/api/v1/incidents?severity=SEV2&limit=50',
    ],
    [
      'one state and a service',
      { state: 'triggered', service: 'a b' },
      '/api/v1/incidents?state=triggered&service=a+b&limit=50',
    ],
  ])('the API path: %s', (_name, filters, path) => {
    expect(incidentsPath(filters, 50)).toBe(path);
  });

  it.each<[string, Partial<Incident>, IncidentFilters, boolean]>([
    ['a triggered incident is open', { state: 'triggered' }, { state: 'open' }, true],
    ['a resolved incident is not open', { state: 'resolved' }, { state: 'open' }, false],
    ['all takes every state', { state: 'merged' }, { state: 'all' }, true],
    ['one state takes only that state', { state: 'monitoring' }, { state: 'identified' }, false],
    ['the severity must match', { severity: 'SEV1' }, { state: 'all', severity: 'SEV2' }, false],
    [
      'a service matches the routing service or any affected one',
      { service: 'pay', services: ['pay', 'shop'] },
      { state: 'all', service: 'shop' },
      true,
    ],
    [
      'another service does not match',
      { service: 'pay', services: ['pay'] },
      { state: 'all', service: 'shop' },
      false,
    ],
  ])('matchesFilters: %s', (_name, over, filters, expected) => {
    expect(matchesFilters(incident(over), filters)).toBe(expected);
  });
});

describe('mergeIntoList', () => {
  const a = incident({ id: 1, createdAt: T0 });
  const b = incident({ id: 2, createdAt: T0 + MIN });

  it('a new matching incident goes on top (newest first)', () => {
    const c = incident({ id: 3, createdAt: T0 + 2 * MIN });
    expect(mergeIntoList([b, a], c, { state: 'open' }, 10).map((i) => i.id)).toEqual([3, 2, 1]);
  });

  it('a changed incident is replaced in place', () => {
    const changed = { ...a, title: 'renamed', state: 'acknowledged' as const };
    const merged = mergeIntoList([b, a], changed, { state: 'open' }, 10);
    expect(merged.map((i) => [i.id, i.title])).toEqual([
      [2, 'Checkout failing'],
      [1, 'renamed'],
    ]);
  });

  it('an incident that leaves the filter leaves the list', () => {
    expect(
      mergeIntoList([b, a], { ...b, state: 'resolved' }, { state: 'open' }, 10).map((i) => i.id),
    ).toEqual([1]);
  });

  it('the list keeps at most the limit', () => {
    const c = incident({ id: 3, createdAt: T0 + 2 * MIN });
    expect(mergeIntoList([b, a], c, { state: 'open' }, 2).map((i) => i.id)).toEqual([3, 2]);
  });
});

describe('durations', () => {
  it.each<[string, Incident['milestones'], number | undefined]>([
    ['acknowledged five minutes after detection', { detectedAt: T0, acknowledgedAt: T0 + 5 * MIN }, 5 * MIN],
    ['not acknowledged yet has no time to acknowledge', { detectedAt: T0 }, undefined],
    ['without a detection time it counts from the opening', { acknowledgedAt: T0 + 2 * MIN }, 2 * MIN],
  ])('time to acknowledge: %s', (_name, milestones, expected) => {
    expect(timeToAcknowledge(incident({ milestones }))).toBe(expected);
  });

  it('an incident through its lifecycle has every duration behind MTTD, MTTA and MTTR', () => {
    const i = incident({
      createdAt: T0,
      milestones: {
        impactStartedAt: T0 - 4 * MIN,
        detectedAt: T0,
        acknowledgedAt: T0 + 3 * MIN,
        mitigatedAt: T0 + 20 * MIN,
        resolvedAt: T0 + HOUR,
      },
    });
    expect(incidentDurations(i, T0 + DAY)).toEqual({
      toDetect: 4 * MIN,
      toAcknowledge: 3 * MIN,
      toRecover: 24 * MIN,
      toResolve: HOUR,
      open: HOUR,
    });
  });

  it('an open incident has only the time it has been open so far', () => {
    expect(incidentDurations(incident({ milestones: { detectedAt: T0 } }), T0 + 7 * MIN)).toEqual({
      open: 7 * MIN,
    });
  });
});

describe('timeline', () => {
  it.each([
    ['alert-firing', 'alert firing'],
    ['note', 'note'],
    ['state', 'state'],
    ['page-sent', 'paged'],
  ])('kind %s is labelled %s with an icon', (kind, label) => {
    const k = timelineKind(kind);
    expect(k.label).toBe(label);
    expect(k.icon.length).toBeGreaterThan(0);
  });

  it('an unknown kind (a newer server) shows its own name', () => {
    expect(timelineKind('telepathy')).toEqual({ icon: '•', label: 'telepathy' });
  });

  it('merging keeps one copy per id, oldest first and ties in id order', () => {
    const merged = mergeTimeline(
      [entry(2, T0 + MIN), entry(1, T0)],
      [entry(3, T0 + MIN), { ...entry(2, T0 + MIN), text: 'edited' }],
    );
    expect(merged.map((e) => [e.id, e.text])).toEqual([
      [1, 'entry 1'],
      [2, 'edited'],
      [3, 'entry 3'],
    ]);
  });

  it('grouping by day puts the days in order and each day oldest first', () => {
    const late = Date.UTC(2026, 10, 23, 23, 59, 0);
    const groups = groupTimelineByDay([entry(3, late + 2 * MIN), entry(1, T0), entry(2, late)], 'UTC');
    expect(groups.map((g) => [g.day, g.entries.map((e) => e.id)])).toEqual([
      ['2026-11-23', [1, 2]],
      ['2026-11-24', [3]],
    ]);
  });

  it('the day boundary follows the time zone asked for', () => {
    // 23:59 UTC is already the next day in Berlin.
    const groups = groupTimelineByDay(
      [entry(1, T0), entry(2, Date.UTC(2026, 10, 23, 23, 59))],
      'Europe/Berlin',
    );
    expect(groups.map((g) => g.day)).toEqual(['2026-11-23', '2026-11-24']);
  });

  it('a live event replaces the incident and adds only its own new entries', () => {
    const detail: IncidentDetail = {
      incident: incident(),
      alerts: [],
      timeline: [entry(1, T0)],
      allowedMoves: ['acknowledged'],
    };
    const next = applyIncidentEvent(detail, {
      incident: incident({ state: 'acknowledged' }),
      entries: [entry(2, T0 + MIN, { kind: 'state' }), entry(9, T0, { incidentId: 7 })],
    });
    expect(next.incident.state).toBe('acknowledged');
    expect(next.timeline.map((e) => e.id)).toEqual([1, 2]);
  });

  it('a live event of another incident leaves the detail as it was', () => {
    const detail: IncidentDetail = { incident: incident(), alerts: [], timeline: [], allowedMoves: [] };
    expect(applyIncidentEvent(detail, { incident: incident({ id: 2 }), entries: [] })).toBe(detail);
  });
});

describe('tasks and forms', () => {
  it('tasks and follow-ups are apart, open ones first', () => {
    const t = (id: string, kind: 'task' | 'follow-up', status: 'open' | 'done' | 'cancelled') => ({
      id,
      title: id,
      kind,
      status,
    });
    const g = groupTasks([t('a', 'task', 'done'), t('b', 'follow-up', 'open'), t('c', 'task', 'open')]);
    expect(g.tasks.map((x) => x.id)).toEqual(['c', 'a']);
    expect(g.followUps.map((x) => x.id)).toEqual(['b']);
  });

  it.each<[string, Incident['roles'], Record<'commander' | 'scribe' | 'communications', string>, object]>([
    [
      'a new commander is set',
      {},
      { commander: ' alice ', scribe: '', communications: '' },
      { commander: 'alice' },
    ],
    [
      'a blanked role is cleared with null',
      { scribe: 'bob' },
      { commander: '', scribe: '', communications: '' },
      { scribe: null },
    ],
    [
      'unchanged roles are left out',
      { commander: 'alice' },
      { commander: 'alice', scribe: '', communications: '' },
      {},
    ],
  ])('roles: %s', (_name, current, form, patch) => {
    expect(rolesPatch(current, form)).toEqual(patch);
  });

  it('the impact form starts from the incident and blank fields clear', () => {
    const form = impactFormOf({ customersAffected: 1200, currency: 'EUR' });
    expect(form).toEqual({
      customersAffected: '1200',
      failedTransactions: '',
      value: '',
      currency: 'EUR',
      notes: '',
    });
    expect(impactPatch({ ...form, value: '1,234.50', currency: 'usd', notes: ' checkout only ' })).toEqual({
      patch: {
        customersAffected: 1200,
        failedTransactions: null,
        value: 1234.5,
        currency: 'USD',
        notes: 'checkout only',
      },
    });
  });

  it.each([
    [
      'a count that is not a whole number',
      { customersAffected: '1.5' },
      'customers affected must be a whole number',
    ],
    ['a value that is not a number', { value: 'lots' }, 'value must be a number'],
  ])('the impact form refuses %s', (_name, over, error) => {
    expect(impactPatch({ ...impactFormOf({}), ...over })).toEqual({ error });
  });

  it('a refused write reads as the status, the message and the details the server gave', () => {
    expect(
      describeApiError(409, 'cannot move from closed to acknowledged', {
        error: 'conflict',
        message: 'cannot move from closed to acknowledged',
        details: [{ path: 'to', message: 'allowed: none' }],
      }),
    ).toBe('HTTP 409: cannot move from closed to acknowledged (allowed: none)');
    expect(describeApiError(403, 'needs the responder role')).toBe('HTTP 403: needs the responder role');
  });
});

describe('people on call', () => {
  it('one person has one colour', () => {
    expect(userHue('alice')).toBe(userHue('alice'));
    expect(userHue('alice')).not.toBe(userHue('bob'));
    // Never in the red-to-yellow range the UI uses for trouble.
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace']) {
      expect(PERSON_HUES).toContain(userHue(name));
      expect(userHue(name)).toBeGreaterThanOrEqual(170);
      expect(userHue(name)).toBeLessThan(320);
    }
  });

  it('an iCal link carries the token in the query only when there is one', () => {
    expect(withAccessToken('/api/v1/schedules/primary/ical', null)).toBe('/api/v1/schedules/primary/ical');
    expect(withAccessToken('/api/v1/users/alice/ical', 'blst_a+b')).toBe(
      '/api/v1/users/alice/ical?access_token=blst_a%2Bb',
    );
  });
});

describe('Markdown', () => {
  it('escapeHtml escapes every special character, references included', () => {
    expect(escapeHtml(`<a href="x">'&lt;'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;lt;&#39;&lt;/a&gt;',
    );
  });

  it('escapeText keeps character references but escapes a bare ampersand', () => {
    expect(escapeText('&lt;b&gt; & &#60; &amp; <b>')).toBe('&lt;b&gt; &amp; &#60; &amp; &lt;b&gt;');
  });

  it.each([
    [
      'strong and emphasis',
      'a **bold** and *soft* and _quiet_ word',
      'a <strong>bold</strong> and <em>soft</em> and <em>quiet</em> word',
    ],
    ['underscores inside words are not emphasis', 'snake_case_name', 'snake_case_name'],
    ['code spans are literal and escaped', 'run `a *b* <c>` now', 'run <code>a *b* &lt;c&gt;</code> now'],
    ['a reference inside a code span shows as written', '`&lt;`', '<code>&amp;lt;</code>'],
    ['backslash escapes show the character', '\\*not\\* a \\| pipe \\\\', '*not* a | pipe \\'],
    ['raw HTML shows as text', '<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    [
      'web links become links',
      '[docs](https://example.com/a?b=1&c=2)',
      '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">docs</a>',
    ],
    ['script links stay text', '[x](javascript:alert(1))', '[x](javascript:alert(1))'],
    [
      'a quote cannot leave the href',
      '[x](/a"onclick=b)',
      '<a href="/a&quot;onclick=b" rel="noopener noreferrer">x</a>',
    ],
  ])('inline: %s', (_name, md, html) => {
    expect(renderInline(md)).toBe(html);
  });

  it('table rows split on pipes that are not escaped', () => {
    expect(splitTableRow('| a | b \\| c | d\\\\ |')).toEqual(['a', 'b \\| c', 'd\\\\']);
    expect(splitTableRow('a | b')).toEqual(['a', 'b']);
  });

  it.each([
    ['headings of each level', '# One\n\n### Three ###', '<h1>One</h1>\n<h3>Three</h3>'],
    ['a paragraph joins its lines', 'first\nsecond\n\nthird', '<p>first second</p>\n<p>third</p>'],
    [
      'an unordered list',
      '- a\n- **b**\n  continued',
      '<ul><li>a</li><li><strong>b</strong> continued</li></ul>',
    ],
    ['an ordered list', '1. one\n2. two', '<ol><li>one</li><li>two</li></ol>'],
    [
      'a table with alignment and escaped pipes',
      '| Field | Value |\n| --- | ---: |\n| a \\| b | _none_ |',
      '<table><thead><tr><th>Field</th><th style="text-align:right">Value</th></tr></thead><tbody><tr><td>a | b</td><td style="text-align:right"><em>none</em></td></tr></tbody></table>',
    ],
    [
      'fenced code is escaped and not parsed',
      '```\n# not a heading\n<b>\n```',
      '<pre><code># not a heading\n&lt;b&gt;</code></pre>',
    ],
    ['a blockquote', '> said **this**', '<blockquote><p>said <strong>this</strong></p></blockquote>'],
    ['a rule', 'a\n\n---\n\nb', '<p>a</p>\n<hr>\n<p>b</p>'],
    [
      'a heading right after a paragraph line starts its own block',
      'text\n## Next',
      '<p>text</p>\n<h2>Next</h2>',
    ],
    ['HTML blocks show as text', '<script>alert(1)</script>', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'],
    ['a heading cannot smuggle markup', '# <img src=x>', '<h1>&lt;img src=x&gt;</h1>'],
  ])('blocks: %s', (_name, md, html) => {
    expect(renderMarkdown(md)).toBe(html);
  });

  it('renders a postmortem-shaped document: title, sections, a table and placeholders', () => {
    const md = [
      '# Postmortem: Checkout &lt;v2&gt; failing (#4)',
      '',
      '| Field | Value |',
      '| --- | --- |',
      '| Incident | #4 |',
      '',
      '## Summary',
      '',
      '_To be written: what happened._',
    ].join('\n');
    const html = renderMarkdown(md);
    expect(html).toContain('<h1>Postmortem: Checkout &lt;v2&gt; failing (#4)</h1>');
    expect(html).toContain('<td>Incident</td><td>#4</td>');
    expect(html).toContain('<h2>Summary</h2>');
    expect(html).toContain('<p><em>To be written: what happened.</em></p>');
  });
});
