/**
 * The generated rules against the REAL promtool: `promtool check rules` on
 * the file, and `promtool test rules` with outage scenarios whose input
 * series are generated here minute by minute.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generatePrometheusRules } from '../src/slo/rules.ts';
import { prometheusSlo } from '../src/slo/rules-fixtures.ts';
import type { AlertingRule } from '../src/slo/rules-types.ts';

const run = promisify(execFile);

/** Requests per minute in every scenario; 2,000 makes 0.05 % a whole request. */
const RPM = 2000;
const slo = prometheusSlo();
const rules = generatePrometheusRules([slo]);
const alerts = rules.groups.flatMap((g) => g.rules).filter((r): r is AlertingRule => 'alert' in r);
const alertByName = new Map(alerts.map((a) => [a.alert, a]));
const PAGE = 'CheckoutAvailabilityPageBurnRate';
const TICKET = 'CheckoutAvailabilityTicketBurnRate';
const NODATA = 'CheckoutAvailabilityNoData';

/**
 * Compresses cumulative per-minute values into promtool's expanding notation:
 * runs of equal increments become `a+bxn` (n+1 values), gaps (`null`) become `_xn`.
 */
function expandingNotation(values: (number | null)[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    const start = values[i];
    if (start === null || start === undefined) {
      let n = 0;
      while (values[i + n + 1] === null) n++;
      parts.push(n === 0 ? '_' : `_x${n}`);
      i += n + 1;
      continue;
    }
    const next = values[i + 1];
    const step = next === null || next === undefined ? 0 : next - start;
    let n = 0;
    while (values[i + n + 1] !== null && values[i + n + 1] === start + (n + 1) * step) n++;
    parts.push(`${start}${step >= 0 ? '+' : '-'}${Math.abs(step)}x${n}`);
    i += n + 1;
  }
  return parts.join(' ');
}

/** Error ratio of each minute, in [0, 1]; `null` = the service is not scraped that minute. */
type Profile = (minute: number) => number | null;

/** The two counters (`code="200"`, `code="500"`) a profile produces over `minutes`. */
function countersFor(profile: Profile, minutes: number): { ok: (number | null)[]; err: (number | null)[] } {
  const ok: (number | null)[] = [];
  const err: (number | null)[] = [];
  let good = 0;
  let bad = 0;
  for (let m = 0; m <= minutes; m++) {
    // The sample at minute m counts the requests of minutes [0, m): an outage starting at t0 shows from t0+1m.
    const ratio = m === 0 ? 0 : profile(m - 1);
    if (ratio === null) {
      ok.push(null);
      err.push(null);
      continue;
    }
    bad += Math.round(RPM * ratio);
    good += RPM - Math.round(RPM * ratio);
    ok.push(good);
    err.push(bad);
  }
  return { ok, err };
}

interface Expectation {
  at: number;
  alert: string;
  firing: boolean;
}

/** One `tests:` entry of a promtool unit-test file. */
function scenario(name: string, profile: Profile, minutes: number, expect: Expectation[]) {
  const { ok, err } = countersFor(profile, minutes);
  return {
    name,
    interval: '1m',
    input_series: [
      { series: 'http_requests_total{job="checkout",code="200"}', values: expandingNotation(ok) },
      { series: 'http_requests_total{job="checkout",code="500"}', values: expandingNotation(err) },
    ],
    alert_rule_test: expect.map((e) => {
      const rule = alertByName.get(e.alert);
      if (!rule) throw new Error(`no alert ${e.alert}`);
      return {
        eval_time: `${e.at}m`,
        alertname: e.alert,
        exp_alerts: e.firing ? [{ exp_labels: rule.labels, exp_annotations: rule.annotations }] : [],
      };
    }),
  };
}

const outage =
  (from: number, to: number, ratio = 1): Profile =>
  (m) =>
    m >= from && m < to ? ratio : 0;

let dir = '';
let rulesPath = '';

