import { describe, expect, it } from 'vitest';
import { formatDiagnostic, type LoadedDocument, loadSpecSources } from '../../spec/index.ts';
import {
  DEFAULT_STEP_DELAY_MS,
  escalationPolicyFromDocument,
  gapWarning,
  onCallBundleDiagnostics,
  scheduleFromDocument,
  teamFromDocument,
  userFromDocument,
} from '../index.ts';

const FILE = 'oncall.yaml';
const HOOK = 'http://127.0.0.1:9/hooks';

/**
 * `file:line:col` of the first `needle` in `text`, so expected positions follow
 * the YAML as written. A `|` in the needle marks the spot inside it.
 */
function at(text: string, needle: string, file = FILE): string {
  const mark = Math.max(0, needle.indexOf('|'));
  const found = text.indexOf(needle.replace('|', ''));
  if (found < 0) throw new Error(`${needle} is not in the document`);
  const lines = text.slice(0, found + mark).split('\n');
  return `${file}:${lines.length}:${(lines.at(-1) ?? '').length + 1}`;
}

function validate(text: string): string[] {
  return loadSpecSources([{ file: FILE, content: text }]).diagnostics.map(formatDiagnostic);
}

function documentOf(text: string, kind: string, name: string): LoadedDocument {
  const bundle = loadSpecSources([{ file: FILE, content: text }]);
  const doc = bundle.documents.find((d) => d.kind === kind && d.name === name);
  if (!doc) throw new Error(`no ${kind} ${name}: ${bundle.diagnostics.map(formatDiagnostic).join('\n')}`);
  return doc;
}

const doc = (kind: string, name: string, spec: string) =>
  `apiVersion: ballast.dev/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

const USERS = [
  doc(
    'User',
    'alice',
    `  displayName: Alice\n  timeZone: Europe/Berlin\n  contacts:\n    - email: alice@example.com\n    - slack: ${HOOK}/alice\n`,
  ),
  doc('User', 'bob', `  contacts: [{ webhook: "${HOOK}/bob" }]\n`),
].join('---\n');

/** Always someone: a weekly rotation from January 2026, office-hours cover on top, one override. */
const SCHEDULE = doc(
  'Schedule',
  'ops',
  `  timeZone: Europe/Berlin
  layers:
    - name: weekly
      start: 2026-01-05T09:00
      shift: 1w
      participants: [alice, bob]
    - name: office
      start: "2026-01-05T09:00"
      end: 2030-01-01T00:00
      shift: { days: 2 }
      participants: [bob, alice]
      restrictions:
        - { days: weekdays, start: "09:00", end: "17:00" }
        - { days: [sat], start: "22:00", end: "06:00" }
  overrides:
    - { user: alice, start: "2026-02-01T09:00:00+01:00", end: "2026-02-02T08:00:00Z", reason: dentist swap }
`,
);

const POLICY = doc(
  'EscalationPolicy',
  'web',
  `  steps:
    - delay: 5m
      targets: [{ user: alice }, { schedule: ops }]
    - targets:
        - slack: ${HOOK}/ops
        - webhook: ${HOOK}/pager
        - email: ops@example.com
  repeat: 2
  ackTimeout: 30m
