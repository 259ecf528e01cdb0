/**
 * The scheduler with real timers and short intervals. `execute` is an
 * in-process stand-in for a runner: the scheduler's job is when and how often
 * it is called, which does not need a network. Timed bounds are generous.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckDefinition, CheckResult, CheckSchedule, CheckStatus } from '../types.ts';
import type { HealthUpdate } from './health.ts';
import { CheckScheduler, type SchedulerOptions } from './scheduler.ts';

function check(name: string, overrides: Partial<CheckDefinition> = {}): CheckDefinition {
  return {
    name,
    service: 'svc',
    tags: [],
    locations: ['local'],
    schedule: { kind: 'interval', everyMs: 200, jitterMs: 0 },
    timeoutMs: 1000,
    retries: { count: 0, backoff: 'fixed', delayMs: 0, onlyNetworkErrors: false },
    failAfter: 1,
    recoverAfter: 1,
    conditions: [],
    degradedConditions: [],
    enabled: true,
    spec: {
      type: 'tcp',
      host: '127.0.0.1',
      port: 9,
      maxBodyBytes: 1024,
    },
    ...overrides,
  };
}

function every(everyMs: number, jitterMs = 0): CheckSchedule {
  return { kind: 'interval', everyMs, jitterMs };
}

function result(def: CheckDefinition, status: CheckStatus, startedAt = Date.now()): CheckResult {
  return {
    check: def.name,
    service: def.service,
    type: def.spec.type,
    location: 'local',
    startedAt,
    durationMs: 1,
    status,
    conditions: [],
    phases: {},
    attempts: 1,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `cond` every 10 ms until it holds or `timeoutMs` passes. */
async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(10);
  }
}

interface Recorded {
  results: { result: CheckResult; health: HealthUpdate }[];
  errors: unknown[];
  starts: { name: string; at: number }[];
}

/** A scheduler whose results, errors and execution starts are recorded; stopped after each test. */
const live: CheckScheduler[] = [];
function scheduler(
  execute: SchedulerOptions['execute'],
  opts: Partial<SchedulerOptions> = {},
): { s: CheckScheduler; rec: Recorded } {
  const rec: Recorded = { results: [], errors: [], starts: [] };
  const s = new CheckScheduler({
    concurrency: 10,
    execute: (def, signal) => {
      rec.starts.push({ name: def.name, at: Date.now() });
      return execute(def, signal);
    },
    onResult: (r, health) => {
      rec.results.push({ result: r, health });
    },
    onError: (err) => rec.errors.push(err),
    ...opts,
  });
  live.push(s);
  return { s, rec };
}

afterEach(async () => {
  await Promise.all(live.splice(0).map((s) => s.stop()));
});

const passing: SchedulerOptions['execute'] = async (def) => result(def, 'pass');

function startsOf(rec: Recorded, name: string): number[] {
  return rec.starts.filter((s) => s.name === name).map((s) => s.at);
}

