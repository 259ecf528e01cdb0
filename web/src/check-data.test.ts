import { describe, expect, it } from 'vitest';
import type { CheckResultItem, CheckSummary } from '../../src/server/schemas.ts';
import {
  addResult,
  type CheckHealth,
  checkState,
  countByTone,
  dailyBars,
  formatAgo,
  formatUptime,
  groupByService,
  mergeResultIntoList,
  phaseColumns,
  resultReason,
  resultTone,
  timeTick,
  uptimeBars,
  uptimeLevel,
  uptimeOf,
  utcDate,
} from './check-data.ts';

const DAY = 86_400_000;
const NOON = Date.UTC(2025, 2, 10, 12, 0, 0);

function result(over: Partial<CheckResultItem> = {}): CheckResultItem {
  return {
    id: 1,
    check: 'home',
    service: 'shop',
    type: 'http',
    location: 'local',
    startedAt: NOON,
    durationMs: 12,
    status: 'pass',
    conditions: [{ condition: '[STATUS] == 200', ok: true, shown: '[STATUS] (200) == 200' }],
    phases: { resolve: 1, connect: 2, processing: 5, transfer: 1 },
    httpStatus: 200,
    attempts: 1,
    ...over,
  };
}

const health = (state: CheckHealth['state'], at = NOON): CheckHealth => ({
  state,
  consecutiveFailures: state === 'failing' ? 1 : 0,
  consecutivePasses: state === 'passing' ? 1 : 0,
  since: at,
  lastResultAt: at,
});

function summary(over: Partial<CheckSummary> = {}): CheckSummary {
  return {
    name: 'home',
    service: 'shop',
    type: 'http',
    tags: [],
    enabled: true,
    schedule: 'every 30s',
    health: null,
    latest: null,
    uptime30d: null,
    daily: new Array(30).fill(null),
    ...over,
  };
}

describe('checkState', () => {
  it.each([
    {
      name: 'a paused check is paused even when it was failing',
      check: summary({ enabled: false, health: health('failing'), latest: result({ status: 'fail' }) }),
      tone: 'paused',
      label: 'paused',
      alarm: false,
    },
    {
      name: 'a check without results has no data',
      check: summary(),
      tone: 'nodata',
      label: 'no data',
      alarm: false,
    },
    {
      name: 'a failing check alarms even after a first pass that does not yet recover it',
      check: summary({ health: health('failing'), latest: result({ status: 'pass' }) }),
      tone: 'fail',
      label: 'failing',
      alarm: true,
    },
    {
      name: 'a failed result below the failAfter threshold is a failure without alarm',
      check: summary({ health: health('passing'), latest: result({ status: 'fail' }) }),
      tone: 'fail',
      label: 'failed',
      alarm: false,
    },
    {
      name: 'a degraded result shows as degraded',
      check: summary({ health: health('passing'), latest: result({ status: 'degraded' }) }),
      tone: 'degraded',
      label: 'degraded',
      alarm: false,
    },
    {
      name: 'a passing result shows as passing',
      check: summary({ health: health('passing'), latest: result() }),
      tone: 'ok',
      label: 'passing',
      alarm: false,
    },
  ])('$name', ({ check, tone, label, alarm }) => {
    expect(checkState(check)).toEqual({ tone, label, alarm });
  });

  it('counts checks per tone for the tiles', () => {
    const checks = [
      summary(),
      summary({ latest: result() }),
      summary({ latest: result() }),
      summary({ health: health('failing'), latest: result({ status: 'fail' }) }),
    ];
    expect(countByTone(checks)).toEqual({ ok: 2, degraded: 0, fail: 1, paused: 0, nodata: 1 });
  });
});