`,
);

const TEAM = doc('Team', 'sre', '  members: [alice, bob]\n');
const ALL = [USERS, TEAM, SCHEDULE, POLICY].join('---\n');

describe('on-call documents map to the domain model', () => {
  it('a complete, gap-free spec set validates without a single diagnostic', () => {
    expect(validate(ALL)).toEqual([]);
  });

  it('a User keeps its contacts in order; the spec displayName wins over none', () => {
    expect(userFromDocument(documentOf(ALL, 'User', 'alice'))).toStrictEqual({
      value: {
        name: 'alice',
        displayName: 'Alice',
        timeZone: 'Europe/Berlin',
        contacts: [
          { kind: 'email', address: 'alice@example.com' },
          { kind: 'slack', url: `${HOOK}/alice` },
        ],
      },
      diagnostics: [],
    });
    expect(userFromDocument(documentOf(ALL, 'User', 'bob')).value).toStrictEqual({
      name: 'bob',
      contacts: [{ kind: 'webhook', url: `${HOOK}/bob` }],
    });
  });

  it('a Team lists its members', () => {
    expect(teamFromDocument(documentOf(ALL, 'Team', 'sre')).value).toStrictEqual({
      name: 'sre',
      members: ['alice', 'bob'],
    });
  });

  it('a Schedule expands shift and day shorthands and turns override times into instants', () => {
    expect(scheduleFromDocument(documentOf(ALL, 'Schedule', 'ops')).value).toStrictEqual({
      name: 'ops',
      timeZone: 'Europe/Berlin',
      layers: [
        {
          name: 'weekly',
          start: '2026-01-05T09:00',
          shift: { unit: 'weeks', count: 1 },
          participants: ['alice', 'bob'],
          restrictions: [],
        },
        {
          name: 'office',
          start: '2026-01-05T09:00',
          end: '2030-01-01T00:00',
          shift: { unit: 'days', count: 2 },
          participants: ['bob', 'alice'],
          restrictions: [
            { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
            { days: ['sat'], start: '22:00', end: '06:00' },
          ],
        },
      ],
      overrides: [
        {
          user: 'alice',
          start: Date.UTC(2026, 1, 1, 8),
          end: Date.UTC(2026, 1, 2, 8),
          reason: 'dentist swap',
        },
      ],
    });
  });

  it('an EscalationPolicy gets durations in ms, channels as contacts, and the default delay', () => {
    expect(escalationPolicyFromDocument(documentOf(ALL, 'EscalationPolicy', 'web')).value).toStrictEqual({
      name: 'web',
      steps: [
        {
          delayMs: 5 * 60_000,
          targets: [
            { kind: 'user', name: 'alice' },
            { kind: 'schedule', name: 'ops' },
          ],
        },
        {
          delayMs: DEFAULT_STEP_DELAY_MS,
          targets: [
            { kind: 'channel', contact: { kind: 'slack', url: `${HOOK}/ops` } },
            { kind: 'channel', contact: { kind: 'webhook', url: `${HOOK}/pager` } },
            { kind: 'channel', contact: { kind: 'email', address: 'ops@example.com' } },
          ],
        },
      ],
      repeat: 2,
      ackTimeoutMs: 30 * 60_000,
    });
  });

  it.each<[string, string]>([
    ['12h', '{"unit":"hours","count":12}'],
    ['3d', '{"unit":"days","count":3}'],
    ['2w', '{"unit":"weeks","count":2}'],
    ['{ hours: 8 }', '{"unit":"hours","count":8}'],
    ['{ weeks: 1 }', '{"unit":"weeks","count":1}'],
  ])('shift %s maps to %s', (shift, expected) => {
    const text = `${USERS}---\n${doc('Schedule', 'x', `  timeZone: UTC\n  layers:\n    - { name: a, start: 2026-01-05T09:00, shift: ${shift}, participants: [alice] }\n`)}`;
    expect(
      JSON.stringify(scheduleFromDocument(documentOf(text, 'Schedule', 'x')).value?.layers[0]?.shift),
    ).toBe(expected);
  });

  it('an invalid document maps to no value and diagnostics naming the field', () => {
    const text = doc('User', 'carol', '  contacts: [{ email: nope }]\n');
    const mapped = userFromDocument(documentOf(text, 'User', 'carol'));
    expect(mapped.value).toBeUndefined();
    expect(mapped.diagnostics.map(formatDiagnostic)).toEqual([
      `${at(text, 'nope')}: error: spec.contacts[0].email: "nope" is not an email address such as oncall@example.com`,
    ]);
  });
});

describe('schema errors point at the field', () => {
  const layerDoc = (layer: string, rest = '') =>
    doc(
      'Schedule',
      'ops',
      `  timeZone: Europe/Berlin\n  layers:\n    - name: a\n      start: 2026-01-05T09:00\n${layer}${rest}`,
    );
  const SHIFT_HINT = 'a shift is a length such as 12h, 1d or 1w, or {hours: N}, {days: N} or {weeks: N}';
  const TARGET_HINT =
    'a target is {user: NAME}, {schedule: NAME}, {team: NAME}, {slack: URL}, {webhook: URL} or {email: ADDRESS}';

  it.each<[string, string, [needle: string, message: string][]]>([
    [
      'an unknown time zone',
      doc(
        'Schedule',
        'ops',
        '  timeZone: Mars/Base\n  layers: [{ name: a, start: 2026-01-05T09:00, shift: 1d, participants: [alice] }]\n',
      ),
      [
        [
          'Mars/Base',
          'spec.timeZone: unknown time zone "Mars/Base": use an IANA name such as Europe/Berlin, America/New_York or UTC',
        ],
      ],
    ],
    [
      'a layer start that is not a local date-time',
      doc(
        'Schedule',
        'ops',
        '  timeZone: UTC\n  layers: [{ name: a, start: 2026-13-05T09:00, shift: 1d, participants: [alice] }]\n',
      ),
      [
        [
          '2026-13',
          `spec.layers[0].start: "2026-13-05T09:00" is not a local date-time such as 2026-01-05T09:00 (no zone: the schedule's timeZone applies)`,
        ],
      ],
    ],
    [
      'a shift length without a unit',
      layerDoc('      shift: 2x\n      participants: [alice]\n'),
      [['2x', `spec.layers[0].shift: "2x": ${SHIFT_HINT}`]],
    ],
    [
      'a shift given in two units',
      layerDoc('      shift: { days: 1, hours: 2 }\n      participants: [alice]\n'),
      [['{ days: 1', `spec.layers[0].shift: ${SHIFT_HINT}: give one, not hours and days`]],
    ],
    [
      'a zero-length shift',
      layerDoc('      shift: { days: 0 }\n      participants: [alice]\n'),
      [['days: |0', 'spec.layers[0].shift.days: must be at least 1']],
    ],
    [
      'a layer with nobody in it',
      layerDoc('      shift: 1d\n      participants: []\n'),
      [['participants: |[]', 'spec.layers[0].participants: list at least one user']],
    ],
    [
      'a restriction with a malformed time and unknown days',
      layerDoc(
        '      shift: 1d\n      participants: [alice]\n      restrictions: [{ days: someday, start: 9am, end: "24:00" }]\n',
      ),
      [
        [
          'someday',
          'spec.layers[0].restrictions[0].days: days is weekdays, weekends or a list of mon, tue, wed, thu, fri, sat, sun',
        ],
        [
          '9am',
          'spec.layers[0].restrictions[0].start: "9am" is not a time of day such as 09:00 or 17:30 (HH:MM, 00:00–23:59)',
        ],
        [
          '"24:00"',
          'spec.layers[0].restrictions[0].end: "24:00" is not a time of day such as 09:00 or 17:30 (HH:MM, 00:00–23:59)',
        ],
      ],
    ],
    [
      'a layer that ends before it starts, and an unknown field',
      layerDoc(
        '      end: 2026-01-01T00:00\n      shift: 1d\n      participants: [alice]\n      rotation: daily\n',
      ),
      [
        ['2026-01-01T00:00', "spec.layers[0].end: must be after the layer's start (2026-01-05T09:00)"],
        ['rotation', 'unknown field "rotation" in spec.layers[0]'],
      ],
    ],
    [
      'two layers with one name',
      layerDoc(
        '      shift: 1d\n      participants: [alice]\n    - { name: a, start: 2026-01-05T09:00, shift: 1d, participants: [bob] }\n',
      ),
      [
        [
          '{ name: |a,',
          'spec.layers[1].name: duplicate layer name "a": layer names must be unique within a schedule',
        ],
      ],
    ],
    [
      'an override without a zone',
      layerDoc(
        '      shift: 1d\n      participants: [alice]\n',
        '  overrides: [{ user: alice, start: "2026-01-05T09:00", end: "2026-01-06T09:00Z" }]\n',
      ),
      [
        [
          '"2026-01-05T09:00"',
          'spec.overrides[0].start: "2026-01-05T09:00" is not an ISO 8601 date-time with a zone, such as 2026-03-01T09:00:00+01:00 or 2026-03-01T08:00:00Z',
        ],
      ],
    ],
    [
      'an override that ends before it starts',
      layerDoc(
        '      shift: 1d\n      participants: [alice]\n',
        '  overrides: [{ user: alice, start: "2026-01-05T09:00Z", end: "2026-01-04T09:00:00+01:00" }]\n',
      ),
      [['"2026-01-04', "spec.overrides[0].end: must be after the override's start (2026-01-05T09:00Z)"]],
    ],
    [
      'contacts: a bad address, two methods in one, an unknown method, none at all',
      [
        doc(
          'User',
          'carol',
          `  contacts: [{ email: nope }, { webhook: "ftp://x", slack: "${HOOK}" }, { phone: "123" }]\n`,
        ),
        doc('User', 'dave', '  contacts: []\n'),
      ].join('---\n'),
      [
        ['nope', 'spec.contacts[0].email: "nope" is not an email address such as oncall@example.com'],
        [
          '{ webhook',
          'spec.contacts[1]: a contact is {webhook: URL}, {email: ADDRESS} or {slack: URL}: give one, not webhook and slack',
        ],
        ['"ftp://x"', 'spec.contacts[1].webhook: "ftp://x" is not an absolute http:// or https:// URL'],
        ['{ phone', 'spec.contacts[2]: a contact is {webhook: URL}, {email: ADDRESS} or {slack: URL}'],
        ['phone', 'unknown field "phone" in spec.contacts[2]'],
        [
          'contacts: |[]',
          'spec.contacts: give at least one way to page this user (a contact is {webhook: URL}, {email: ADDRESS} or {slack: URL})',
        ],
      ],
    ],
    [
      'a team member that is not a name',
      doc('Team', 'sre', '  members: [alice, Carol]\n'),
      [['Carol', 'spec.members[1]: "Carol" is not a user name (lowercase letters, digits, "-", "." or "_")']],
    ],
    [
      'policy steps: a malformed delay, a target with two kinds, an empty step, too many repeats',
      doc(
        'EscalationPolicy',
        'web',
        '  steps:\n    - delay: 5 minutes\n      targets: [{ user: alice, schedule: ops }, { pager: sre }]\n    - targets: []\n  repeat: 50\n  ackTimeout: 0s\n',
      ),
      [
        [
          '5 minutes',
          'spec.steps[0].delay: malformed duration "5 minutes": use a whole number and a unit (ms, s, m, h), e.g. 30s or 1m30s, greater than zero',
        ],
        ['{ user', `spec.steps[0].targets[0]: ${TARGET_HINT}: give one, not user and schedule`],
        ['{ pager', `spec.steps[0].targets[1]: ${TARGET_HINT}`],
        ['pager:', 'unknown field "pager" in spec.steps[0].targets[1]'],
        ['targets: |[]', `spec.steps[1].targets: a step pages at least one target (${TARGET_HINT})`],
        ['50', 'spec.repeat: must be at most 20 (each round pages every step again)'],
        [
          '0s',
          'spec.ackTimeout: malformed duration "0s": use a whole number and a unit (ms, s, m, h), e.g. 30s or 1m30s, greater than zero',
        ],
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect(validate(text)).toEqual(
      expected.map(([needle, message]) => `${at(text, needle)}: error: ${message}`),
    );
  });
});