describe('CheckScheduler', () => {
  it('runs interval checks at their cadence, spread over the interval rather than in lockstep', async () => {
    const everyMs = 200;
    const names = Array.from({ length: 10 }, (_, i) => `check-${i}`);
    const { s, rec } = scheduler(passing);
    s.setChecks(names.map((n) => check(n, { schedule: every(everyMs, 40) })));
    s.start();
    await sleep(1300);
    await s.stop();

    for (const name of names) {
      const starts = startsOf(rec, name);
      // 1.3 s at one run per 200 ms (the first within one interval): 6 or 7 runs; allow slack for a busy machine.
      expect(starts.length).toBeGreaterThanOrEqual(4);
      expect(starts.length).toBeLessThanOrEqual(8);
      for (let i = 1; i < starts.length; i++) {
        const gap = (starts[i] as number) - (starts[i - 1] as number);
        // Interval ± jitter (40 ms), plus room for timer lateness.
        expect(gap).toBeGreaterThanOrEqual(everyMs - 40 - 60);
        expect(gap).toBeLessThanOrEqual(everyMs + 40 + 150);
      }
    }
    // First runs of the ten checks land at different points of the interval.
    const firsts = names.map((n) => startsOf(rec, n)[0] as number);
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThan(everyMs / 4);
    expect(new Set(firsts.map((t) => Math.floor(t / 20))).size).toBeGreaterThanOrEqual(4);
    expect(rec.results.length).toBe(rec.starts.length);
    expect(s.stats().driftP99Ms).toBeLessThan(150);
    expect(rec.errors).toEqual([]);
  });

  it('runs a six-field cron schedule on whole seconds', async () => {
    const { s, rec } = scheduler(passing);
    s.setChecks([
      check('cron', { schedule: { kind: 'cron', expression: '* * * * * *', timeZone: 'UTC', jitterMs: 0 } }),
    ]);
    s.start();
    await waitFor(() => rec.starts.length >= 2, 4000);
    await s.stop();
    const starts = startsOf(rec, 'cron');
    for (const at of starts) expect(at % 1000).toBeLessThan(150);
    expect(Math.round(((starts[1] as number) - (starts[0] as number)) / 1000)).toBe(1);
  });

  it('never has more executions in flight than the concurrency allows, and queues the rest', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let maxQueued = 0;
    const { s, rec } = scheduler(
      async (def) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        maxQueued = Math.max(maxQueued, s.stats().queued);
        await sleep(60);
        inFlight -= 1;
        return result(def, 'pass');
      },
      { concurrency: 3 },
    );
    s.setChecks(Array.from({ length: 20 }, (_, i) => check(`c${i}`, { schedule: every(100) })));
    s.start();
    await sleep(700);
    await s.stop();
    expect(maxInFlight).toBe(3);
    expect(maxQueued).toBeGreaterThan(0);
    // Waiting in the queue shows up as drift.
    expect(s.stats().driftP99Ms).toBeGreaterThan(20);
    expect(rec.results.length).toBeGreaterThan(10);
  });

  it('aborts an execution at its deadline and reports a timeout when execute hangs', async () => {
    let sawAbort: unknown;
    const { s, rec } = scheduler((_def, signal) => {
      signal.addEventListener('abort', () => {
        sawAbort = signal.reason;
      });
      return new Promise<CheckResult>(() => {});
    });
    s.setChecks([check('hangs', { schedule: every(60_000), timeoutMs: 100 })]);
    const started = Date.now();
    const r = await s.runNow('hangs');
    const took = Date.now() - started;
    expect(r?.status).toBe('fail');
    expect(r?.error?.kind).toBe('timeout');
    expect((sawAbort as DOMException).name).toBe('TimeoutError');
    // Deadline 100 + 50 ms margin, then 50 ms grace.
    expect(took).toBeGreaterThanOrEqual(180);
    expect(took).toBeLessThan(1500);
    expect(rec.results.map((x) => x.result)).toEqual([r]);
    expect(s.stats().inFlight).toBe(0);
  });

  it("uses execute's own result when it gives up on the abort", async () => {
    const { s } = scheduler(
      (def, signal) =>
        new Promise<CheckResult>((resolve) => {
          signal.addEventListener('abort', () =>
            resolve({ ...result(def, 'fail'), error: { kind: 'timeout', message: 'runner timed out' } }),
          );
        }),
    );
    s.setChecks([check('honours-abort', { timeoutMs: 100 })]);
    const r = await s.runNow('honours-abort');
    expect(r?.error).toEqual({ kind: 'timeout', message: 'runner timed out' });
  });

  it('turns a throwing execute into an internal fail result and keeps running the other checks', async () => {
    const { s, rec } = scheduler(async (def) => {
      if (def.name === 'buggy') throw new Error('boom');
      return result(def, 'pass');
    });
    s.setChecks([check('buggy', { schedule: every(100) }), check('fine', { schedule: every(100) })]);
    s.start();
    await waitFor(() => startsOf(rec, 'buggy').length >= 2 && startsOf(rec, 'fine').length >= 3);
    await s.stop();
    const buggy = rec.results.filter((x) => x.result.check === 'buggy');
    expect(buggy.length).toBeGreaterThanOrEqual(2);
    for (const { result: r } of buggy) {
      expect(r.status).toBe('fail');
      expect(r.error?.kind).toBe('internal');
      expect(r.reason).toContain('boom');
      expect(r.type).toBe('tcp');
    }
    expect(
      rec.results.filter((x) => x.result.check === 'fine').every((x) => x.result.status === 'pass'),
    ).toBe(true);
    expect(rec.errors.length).toBe(buggy.length);
    expect(String(rec.errors[0])).toContain('boom');
  });

  it('a synchronous throw and a non-result are internal errors too', async () => {
    const { s, rec } = scheduler((def) => {
      if (def.name === 'sync') throw new Error('thrown before any promise');
      return Promise.resolve(undefined as unknown as CheckResult);
    });
    s.setChecks([check('sync'), check('empty')]);
    const [a, b] = await Promise.all([s.runNow('sync'), s.runNow('empty')]);
    expect(a?.error?.kind).toBe('internal');
    expect(b?.error?.kind).toBe('internal');
    expect(rec.errors.length).toBe(2);
  });

  it('keeps running when onResult throws, and reports the error', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const s = new CheckScheduler({
      concurrency: 2,
      execute: passing,
      onResult: async () => {
        calls += 1;
        throw new Error('store down');
      },
      onError: (err) => errors.push(err),
    });
    live.push(s);
    s.setChecks([check('a', { schedule: every(100) })]);
    s.start();
    await waitFor(() => calls >= 3);
    await s.stop();
    expect(errors.length).toBe(calls);
    expect(String(errors[0])).toContain('store down');
  });

  it('does not start a check again while it is still running, and counts the skipped runs', async () => {
    let concurrentSameCheck = 0;
    let running = 0;
    const { s, rec } = scheduler(async (def) => {
      running += 1;
      concurrentSameCheck = Math.max(concurrentSameCheck, running);
      await sleep(250);
      running -= 1;
      return result(def, 'pass');
    });
    s.setChecks([check('slow', { schedule: every(100) })]);
    s.start();
    await sleep(900);
    await s.stop();
    expect(concurrentSameCheck).toBe(1);
    expect(rec.starts.length).toBeGreaterThanOrEqual(2);
    expect(s.stats().skipped).toBeGreaterThanOrEqual(rec.starts.length);
  });

  it('delivers health transitions as results cross the thresholds', async () => {
    const statuses: CheckStatus[] = ['fail', 'fail', 'pass', 'pass'];
    let i = 0;
    const { s, rec } = scheduler(async (def) => result(def, statuses[i++] ?? 'pass'));
    s.setChecks([check('flaky', { failAfter: 2, recoverAfter: 2 })]);
    for (let n = 0; n < statuses.length; n++) await s.runNow('flaky');
    expect(rec.results.map((x) => x.health.transition)).toEqual([
      undefined,
      'failing',
      undefined,
      'recovered',
    ]);
    expect(s.healthOf('flaky')).toEqual({ state: 'passing', consecutiveFailures: 0, consecutivePasses: 2 });
  });

  it('setChecks adds, replaces and removes checks, keeping the health of those that stay', async () => {
    const seen: CheckDefinition[] = [];
    const { s, rec } = scheduler(async (def) => {
      seen.push(def);
      return result(def, 'fail');
    });
    s.setChecks([
      check('stays', { schedule: every(100), failAfter: 100 }),
      check('goes', { schedule: every(100) }),
    ]);
    s.start();
    await waitFor(() => startsOf(rec, 'stays').length >= 2 && startsOf(rec, 'goes').length >= 1);

    const failuresBefore = s.healthOf('stays')?.consecutiveFailures ?? 0;
    s.setChecks([
      check('stays', { schedule: every(100), failAfter: 100, tags: ['edited'] }),
      check('new', { schedule: every(100) }),
    ]);
    const goesRuns = startsOf(rec, 'goes').length;
    expect(s.healthOf('goes')).toBeUndefined();
    await waitFor(
      () => startsOf(rec, 'new').length >= 2 && seen.filter((d) => d.tags.includes('edited')).length >= 2,
    );
    await s.stop();

    expect(startsOf(rec, 'goes').length).toBe(goesRuns);
    expect(s.stats().scheduled).toBe(0);
    // Health carried over: failures kept counting from where they were.
    const stays = rec.results
      .filter((x) => x.result.check === 'stays')
      .map((x) => x.health.next.consecutiveFailures);
    expect(stays).toEqual(stays.map((_, i) => i + 1));
    expect(s.healthOf('stays')?.consecutiveFailures).toBeGreaterThan(failuresBefore);
  });

  it('does not schedule disabled or heartbeat checks, and runNow still runs a disabled one', async () => {
    const { s, rec } = scheduler(passing);
    s.setChecks([
      check('paused', { schedule: every(100), enabled: false }),
      check('beat', { schedule: every(100), spec: { type: 'heartbeat', periodMs: 100, graceMs: 10 } }),
      check('active', { schedule: every(100) }),
    ]);
    s.start();
    expect(s.stats().scheduled).toBe(1);
    await sleep(350);
    expect(new Set(rec.starts.map((x) => x.name))).toEqual(new Set(['active']));
    expect((await s.runNow('paused'))?.status).toBe('pass');
    expect(await s.runNow('beat')).toBeUndefined();
    expect(await s.runNow('unknown')).toBeUndefined();
  });

  it('enabling a disabled check schedules it', async () => {
    const { s, rec } = scheduler(passing);
    s.setChecks([check('later', { schedule: every(100), enabled: false })]);
    s.start();
    await sleep(250);
    expect(rec.starts.length).toBe(0);
    s.setChecks([check('later', { schedule: every(100), enabled: true })]);
    await waitFor(() => rec.starts.length >= 2);
    expect(s.stats().scheduled).toBe(1);
  });

  it('stop aborts and waits for executions in flight, and nothing runs after it', async () => {
    let finished = 0;
    let aborted = 0;
    const { s, rec } = scheduler(
      (def, signal) =>
        new Promise<CheckResult>((resolve) => {
          const done = () => {
            finished += 1;
            resolve(result(def, 'fail'));
          };
          const timer = setTimeout(done, 5000);
          signal.addEventListener('abort', () => {
            aborted += 1;
            clearTimeout(timer);
            setTimeout(done, 30);
          });
        }),
    );
    s.setChecks([check('a', { schedule: every(100) }), check('b', { schedule: every(100) })]);
    s.start();
    await waitFor(() => s.stats().inFlight === 2);
    await s.stop();
    expect(aborted).toBe(2);
    expect(finished).toBe(2);
    expect(s.stats().inFlight).toBe(0);
    // Aborted by the shutdown: not a verdict on the checks.
    expect(rec.results).toEqual([]);
    const starts = rec.starts.length;
    await sleep(300);
    expect(rec.starts.length).toBe(starts);
  });

  it('stop returns even when an execution ignores the abort', async () => {
    const { s } = scheduler(() => new Promise<CheckResult>(() => {}));
    s.setChecks([check('stuck', { schedule: every(100), timeoutMs: 10_000 })]);
    s.start();
    await waitFor(() => s.stats().inFlight === 1);
    const started = Date.now();
    await s.stop();
    // The grace period for a 10 s timeout is 1 s.
    expect(Date.now() - started).toBeLessThan(2500);
    expect(s.stats().inFlight).toBe(0);
  });

  it('runNow joins a run already in flight instead of starting a second one', async () => {
    const { s, rec } = scheduler(async (def) => {
      await sleep(100);
      return result(def, 'pass');
    });
    s.setChecks([check('once', { schedule: every(60_000) })]);
    const [a, b] = await Promise.all([s.runNow('once'), s.runNow('once')]);
    expect(a).toBe(b);
    expect(rec.starts.length).toBe(1);
  });

  it('rejects a concurrency below 1', () => {
    expect(() => new CheckScheduler({ concurrency: 0, execute: passing, onResult: () => {} })).toThrow(
      RangeError,
    );
  });

  it('reports a check whose cron cannot be parsed and schedules the others', async () => {
    const { s, rec } = scheduler(passing);
    s.setChecks([
      check('bad', { schedule: { kind: 'cron', expression: 'not a cron', timeZone: 'UTC', jitterMs: 0 } }),
      check('good', { schedule: every(100) }),
    ]);
    s.start();
    expect(s.stats().scheduled).toBe(1);
    expect(String(rec.errors[0])).toContain('bad');
    await waitFor(() => rec.starts.length >= 1);
  });
});