describe('results', () => {
  it.each([
    { name: 'a pass is ok', status: 'pass', tone: 'ok' },
    { name: 'a degraded result is a ticket-coloured warning', status: 'degraded', tone: 'ticket' },
    { name: 'a failure is page-coloured', status: 'fail', tone: 'page' },
  ] as const)('$name', ({ status, tone }) => {
    expect(resultTone(status)).toBe(tone);
  });

  it.each([
    { name: 'a pass has no reason', r: result(), reason: undefined },
    {
      name: "the server's reason wins",
      r: result({ status: 'fail', reason: 'connect: refused', error: { kind: 'connect', message: 'x' } }),
      reason: 'connect: refused',
    },
    {
      name: 'without a reason the error is named by kind',
      r: result({ status: 'fail', error: { kind: 'timeout', message: 'after 10s' } }),
      reason: 'timeout: after 10s',
    },
    {
      name: 'without reason or error the first failing condition is shown as evaluated',
      r: result({
        status: 'degraded',
        conditions: [
          { condition: '[STATUS] == 200', ok: true, shown: '[STATUS] (200) == 200' },
          {
            condition: '[RESPONSE_TIME] < 100',
            ok: false,
            shown: '[RESPONSE_TIME] (340) < 100',
            degraded: true,
          },
        ],
      }),
      reason: '[RESPONSE_TIME] (340) < 100',
    },
  ])('$name', ({ r, reason }) => {
    expect(resultReason(r)).toBe(reason);
  });
});

describe('uptime', () => {
  it.each([
    { name: 'a day without runs has no colour', ratio: null, level: 'none' },
    { name: 'a day with every run up is full', ratio: 1, level: 'full' },
    { name: 'a day at exactly 99% is high', ratio: 0.99, level: 'high' },
    { name: 'a day just under 99% is mid', ratio: 0.9899, level: 'mid' },
    { name: 'a day at 95% is mid', ratio: 0.95, level: 'mid' },
    { name: 'a day below 95% is low', ratio: 0.5, level: 'low' },
  ])('$name', ({ ratio, level }) => {
    expect(uptimeLevel(ratio)).toBe(level);
  });

  it.each([
    { name: 'full uptime is 100% without decimals', ratio: 1, text: '100%' },
    { name: 'one failure in 100,000 runs never rounds up to 100', ratio: 0.99999, text: '99.99%' },
    { name: 'float noise does not drop a digit', ratio: 0.9995, text: '99.95%' },
    { name: 'no runs is a dash', ratio: null, text: '—' },
    { name: 'no uptime is zero', ratio: 0, text: '0.00%' },
  ])('$name', ({ ratio, text }) => {
    expect(formatUptime(ratio)).toBe(text);
  });

  it('dates daily bars back from today, the last one today in UTC', () => {
    const daily = [0.5, null, 1];
    const bars = dailyBars(daily, NOON);
    const today = Date.UTC(2025, 2, 10);
    expect(bars.map((b) => b.day)).toEqual([today - 2 * DAY, today - DAY, today]);
    expect(bars.map((b) => b.level)).toEqual(daily.map(uptimeLevel));
    expect(bars[0]?.title).toBe(`${utcDate(today - 2 * DAY)}: ${formatUptime(0.5)}`);
    expect(bars[1]?.title).toBe(`${utcDate(today - DAY)}: no runs`);
  });

  it('fills the days the uptime rows skip and counts degraded runs as up', () => {
    const today = Date.UTC(2025, 2, 10);
    const rows = [
      { day: today - 3 * DAY, pass: 3, degraded: 0, fail: 1 },
      { day: today, pass: 1, degraded: 1, fail: 0 },
    ];
    const bars = uptimeBars(rows, 5, NOON);
    expect(bars.map((b) => b.day)).toEqual([4, 3, 2, 1, 0].map((n) => today - n * DAY));
    expect(bars.map((b) => b.ratio)).toEqual([null, 0.75, null, null, 1]);
    expect(bars[1]?.title).toBe(
      `${utcDate(today - 3 * DAY)}: ${formatUptime(0.75)} (3 pass, 0 degraded, 1 fail)`,
    );
    expect(uptimeOf(rows)).toBe(5 / 6);
    expect(uptimeOf([])).toBeNull();
  });
});