describe('references across documents', () => {
  it.each<[string, string, [needle: string, message: string][]]>([
    [
      'a schedule participant and an override user nobody declared',
      `${USERS}---\n${doc('Schedule', 'ops', '  timeZone: UTC\n  layers: [{ name: a, start: 2026-01-05T09:00, shift: 1d, participants: [alice, carol] }]\n  overrides: [{ user: dave, start: "2026-01-05T09:00Z", end: "2026-01-06T09:00Z" }]\n')}`,
      [
        ['carol', 'unknown user "carol": known users are alice, bob'],
        ['dave', 'unknown user "dave": known users are alice, bob'],
      ],
    ],
    [
      'a team member nobody declared',
      `${USERS}---\n${doc('Team', 'sre', '  members: [alice, erin]\n')}`,
      [['erin', 'unknown user "erin": known users are alice, bob']],
    ],
    [
      'a policy naming an unknown user and an unknown schedule',
      `${USERS}---\n${doc('EscalationPolicy', 'web', '  steps: [{ targets: [{ user: frank }, { schedule: nights }] }]\n')}`,
      [
        ['frank', 'unknown user "frank": known users are alice, bob'],
        [
          'nights',
          'unknown schedule "nights": declare it with a Schedule document (apiVersion: ballast.dev/v1, kind: Schedule)',
        ],
      ],
    ],
    [
      'a policy paging a team nobody declared',
      `${USERS}---
${doc('Team', 'sre', '  members: [alice]\n')}---
${doc('EscalationPolicy', 'web', '  steps: [{ targets: [{ team: sre }, { team: dba }] }]\n')}`,
      [['dba', 'unknown team "dba": known teams are sre']],
    ],
    [
      'with no User documents at all the message says how to declare one',
      doc('Team', 'sre', '  members: [alice]\n'),
      [
        [
          'alice',
          'unknown user "alice": declare it with a User document (apiVersion: ballast.dev/v1, kind: User)',
        ],
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect(validate(text)).toEqual(
      expected.map(([needle, message]) => `${at(text, needle)}: error: ${message}`),
    );
  });

  it('a policy may page a team: the target maps to every member of it', () => {
    const text = `${USERS}---\n${TEAM}---\n${doc('EscalationPolicy', 'web', '  steps: [{ targets: [{ team: sre }] }]\n')}`;
    expect(validate(text)).toEqual([]);
    expect(
      escalationPolicyFromDocument(documentOf(text, 'EscalationPolicy', 'web')).value?.steps[0]?.targets,
    ).toEqual([{ kind: 'team', name: 'sre' }]);
  });

  it('a service labelled with a team nobody declared is a warning at the label', () => {
    const service = `apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: checkout\n  labels:\n    team: storefront\nspec:\n  description: Checkout\n`;
    const text = `${USERS}---\n${TEAM}---\n${service}`;
    const diagnostics = loadSpecSources([{ file: FILE, content: text }]).diagnostics;
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      `${at(text, 'storefront')}: warning: service checkout belongs to team "storefront", which no Team document declares: unknown team "storefront": known teams are sre`,
    ]);
    const declared = `${text}---\n${doc('Team', 'storefront', '  members: [bob]\n')}`;
    expect(validate(declared)).toEqual([]);
  });

  it('a User that fails its schema still counts as declared (its own error is the only one)', () => {
    const text = `${doc('User', 'alice', '  contacts: []\n')}---\n${doc('Team', 'sre', '  members: [alice]\n')}`;
    expect(validate(text)).toEqual([
      `${at(text, 'contacts: |[]')}: error: spec.contacts: give at least one way to page this user (a contact is {webhook: URL}, {email: ADDRESS} or {slack: URL})`,
    ]);
  });

  it('mapping with the known names reports the same references and gives no value', () => {
    const text = `${USERS}---\n${doc('EscalationPolicy', 'web', '  steps: [{ targets: [{ user: frank }] }]\n')}`;
    const mapped = escalationPolicyFromDocument(documentOf(text, 'EscalationPolicy', 'web'), {
      users: new Set(['alice', 'bob']),
      schedules: new Set(),
    });
    expect(mapped.value).toBeUndefined();
    expect(mapped.diagnostics.map(formatDiagnostic)).toEqual([
      `${at(text, 'frank')}: error: unknown user "frank": known users are alice, bob`,
    ]);
  });
});

