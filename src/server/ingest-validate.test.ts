import { describe, expect, it } from 'vitest';
import { lateDataLimitMs } from '../slo/index.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, type SloDefinition } from '../slo/model.ts';
import type { HttpError } from './errors.ts';
import { MAX_FUTURE_MS, oldestAccepted, retainedMs, validateEventBatch } from './ingest-validate.ts';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 30);

function slo(overrides: Partial<SloDefinition> = {}): SloDefinition {
  return {
    name: 'api-availability',
    service: 'api',
    objective: 0.99,
    timeWindow: { kind: 'rolling', durationMs: 7 * DAY_MS },
    budgetingMethod: 'Occurrences',
    indicator: { type: 'ratio', source: { kind: 'events' } },
    alerting: {
      windows: [{ severity: 'page', longWindowMs: HOUR_MS, shortWindowMs: 5 * MINUTE_MS, burnRate: 14.4 }],
      minEvents: 10,
      noDataAfterMs: HOUR_MS,
      severityLabel: 'severity',
    },
    labels: {},
    ...overrides,
  };
}

/** 5-minute Timeslices over 7 days, alerting on 1h/5m: slices older than about an hour are final. */
const slices = slo({ budgetingMethod: 'Timeslices', timesliceMs: 5 * MINUTE_MS, timesliceTarget: 0.95 });

function errorOf(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    return err as HttpError;
  }
  throw new Error('expected an error');
}

describe('validateEventBatch', () => {
  const bad: { name: string; body: unknown; path: string; def?: SloDefinition }[] = [
    {
      name: 'a string count is refused at its field',
      body: { events: [{ timestamp: NOW, good: '1', total: 2 }] },
      path: 'events[0].good',
    },
    {
      name: 'an unknown event field is named',
      body: { events: [{ timestamp: NOW, good: 1, total: 2, extra: 1 }] },
      path: 'events[0].extra',
    },
    {
      name: 'an unknown top-level field is named',
      body: { events: [{ timestamp: NOW, success: true }], more: 1 },
      path: 'more',
    },
    {
      name: 'a negative count is refused',
      body: { events: [{ timestamp: NOW, good: -1, total: 2 }] },
      path: 'events[0].good',
    },
    {
      name: 'good above total is refused',
      body: { events: [{ timestamp: NOW, good: 3, total: 2 }] },
      path: 'events[0].good',
    },
    {
      name: 'an infinite total is refused',
      body: { events: [{ timestamp: NOW, good: 1, total: Number.POSITIVE_INFINITY }] },
      path: 'events[0].total',
    },
    {
      name: 'a timestamp beyond the clock-skew allowance is refused',
      body: {
        events: [
          { timestamp: NOW, success: true },
          { timestamp: NOW + MAX_FUTURE_MS + 1000, success: true },
        ],
      },
      path: 'events[1].timestamp',
    },
    {
      name: 'a timestamp older than the SLO keeps is refused',
      body: { events: [{ timestamp: NOW - retainedMs(slo()) - 1000, success: true }] },
      path: 'events[0].timestamp',
    },
    {
      name: 'a Timeslices event older than the engine can re-judge its slice is refused',
      body: {
        events: [
          { timestamp: NOW - lateDataLimitMs(slices) + MINUTE_MS, success: true },
          { timestamp: NOW - lateDataLimitMs(slices) - MINUTE_MS, success: true },
        ],
      },
      path: 'events[1].timestamp',
      def: slices,
    },
    {
      name: 'a RatioTimeslices event older than the engine can re-judge its slice is refused',
      body: { events: [{ timestamp: NOW - 2 * DAY_MS, good: 1, total: 1 }] },
      path: 'events[0].timestamp',
      def: { ...slices, budgetingMethod: 'RatioTimeslices' },
    },
    {
      name: 'an unparseable ISO timestamp is refused',
      body: { events: [{ timestamp: 'yesterday-ish', success: true }] },
      path: 'events[0].timestamp',
    },
    { name: 'an empty batch is refused', body: { events: [] }, path: 'events' },
    {
      name: 'a value sample for a ratio SLI is refused',
      body: { events: [{ timestamp: NOW, value: 12 }] },
      path: 'events[0].value',
    },
  ];
  it.each(bad)('$name', ({ body, path, def }) => {
    const err = errorOf(() => validateEventBatch(def ?? slo(), body, NOW));
    expect(err.status).toBe(400);
    expect(err.details?.map((d) => d.path)).toContain(path);
    expect(err.message.startsWith(path)).toBe(true);
  });

  it('resolves ISO and epoch timestamps of every event kind', () => {
    const iso = new Date(NOW - MINUTE_MS).toISOString();
    const def = slo({
      indicator: { type: 'threshold', source: { kind: 'events' }, threshold: { op: 'lt', value: 100 } },
    });
    const events = validateEventBatch(
      def,
      {
        events: [
          { timestamp: iso, good: 1, total: 1 },
          { timestamp: NOW, success: false },
          { timestamp: NOW, value: 42 },
        ],
      },
      NOW,
    );
    expect(events).toEqual([
      { timestamp: NOW - MINUTE_MS, good: 1, total: 1 },
      { timestamp: NOW, success: false },
      { timestamp: NOW, value: 42 },
    ]);
  });

  it('says a late Timeslices event is refused because its slice is final', () => {
    const err = errorOf(() =>
      validateEventBatch(slices, { events: [{ timestamp: NOW - DAY_MS, success: true }] }, NOW),
    );
    expect(err.message).toMatch(/^events\[0\]\.timestamp: .*Timeslices.*re-judge.*final/);
  });

  it.each([
    { name: 'an Occurrences SLO takes events as far back as it keeps', def: slo(), limit: retainedMs(slo()) },
    {
      name: 'a Timeslices SLO takes events as far back as its slices can be re-judged',
      def: slices,
      limit: HOUR_MS,
    },
  ])('$name', ({ def, limit }) => {
    expect(oldestAccepted(def, NOW).oldest).toBe(NOW - limit);
    expect(
      validateEventBatch(def, { events: [{ timestamp: NOW - limit, success: true }] }, NOW),
    ).toHaveLength(1);
  });

  it('keeps as far back as the longest alert window when that exceeds the period', () => {
    const def = slo({ timeWindow: { kind: 'rolling', durationMs: HOUR_MS / 2 } });
    expect(retainedMs(def)).toBe(HOUR_MS);
  });
});