async function promtoolTest(tests: ReturnType<typeof scenario>[]): Promise<{ ok: boolean; output: string }> {
  const file = join(dir, `tests-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, stringify({ rule_files: [rulesPath], evaluation_interval: '1m', tests }));
  try {
    const { stdout, stderr } = await run('promtool', ['test', 'rules', file]);
    return { ok: true, output: stdout + stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ballast-prom-rules-'));
  rulesPath = join(dir, 'rules.yaml');
  await writeFile(rulesPath, rules.yaml);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generated rules for a 99.9 % / 30d SLO with the SRE Workbook windows', () => {
  it('pass promtool check rules', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', rulesPath]);
    expect(stdout).toContain('SUCCESS');
  });

  it('and every golden rule file passes promtool check rules too', async () => {
    const golden = join(import.meta.dirname, '..', 'src', 'slo', 'golden');
    const files = (await readdir(golden)).filter((f) => f.endsWith('.yaml')).map((f) => join(golden, f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const { stdout } = await run('promtool', ['check', 'rules', ...files]);
    expect(stdout.match(/SUCCESS/g)?.length).toBe(files.length);
  });

  it('record one SLI series per alert window plus the period, and one alert per severity plus no-data', () => {
    const doc = parse(rules.yaml) as {
      groups: { name: string; rules: { record?: string; alert?: string }[] }[];
    };
    const records = doc.groups.flatMap((g) => g.rules.map((r) => r.record)).filter(Boolean);
    for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']) {
      expect(records).toContain(`slo:sli_error:ratio_rate${w}`);
    }
    expect(doc.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter(Boolean)).toEqual([
      PAGE,
      TICKET,
      NODATA,
    ]);
    expect(alertByName.get(PAGE)?.labels.severity).toBe('page');
    expect(alertByName.get(TICKET)?.labels.severity).toBe('ticket');
  });

  const cases: [string, ReturnType<typeof scenario>][] = [
    [
      'a full outage starting at t0 is silent at t0 and pages by t0+5m',
      scenario('full outage', outage(120, 180), 180, [
        { at: 120, alert: PAGE, firing: false },
        { at: 125, alert: PAGE, firing: true },
        { at: 125, alert: NODATA, firing: false },
      ]),
    ],
    [
      'a steady 0.05 % error rate (half the budget rate) never alerts',
      scenario(
        'steady burn below budget',
        () => 0.0005,
        8 * 60,
        [60, 120, 240, 360, 480].flatMap((at) => [
          { at, alert: PAGE, firing: false },
          { at, alert: TICKET, firing: false },
        ]),
      ),
    ],
    [
      'after a one-hour full outage the page stops within 30m+5m and the ticket within 6h+5m',
      scenario('recovery from a long outage', outage(60, 120), 120 + 6 * 60 + 10, [
        { at: 119, alert: PAGE, firing: true },
        { at: 120, alert: TICKET, firing: true },
        { at: 120 + 35, alert: PAGE, firing: false },
        { at: 120 + 6 * 60 + 5, alert: TICKET, firing: false },
      ]),
    ],
    [
      'a 15-minute 10 % error burst trips only the 1h/5m page, which stops within 10 minutes of recovery',
      scenario('recovery from a burst', outage(360, 375, 0.1), 400, [
        { at: 375, alert: PAGE, firing: true },
        { at: 385, alert: PAGE, firing: false },
      ]),
    ],
    [
      'a service that stops being scraped raises the no-data alert and no burn-rate alert',
      scenario('no data', (m) => (m < 60 ? 0 : null), 100, [
        { at: 60, alert: NODATA, firing: false },
        { at: 85, alert: NODATA, firing: true },
        { at: 85, alert: PAGE, firing: false },
      ]),
    ],
  ];

  it.each(cases)('%s', async (_name, test) => {
    const result = await promtoolTest([test]);
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });

  it('makes promtool fail when an expectation is wrong (the scenarios really are evaluated)', async () => {
    const wrong = scenario('page at t0', outage(120, 180), 180, [{ at: 120, alert: PAGE, firing: true }]);
    const result = await promtoolTest([wrong]);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('FAILED');
  });
});

describe('expandingNotation', () => {
  it.each([
    ['a constant-rate counter is one segment', [0, 60, 120, 180], '0+60x3'],
    ['a change of rate starts a new segment', [0, 10, 20, 50, 80], '0+10x2 50+30x1'],
    ['gaps become blanks', [0, 1, null, null, 5], '0+1x1 _x1 5+0x0'],
    ['a single value is a zero-length segment', [7], '7+0x0'],
  ])('%s', (_name, values, expected) => {
    expect(expandingNotation(values)).toBe(expected);
  });
});