describe('phaseColumns', () => {
  const newestFirst = [
    result({
      id: 3,
      startedAt: NOON + 2_000,
      durationMs: 40,
      phases: { resolve: 1, connect: 2, processing: 30 },
    }),
    result({
      id: 2,
      startedAt: NOON + 1_000,
      durationMs: 9,
      status: 'fail',
      phases: { resolve: 1, connect: 8 },
    }),
    result({
      id: 1,
      startedAt: NOON,
      durationMs: 12,
      phases: { resolve: 1, connect: 2, processing: 5, transfer: 1 },
    }),
  ];

  it('orders results oldest first and keeps each phase value aligned with its result', () => {
    const cols = phaseColumns(newestFirst);
    expect(cols.times).toEqual([NOON, NOON + 1_000, NOON + 2_000]);
    expect(cols.statuses).toEqual(['pass', 'fail', 'pass']);
    expect(cols.total).toEqual([12, 9, 40]);
    expect(cols.phases.find((p) => p.phase === 'processing')?.values).toEqual([5, null, 30]);
  });

  it('leaves out phases no result measured', () => {
    expect(phaseColumns(newestFirst).phases.map((p) => p.phase)).toEqual([
      'resolve',
      'connect',
      'processing',
      'transfer',
    ]);
  });

  it('stacks each phase on the ones before it, a missing phase adding nothing', () => {
    const cols = phaseColumns(newestFirst);
    expect(cols.stacked).toEqual([
      [1, 1, 1],
      [3, 9, 3],
      [8, 9, 33],
      [9, 9, 33],
    ]);
  });

  it('gives empty columns for no results', () => {
    expect(phaseColumns([])).toEqual({ times: [], statuses: [], phases: [], stacked: [], total: [] });
  });

  it.each([
    { name: 'a span within a day labels hours and minutes', span: DAY - 1, pattern: /^\d\d:\d\d$/ },
    { name: 'a span over a day adds the date', span: DAY + 1, pattern: /^\d\d-\d\d \d\d:\d\d$/ },
  ])('$name', ({ span, pattern }) => {
    expect(timeTick(NOON, span)).toMatch(pattern);
  });
});

describe('formatAgo', () => {
  it.each([
    { name: 'a result from this second is just now', ago: 400, text: 'just now' },
    { name: 'a result stamped ahead of this clock is just now', ago: -5_000, text: 'just now' },
    { name: 'seconds below a minute', ago: 59_000, text: '59s ago' },
    { name: 'minutes below an hour, rounded down', ago: 90_000, text: '1m ago' },
    { name: 'hours below a day', ago: 5 * 3_600_000, text: '5h ago' },
    { name: 'days after that', ago: 3 * DAY, text: '3d ago' },
  ])('$name', ({ ago, text }) => {
    expect(formatAgo(NOON - ago, NOON)).toBe(text);
  });
});

describe('lists', () => {
  it('groups checks by service in order of first appearance', () => {
    const checks = [
      { name: 'a', service: 'pay' },
      { name: 'b', service: 'shop' },
      { name: 'c', service: 'pay' },
    ];
    expect(groupByService(checks)).toEqual([
      { service: 'pay', checks: [checks[0], checks[2]] },
      { service: 'shop', checks: [checks[1]] },
    ]);
  });

  it('puts a newer live result and its health on the matching row only', () => {
    const list = [summary({ name: 'home', latest: result({ id: 1 }) }), summary({ name: 'api' })];
    const fresh = result({ id: 7, status: 'fail', startedAt: NOON + 60_000 });
    const merged = mergeResultIntoList(list, fresh, health('failing', NOON + 60_000));
    expect(merged[0]?.latest).toBe(fresh);
    expect(merged[0]?.health?.state).toBe('failing');
    expect(merged[1]).toBe(list[1]);
  });

  it.each([
    { name: 'a result already shown changes nothing', id: 5 },
    { name: 'a result older than the one shown changes nothing', id: 4 },
  ])('$name', ({ id }) => {
    const list = [summary({ latest: result({ id: 5 }) })];
    expect(mergeResultIntoList(list, result({ id }), health('passing'))).toBe(list);
  });

  it('a result of an unknown check leaves the list as it was', () => {
    const list = [summary()];
    expect(mergeResultIntoList(list, result({ check: 'other' }), health('passing'))).toBe(list);
  });

  it('adds a result once, newest first, within the limit', () => {
    const rows = [result({ id: 2, startedAt: NOON + 1 }), result({ id: 1, startedAt: NOON })];
    const fresh = result({ id: 3, startedAt: NOON + 2 });
    expect(addResult(rows, fresh, 10).map((r) => r.id)).toEqual([3, 2, 1]);
    expect(addResult(rows, fresh, 2).map((r) => r.id)).toEqual([3, 2]);
    expect(addResult(rows, result({ id: 2, startedAt: NOON + 1 }), 10)).toBe(rows);
  });
});
