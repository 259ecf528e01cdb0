import { describe, expect, it } from 'vitest';
import type { CheckSchedule } from '../types.ts';
import { cronError, firstRunAt, jitterOf, nextRunAt, phaseOf } from './timing.ts';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

function interval(everyMs: number, jitterMs: number): CheckSchedule {
  return { kind: 'interval', everyMs, jitterMs };
}

function cron(expression: string, timeZone: string, jitterMs = 0): CheckSchedule {
  return { kind: 'cron', expression, timeZone, jitterMs };
}

/** `n` consecutive runs, each computed from the previous one. */
function runs(schedule: CheckSchedule, check: string, from: number, n: number): number[] {
  const out: number[] = [];
  let t = from;
  for (let i = 0; i < n; i++) {
    t = nextRunAt(schedule, check, t);
    out.push(t);
  }
  return out;
}

describe('interval schedules', () => {
  it.each([
    { name: 'a minute without jitter', everyMs: 60_000, jitterMs: 0 },
    { name: 'a minute with 5 s of jitter', everyMs: 60_000, jitterMs: 5000 },
    { name: 'a 30 s interval with jitter as large as the interval', everyMs: 30_000, jitterMs: 30_000 },
    { name: 'a 200 ms interval with 50 ms jitter', everyMs: 200, jitterMs: 50 },
  ])(
    '$name: the next run is after `after` and at most one interval plus jitter later',
    ({ everyMs, jitterMs }) => {
      for (const check of ['api', 'checkout', 'search', 'a-much-longer-check-name']) {
        for (const after of [T0, T0 + 1, T0 + 12_345, T0 + 999_999]) {
          const next = nextRunAt(interval(everyMs, jitterMs), check, after);
          expect(next).toBeGreaterThan(after);
          expect(next).toBeLessThanOrEqual(after + everyMs + jitterMs);
        }
      }
    },
  );

  it.each([
    { name: 'without jitter', jitterMs: 0 },
    { name: 'with jitter', jitterMs: 4000 },
  ])('runs stay on their grid over 1,000 runs $name (no drift)', ({ jitterMs }) => {
    const everyMs = 10_000;
    const schedule = interval(everyMs, jitterMs);
    const times = runs(schedule, 'api', T0, 1000);
    const phase = phaseOf('api', everyMs);
    const first = Math.floor(((times[0] as number) - phase) / everyMs);
    times.forEach((t, i) => {
      // Run i sits on grid point first + i, at most jitterMs after it.
      const offset = t - (phase + (first + i) * everyMs);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThanOrEqual(jitterMs);
    });
  });

  it('a scheduler that is late does not push the following runs back', () => {
    const schedule = interval(10_000, 2000);
    const times = runs(schedule, 'api', T0, 50);
    for (let i = 0; i + 1 < times.length; i++) {
      const late = (times[i] as number) + 37;
      expect(nextRunAt(schedule, 'api', late)).toBe(times[i + 1]);
    }
  });

  it('jitter differs from run to run, within [0, jitterMs]', () => {
    const everyMs = 60_000;
    const jitterMs = 10_000;
    const phase = phaseOf('api', everyMs);
    const offsets = runs(interval(everyMs, jitterMs), 'api', T0, 200).map(
      (t) => (((t - phase) % everyMs) + everyMs) % everyMs,
    );
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...offsets)).toBeLessThanOrEqual(jitterMs);
    // Uniform over 10,001 values: 200 draws give well over 100 distinct ones.
    expect(new Set(offsets).size).toBeGreaterThan(100);
  });

  it('jitter as large as the interval never lets a run overtake the next one', () => {
    const everyMs = 1000;
    const phase = phaseOf('api', everyMs);
    const times = runs(interval(everyMs, 5000), 'api', T0, 500);
    const slots = times.map((t) => Math.floor((t - phase) / everyMs));
    slots.forEach((slot, i) => {
      if (i > 0) expect(slot).toBe((slots[i - 1] as number) + 1);
    });
  });

  it('the same check, schedule and time always give the same run', () => {
    const schedule = interval(60_000, 5000);
    expect(runs(schedule, 'api', T0, 20)).toEqual(runs(schedule, 'api', T0, 20));
  });

  it('checks with the same interval run at different times', () => {
    const schedule = interval(60_000, 0);
    const names = Array.from({ length: 50 }, (_, i) => `check-${i}`);
    const next = new Set(names.map((n) => nextRunAt(schedule, n, T0)));
    expect(next.size).toBeGreaterThan(45);
  });

  it.each([
    { name: 'a zero interval', everyMs: 0 },
    { name: 'a negative interval', everyMs: -5 },
    { name: 'a NaN interval', everyMs: Number.NaN },
  ])('$name is rejected', ({ everyMs }) => {
    expect(() => nextRunAt(interval(everyMs, 0), 'api', T0)).toThrow(RangeError);
  });
});

