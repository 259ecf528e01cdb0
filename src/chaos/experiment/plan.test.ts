import { describe, expect, it } from 'vitest';
import type { Step } from './model.ts';
import { formatPlan, planMethod } from './plan.ts';

const fault = (name: string, durationMs: number, background = false): Step => ({
  kind: 'fault',
  name,
  fault: 'toxic',
  body: { proxy: 'pg', type: 'latency', attributes: { latency: 100 } },
  daemon: 'http://127.0.0.1:8474',
  durationMs,
  background,
});

describe('planMethod', () => {
  const cases: {
    name: string;
    method: Step[];
    starts: number[];
    ends: number[];
    total: number;
    overlap: number;
  }[] = [
    {
      name: 'faults in a row hold the method one after the other',
      method: [fault('a', 10_000), fault('b', 5_000)],
      starts: [0, 10_000],
      ends: [10_000, 15_000],
      total: 15_000,
      overlap: 1,
    },
    {
      name: 'a background fault lets the next step start at once and both are held together',
      method: [fault('a', 10_000, true), fault('b', 5_000)],
      starts: [0, 0],
      ends: [10_000, 5_000],
      total: 10_000,
      overlap: 2,
    },
    {
      name: 'a pause moves the next fault later',
      method: [fault('a', 2_000), { kind: 'pause', name: 'p', durationMs: 3_000 }, fault('b', 1_000)],
      starts: [0, 2_000, 5_000],
      ends: [2_000, 5_000, 6_000],
      total: 6_000,
      overlap: 1,
    },
    {
      name: 'a load test runs from its step to the end of the method',
      method: [{ kind: 'load', name: 'l', loadTest: 'base' }, fault('a', 4_000)],
      starts: [0, 0],
      ends: [4_000, 4_000],
      total: 4_000,
      overlap: 1,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const plan = planMethod(c.method);
      expect(plan.steps.map((s) => s.startMs)).toEqual(c.starts);
      expect(plan.steps.map((s) => s.endMs)).toEqual(c.ends);
      expect(plan.totalMs).toBe(c.total);
      expect(plan.maxConcurrentFaults).toBe(c.overlap);
    });

  it('prints one line per step with its times and daemon', () => {
    const lines = formatPlan(
      planMethod([fault('a', 2_000), { kind: 'pause', name: 'p', durationMs: 1_000 }]),
    );
    expect(lines[0]).toContain('fault a: toxic latency on proxy pg downstream {"latency":100}');
    expect(lines[0]).toContain('reverted at 2.0s');
    expect(lines[1]).toContain('pause p until 3.0s');
  });
});
