import { describe, expect, it } from 'vitest';
import {
  ArrivalCursor,
  arrivalTimes,
  plannedDurationMs,
  plannedIterations,
  shareOf,
  targetRateAt,
  vusAt,
} from './schedule.ts';
import type { ExecutorSpec } from './types.ts';

const constant: ExecutorSpec = {
  executor: 'constant-arrival-rate',
  rate: 10,
  timeUnitMs: 1000,
  durationMs: 2000,
};
/** 0 → 100/s over 2 s, then 100/s for 1 s: 100 + 100 iterations. */
const ramp: ExecutorSpec = {
  executor: 'ramping-arrival-rate',
  startRate: 0,
  timeUnitMs: 1000,
  stages: [
    { durationMs: 2000, target: 100 },
    { durationMs: 1000, target: 100 },
  ],
};

describe('arrival schedules', () => {
  it.each([
    {
      name: 'a constant rate starts at 0 and spaces iterations by 1/rate',
      ex: constant,
      from: 0,
      to: 350,
      want: [0, 100, 200, 300],
    },
    {
      name: 'a window starting mid-gap begins at the next due time',
      ex: constant,
      from: 150,
      to: 420,
      want: [200, 300, 400],
    },
    { name: 'the schedule ends at the duration', ex: constant, from: 1850, to: 5000, want: [1900] },
    {
      name: 'a rate per minute uses the time unit',
      ex: {
        executor: 'constant-arrival-rate',
        rate: 120,
        timeUnitMs: 60_000,
        durationMs: 2000,
      } as ExecutorSpec,
      from: 0,
      to: 2000,
      want: [0, 500, 1000, 1500],
    },
    {
      // r(t) = 100/s · t/2000 ms = t/20000 per ms²: integral t²/40000, so iteration k is due at 200·√k.
      name: 'a linear ramp inverts the integral of the rate exactly',
      ex: ramp,
      from: 0,
      to: 700,
      want: Array.from({ length: 13 }, (_, k) => 200 * Math.sqrt(k)),
    },
    {
      name: 'the stage after a ramp continues at the reached rate',
      ex: ramp,
      from: 2000,
      to: 2035,
      want: [2000, 2010, 2020, 2030],
    },
    {
      name: 'closed-model executors have no arrivals',
      ex: { executor: 'constant-vus', vus: 2, durationMs: 1000 } as ExecutorSpec,
      from: 0,
      to: 1000,
      want: [],
    },
  ])('$name', ({ ex, from, to, want }) => {
    const got = Array.from(arrivalTimes(ex, from, to));
    expect(got.length).toBe(want.length);
    for (const [i, t] of got.entries()) expect(t).toBeCloseTo(want[i] ?? Number.NaN, 6);
  });

  it.each([
    { name: 'the constant schedule', ex: constant },
    { name: 'the ramp', ex: ramp },
    {
      name: 'a ramp down to zero',
      ex: {
        executor: 'ramping-arrival-rate',
        startRate: 50,
        timeUnitMs: 1000,
        stages: [{ durationMs: 3000, target: 0 }],
      } as ExecutorSpec,
    },
  ])('chunked windows partition $name and match the planned count and the cursor', ({ ex }) => {
    const end = plannedDurationMs(ex);
    const chunked: number[] = [];
    for (let from = 0; from < end; from += 137)
      chunked.push(...arrivalTimes(ex, from, Math.min(end, from + 137)));
    expect(chunked).toEqual(Array.from(arrivalTimes(ex, 0, end)));
    expect(chunked.length).toBe(plannedIterations(ex));
    if (ex.executor !== 'constant-arrival-rate' && ex.executor !== 'ramping-arrival-rate') return;
    // Three workers taking every third iteration together cover the schedule exactly once.
    const shared: number[] = [];
    for (let w = 0; w < 3; w++) {
      const c = new ArrivalCursor(ex, w, 3);
      for (let t = c.next(); t !== Number.POSITIVE_INFINITY; t = c.next()) shared.push(t);
    }
    shared.sort((a, b) => a - b);
    expect(shared.length).toBe(chunked.length);
    for (const [i, t] of shared.entries()) expect(t).toBeCloseTo(chunked[i] ?? Number.NaN, 6);
  });

  it.each([
    { name: 'constant rate is the rate per second', ex: constant, t: 500, want: 10 },
    { name: 'a ramp is halfway at half its stage', ex: ramp, t: 1000, want: 50 },
    { name: 'the rate is zero after the end', ex: ramp, t: 3000, want: 0 },
  ])('target rate: $name', ({ ex, t, want }) => {
    expect(targetRateAt(ex, t)).toBeCloseTo(want, 9);
  });
});

describe('closed-model schedules', () => {
  const rampingVus: ExecutorSpec = {
    executor: 'ramping-vus',
    startVUs: 0,
    stages: [
      { durationMs: 1000, target: 10 },
      { durationMs: 1000, target: 10 },
      { durationMs: 1000, target: 0 },
    ],
  };
  it.each([
    {
      name: 'constant VUs hold for the duration',
      ex: { executor: 'constant-vus', vus: 5, durationMs: 1000 } as ExecutorSpec,
      t: 999,
      want: 5,
    },
    {
      name: 'constant VUs stop at the end',
      ex: { executor: 'constant-vus', vus: 5, durationMs: 1000 } as ExecutorSpec,
      t: 1000,
      want: 0,
    },
    { name: 'ramping VUs interpolate and round down', ex: rampingVus, t: 550, want: 5 },
    { name: 'ramping VUs hold a flat stage', ex: rampingVus, t: 1500, want: 10 },
    { name: 'ramping VUs ramp down', ex: rampingVus, t: 2750, want: 2 },
    {
      name: 'iterations run their VUs until max duration',
      ex: { executor: 'iterations', vus: 3, iterations: 10, maxDurationMs: 500 } as ExecutorSpec,
      t: 10,
      want: 3,
    },
  ])('$name', ({ ex, t, want }) => {
    expect(vusAt(ex, t)).toBe(want);
  });

  it.each([
    { name: 'a constant run lasts its duration', ex: constant, want: 2000 },
    { name: 'a ramp lasts the sum of its stages', ex: ramp, want: 3000 },
    {
      name: 'iterations last at most their max duration',
      ex: { executor: 'iterations', vus: 1, iterations: 5, maxDurationMs: 900 } as ExecutorSpec,
      want: 900,
    },
  ])('$name', ({ ex, want }) => {
    expect(plannedDurationMs(ex)).toBe(want);
  });

  it.each([
    { total: 10, count: 3 },
    { total: 2, count: 4 },
    { total: 0, count: 2 },
  ])('shares $total over $count workers evenly and completely', ({ total, count }) => {
    const shares = Array.from({ length: count }, (_, i) => shareOf(total, i, count));
    expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
    expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
  });
});