describe('gap warnings', () => {
  const officeOnly = `${USERS}---\n${doc(
    'Schedule',
    'day',
    '  timeZone: Europe/Berlin\n  layers:\n    - name: office\n      start: 2026-01-05T09:00\n      shift: 1w\n      participants: [alice]\n      restrictions: [{ days: weekdays, start: "09:00", end: "17:00" }]\n',
  )}`;

  it('a schedule that leaves nobody on call warns (a warning, not an error) at its layers', () => {
    const diagnostics = loadSpecSources([{ file: FILE, content: officeOnly }]).diagnostics;
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      severity: 'warning',
      ...lineColumn(at(officeOnly, '    |- name: office')),
    });
    expect(diagnostics[0]?.message).toMatch(
      /^nobody is on call from \w{3} \d{4}-\d\d-\d\d \d\d:\d\d to \w{3} \d{4}-\d\d-\d\d \d\d:\d\d, .* \(Europe\/Berlin\); \d+ more gaps in the next 28 days$/,
    );
  });

  it('the next 28 days are counted from the given instant, in the schedule’s zone', () => {
    const bundle = loadSpecSources([{ file: FILE, content: officeOnly }]);
    const monday = Date.UTC(2026, 2, 2, 12); // Mon 2 March 2026, 13:00 Berlin
    const [warning] = onCallBundleDiagnostics({ ...bundle, documents: bundle.documents }, monday);
    // Four weeks of four weeknights and a weekend: 20 gaps (the window ends Monday 13:00, in office hours).
    expect(warning?.message).toBe(
      'nobody is on call from Mon 2026-03-02 17:00 to Tue 2026-03-03 09:00, from Tue 2026-03-03 17:00 to Wed 2026-03-04 09:00 and from Wed 2026-03-04 17:00 to Thu 2026-03-05 09:00 (Europe/Berlin); 17 more gaps in the next 28 days',
    );
  });

  it('a schedule whose layer starts after the window is one gap', () => {
    const start = Date.UTC(2026, 0, 1);
    expect(gapWarning('UTC', [{ start, end: start + 28 * 86_400_000 }])).toBe(
      'nobody is on call from Thu 2026-01-01 00:00 to Thu 2026-01-29 00:00 (UTC)',
    );
  });

  it('a gap-free schedule gives no warning', () => {
    const bundle = loadSpecSources([{ file: FILE, content: ALL }]);
    expect(onCallBundleDiagnostics(bundle, Date.UTC(2026, 2, 2))).toEqual([]);
  });
});

function lineColumn(position: string): { line: number; column: number } {
  const [, line, column] = position.split(':');
  return { line: Number(line), column: Number(column) };
}