describe('first runs', () => {
  it('spreads the first runs of 1,000 checks evenly over one interval', () => {
    const everyMs = 60_000;
    const schedule = interval(everyMs, 0);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 1000; i++) {
      const first = firstRunAt(schedule, `svc-${i}/check`, T0);
      expect(first).toBeGreaterThanOrEqual(T0);
      expect(first).toBeLessThan(T0 + everyMs);
      const b = Math.floor(((first - T0) / everyMs) * buckets.length);
      buckets[b] = (buckets[b] as number) + 1;
    }
    // 100 expected per bucket; a fair spread keeps each within ±50 %.
    for (const count of buckets) {
      expect(count).toBeGreaterThan(50);
      expect(count).toBeLessThan(150);
    }
  });

  it('a run due exactly now is the first run', () => {
    const schedule = interval(60_000, 0);
    const due = nextRunAt(schedule, 'api', T0);
    expect(firstRunAt(schedule, 'api', due)).toBe(due);
  });

  it('a cron check first runs at its next cron time', () => {
    const schedule = cron('0 * * * *', 'UTC');
    expect(firstRunAt(schedule, 'api', T0 + 1)).toBe(T0 + 3_600_000);
  });
});

describe('cron schedules', () => {
  it.each([
    {
      name: 'daily at 09:00 in Berlin is 08:00 UTC in winter',
      schedule: cron('0 9 * * *', 'Europe/Berlin'),
      after: Date.UTC(2025, 0, 15, 12, 0, 0),
      want: Date.UTC(2025, 0, 16, 8, 0, 0),
    },
    {
      name: 'daily at 09:00 in Berlin is 07:00 UTC in summer',
      schedule: cron('0 9 * * *', 'Europe/Berlin'),
      after: Date.UTC(2025, 6, 15, 12, 0, 0),
      want: Date.UTC(2025, 6, 16, 7, 0, 0),
    },
    {
      name: 'daily at 09:00 in New York across the spring-forward change',
      schedule: cron('0 9 * * *', 'America/New_York'),
      after: Date.UTC(2025, 2, 8, 15, 0, 0),
      want: Date.UTC(2025, 2, 9, 13, 0, 0),
    },
    {
      name: 'every 10 seconds (six fields) goes to the next multiple of 10 s',
      schedule: cron('*/10 * * * * *', 'UTC'),
      after: T0 + 12_345,
      want: T0 + 20_000,
    },
    {
      name: 'a cron time exactly at `after` is not returned again',
      schedule: cron('*/10 * * * * *', 'UTC'),
      after: T0 + 20_000,
      want: T0 + 30_000,
    },
    {
      name: 'a cron time in a past year never comes again',
      schedule: cron('0 0 0 1 1 * 2020', 'UTC'),
      after: T0,
      want: Number.POSITIVE_INFINITY,
    },
  ])('$name', ({ schedule, after, want }) => {
    expect(nextRunAt(schedule, 'api', after)).toBe(want);
  });

  it('jitter delays each cron run by [0, jitterMs], per run', () => {
    const schedule = cron('* * * * *', 'UTC', 20_000);
    // From just before a cron time: run i belongs to cron time T0 + i minutes.
    const times = runs(schedule, 'api', T0 - 1, 200);
    times.forEach((t, i) => {
      const cronTime = T0 + i * 60_000;
      expect(t - cronTime).toBeGreaterThanOrEqual(0);
      expect(t - cronTime).toBeLessThanOrEqual(20_000);
      expect(t - cronTime).toBe(jitterOf('api', cronTime / 1000, 20_000));
    });
    expect(new Set(times.map((t) => t % 60_000)).size).toBeGreaterThan(100);
  });

  it('a cron time already passed whose jittered run is still ahead is the next run', () => {
    const schedule = cron('* * * * *', 'UTC', 30_000);
    const jitter = jitterOf('api', T0 / 1000, 30_000);
    // The case needs a run jittered past its cron time (true for this name and time).
    expect(jitter).toBeGreaterThan(1);
    for (const after of [T0, T0 + Math.floor(jitter / 2), T0 + jitter - 1]) {
      expect(nextRunAt(schedule, 'api', after)).toBe(T0 + jitter);
    }
    expect(nextRunAt(schedule, 'api', T0 + jitter)).toBeGreaterThanOrEqual(T0 + 60_000);
  });

  it('jitter larger than the gap between cron times keeps every cron time, in order', () => {
    const schedule = cron('*/2 * * * * *', 'UTC', 60_000);
    const times = runs(schedule, 'api', T0 - 1, 300);
    times.forEach((t, i) => {
      const cronTime = T0 + i * 2000;
      expect(t).toBeGreaterThanOrEqual(cronTime);
      expect(t).toBeLessThan(cronTime + 2000);
    });
  });

  it.each([
    { name: 'a cron expression with too few fields', schedule: cron('* *', 'UTC') },
    { name: 'a minute out of range', schedule: cron('61 * * * *', 'UTC') },
    { name: 'an unknown time zone', schedule: cron('* * * * *', 'Mars/Olympus_Mons') },
  ])('$name is rejected, and cronError says why', ({ schedule }) => {
    expect(() => nextRunAt(schedule, 'api', T0)).toThrow();
    if (schedule.kind === 'cron') expect(cronError(schedule.expression, schedule.timeZone)).toMatch(/\w/);
  });

  it('cronError accepts a valid expression and time zone', () => {
    expect(cronError('*/5 * * * *', 'Europe/Berlin')).toBeUndefined();
  });
});
