import { describe, expect, it } from 'vitest';
import { type GeneratorHealth, invalidReasons } from './validity.ts';

const quiet = { eventLoopDelayP99Ms: 1, elu: 0.2, capHit: false, maxQueued: 0 };
const healthy: GeneratorHealth = {
  openModel: true,
  lagP99Ms: 2,
  dropped: 0,
  seconds: [quiet, quiet, quiet, quiet],
  maxConnections: 50,
  workers: 1,
  workerFailures: [],
};

describe('invalidReasons', () => {
  it.each([
    { name: 'a generator that kept its schedule is valid', h: healthy, want: [] },
    {
      name: 'schedule lag above 50 ms at p99 makes the run invalid',
      h: { ...healthy, lagP99Ms: 80 },
      want: [/schedule lag p99 was 80.0 ms/],
    },
    {
      name: 'closed-model runs are not judged on schedule lag',
      h: { ...healthy, openModel: false, lagP99Ms: 80 },
      want: [],
    },
    {
      name: 'dropped iterations make the run invalid',
      h: { ...healthy, dropped: 3 },
      want: [/3 iterations were dropped/],
    },
    {
      name: 'a blocked event loop makes the run invalid',
      h: { ...healthy, seconds: [quiet, { ...quiet, eventLoopDelayP99Ms: 250 }] },
      want: [/event-loop delay p99 reached 250 ms/],
    },
    {
      name: 'three saturated seconds in a row mean the CPU was saturated',
      h: {
        ...healthy,
        seconds: [quiet, { ...quiet, elu: 0.97 }, { ...quiet, elu: 0.99 }, { ...quiet, elu: 0.96 }],
      },
      want: [/CPU saturated.*3 consecutive seconds/],
    },
    {
      name: 'two saturated seconds apart are tolerated',
      h: { ...healthy, seconds: [{ ...quiet, elu: 0.97 }, quiet, { ...quiet, elu: 0.99 }, quiet] },
      want: [],
    },
    {
      name: 'hitting the connection cap while requests waited names the setting',
      h: { ...healthy, seconds: [quiet, { ...quiet, capHit: true, maxQueued: 120 }] },
      want: [
        /connection cap hit: all 50 connections per worker \(http.maxConnections, 1 worker\(s\)\).*120 requests waited/,
      ],
    },
    {
      name: 'worker failures are reasons',
      h: { ...healthy, workerFailures: ['a load worker crashed: boom'] },
      want: [/crashed: boom/],
    },
  ])('$name', ({ h, want }) => {
    const got = invalidReasons(h);
    expect(got).toHaveLength(want.length);
    for (const [i, re] of want.entries()) expect(got[i]).toMatch(re);
  });
});
