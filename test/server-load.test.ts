/**
 * Load-test runs and measured capacity through the real server, on both
 * store drivers: a run is created, gets its seconds live, ends with a summary,
 * and reads back; capacity is stored with history; roles, bad bodies and
 * unknown ids get the documented answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeyNumbers } from '../src/load/runs/index.ts';
import type { LatencySummary, LoadSummary, SecondSample } from '../src/load/types.ts';
import { createSseParser, type SseEvent } from '../web/src/sse.ts';
import { applyFixtures, DRIVERS, type Harness, startHarness } from './server-harness.ts';

function latency(base: number): LatencySummary {
  return { p50: base, p90: base * 2, p99: base * 4, p999: base * 6, max: base * 8, mean: base * 1.3 };
}

function second(t: number): SecondSample {
  return {
    t,
    targetRate: 100,
    achievedRate: 100 - (t % 3),
    ok: 98 + (t % 2),
    failed: t % 2,
    inFlight: 3 + t,
    latency_ms: latency(2 + t),
    service_time_ms: latency(1 + t),
    lag_ms: t / 10,
  };
}

function summary(series: SecondSample[], over: Partial<LoadSummary> = {}): LoadSummary {
  const ok = series.reduce((n, s) => n + s.ok, 0);
  const failed = series.reduce((n, s) => n + s.failed, 0);
  return {
    name: 'checkout-steady',
    startedAt: new Date(0).toISOString(),
    durationMs: series.length * 1000,
    executor: 'constant-arrival-rate',
    requests: { total: ok + failed, ok, failed },
    errors: { status: failed },
    rate: { target: 100, achieved: (ok + failed) / series.length },
    latency_ms: latency(3),
    service_time_ms: latency(2),
    dropped: 0,
    valid: true,
    invalid_reasons: [],
    thresholds: [
      { expr: 'p(99) < 300ms', ok: true, value: 12 },
      { expr: 'rate(failed) < 0.1%', ok: false, value: failed / (ok + failed) },
    ],
    aborted: false,
    perRequest: { 'GET /pay': { total: ok + failed, failed, latency_ms: latency(3) } },
    series,
    spectrum: [
      { percentile: 50, latency_ms: 3 },
      { percentile: 99, latency_ms: 12 },
      { percentile: 99.9, latency_ms: 18 },
    ],
    ...over,
  };
}

const PLAN = { name: 'checkout-steady', executor: { executor: 'constant-arrival-rate', rate: 100 } };

describe.each(DRIVERS)('load runs and capacity on %s', (driver) => {
  let h: Harness;
  let responder: string;
  let viewer: string;

  beforeAll(async () => {
    h = await startHarness(driver);
    await applyFixtures(h);
    const token = async (role: string) =>
      (await h.call('POST', '/api/v1/tokens', { body: { name: `${role}-token`, role } })).json.token;
    responder = await token('responder');
    viewer = await token('viewer');
  });
  afterAll(async () => {
    await h?.close();
  });

  async function createRun(body: object = { name: 'checkout-steady', plan: PLAN, service: 'checkout' }) {
    const res = await h.call('POST', '/api/v1/load/runs', { body, token: responder });
    expect(res.status).toBe(201);
    return res.json.id as string;
  }

  it('records a run from creation through live seconds to its summary, and reads it back', async () => {
    const id = await createRun();
    const first = [second(0), second(1)];
    const push = await h.call('POST', `/api/v1/load/runs/${id}/seconds`, {
      body: { samples: first },
      token: responder,
    });
    expect(push.status).toBe(204);
    const running = await h.call('GET', `/api/v1/load/runs/${id}`, { token: viewer });
    expect(running.status).toBe(200);
    expect(running.json.run).toMatchObject({ id, status: 'running', service: 'checkout', key: null });
    expect(running.json.run.plan).toEqual(PLAN);
    expect(running.json.seconds).toEqual(first);
    expect(running.json.summary).toBeUndefined();

    const series = [second(0), second(1), second(2)];
    const done = await h.call('PUT', `/api/v1/load/runs/${id}/summary`, {
      body: summary(series),
      token: responder,
    });
    expect(done.status).toBe(200);
    expect(done.json.status).toBe('finished');
    const detail = await h.call('GET', `/api/v1/load/runs/${id}`);
    expect(detail.json.summary).toEqual(summary(series));
    // The summary's series fills the second the live pushes never sent.
    expect(detail.json.seconds).toEqual(series);
    expect(detail.json.run.finishedAt).toBe(h.clock.now);
    expect(detail.json.run.key).toEqual(runKeyNumbers(summary(series)));
  });

  it('replaces a resent second instead of storing it twice', async () => {
    const id = await createRun();
    await h.call('POST', `/api/v1/load/runs/${id}/seconds`, { body: { samples: [second(4)] } });
    const again = { ...second(4), ok: 1234 };
    await h.call('POST', `/api/v1/load/runs/${id}/seconds`, { body: { samples: [again, second(5)] } });
    const detail = await h.call('GET', `/api/v1/load/runs/${id}`);
    expect(detail.json.seconds).toEqual([again, second(5)]);
  });

  it('marks a run stopped early by a threshold as aborted, and refuses seconds after the end', async () => {
    const id = await createRun();
    const res = await h.call('PUT', `/api/v1/load/runs/${id}/summary`, {
      body: summary([second(0)], { aborted: true, abortReason: 'p(99) < 300ms failed' }),
    });
    expect(res.json.status).toBe('aborted');
    const late = await h.call('POST', `/api/v1/load/runs/${id}/seconds`, { body: { samples: [second(9)] } });
    expect(late.status).toBe(409);
  });

  it('marks a run whose generator gave up as failed', async () => {
    const id = await createRun();
    const res = await h.call('POST', `/api/v1/load/runs/${id}/fail`, { body: { message: 'worker crashed' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, status: 'failed', key: null });
  });

  it('lists runs newest first, filtered by service and limited', async () => {
    h.clock.now += 60_000;
    const other = await createRun({ name: 'search-spike', plan: PLAN, service: 'search' });
    h.clock.now += 60_000;
    const newest = await createRun();
    const all = await h.call('GET', '/api/v1/load/runs');
    expect(all.status).toBe(200);
    const started = all.json.map((r: { startedAt: number }) => r.startedAt);
    expect(started).toEqual([...started].sort((a, b) => b - a));
    expect(all.json[0].id).toBe(newest);
    const checkout = await h.call('GET', '/api/v1/load/runs?service=checkout');
    expect(checkout.json.length).toBeGreaterThan(0);
    expect(checkout.json.every((r: { service: string }) => r.service === 'checkout')).toBe(true);
    expect(checkout.json.map((r: { id: string }) => r.id)).not.toContain(other);
    const limited = await h.call('GET', '/api/v1/load/runs?limit=1');
    expect(limited.json.map((r: { id: string }) => r.id)).toEqual([newest]);
  });

  it('streams load-started, load-second and load-finished on /api/v1/events', async () => {
    const abort = new AbortController();
    const res = await fetch(`${h.server.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${viewer}` },
      signal: abort.signal,
    });
    const events: SseEvent[] = [];
    const parse = createSseParser((e) => events.push(e));
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const until = async (name: string) => {
      while (!events.some((e) => e.event === name)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${name}`);
        parse(decoder.decode(value, { stream: true }));
      }
      return JSON.parse(events.find((e) => e.event === name)?.data ?? 'null');
    };
    await reader.read(); // ": connected" — the listeners are attached once the head is sent.
    const id = await createRun();
    expect((await until('load-started')).run).toMatchObject({ id, status: 'running' });
    await h.call('POST', `/api/v1/load/runs/${id}/seconds`, { body: { samples: [second(0)] } });
    expect(await until('load-second')).toEqual({ runId: id, samples: [second(0)] });
    await h.call('PUT', `/api/v1/load/runs/${id}/summary`, { body: summary([second(0)]) });
    expect((await until('load-finished')).run).toMatchObject({ id, status: 'finished' });
    abort.abort();
    await reader.cancel().catch(() => {});
  });

  it('keeps capacity history with the latest measurement first', async () => {
    const steps = [
      { rate: 100, p99: 40, latencyMs: 40, errorRate: 0, achievedRate: 100, held: true, valid: true },
      { rate: 200, p99: 90, latencyMs: 90, errorRate: 0.0004, achievedRate: 199, held: true, valid: true },
      {
        rate: 400,
        p99: 900,
        latencyMs: 900,
        errorRate: 0.03,
        achievedRate: 380,
        held: false,
        valid: true,
        reason: 'p99 900ms > 300ms',
      },
    ];
    const older = { ratePerSecond: 180, measuredAt: h.clock.now - 86_400_000, steps: steps.slice(0, 2) };
    const newer = {
      ratePerSecond: 200,
      measuredAt: new Date(h.clock.now).toISOString(),
      slo: 'checkout-availability',
      steps,
    };
    const put1 = await h.call('PUT', '/api/v1/services/checkout/capacity', { body: newer, token: responder });
    expect(put1.status).toBe(200);
    expect(put1.json).toEqual({ ...newer, service: 'checkout', measuredAt: h.clock.now });
    const put2 = await h.call('PUT', '/api/v1/services/checkout/capacity', { body: older, token: responder });
    expect(put2.status).toBe(200);
    const got = await h.call('GET', '/api/v1/services/checkout/capacity', { token: viewer });
    expect(got.status).toBe(200);
    expect(got.json.latest).toEqual(put1.json);
    expect(got.json.history).toEqual([put1.json, put2.json]);
    const latest = await h.call('GET', '/api/v1/capacity');
    expect(latest.json).toEqual([put1.json]);
  });

  it('keeps runs and capacity across a restart', async () => {
    const before = await h.call('GET', '/api/v1/load/runs');
    const capacity = await h.call('GET', '/api/v1/services/checkout/capacity');
    await h.restart();
    expect((await h.call('GET', '/api/v1/load/runs')).json).toEqual(before.json);
    expect((await h.call('GET', '/api/v1/services/checkout/capacity')).json).toEqual(capacity.json);
  });

  it.each([
    { name: 'a viewer cannot create a run', role: 'viewer', expected: 403 },
    { name: 'a request without a token cannot create a run', role: 'none', expected: 401 },
    { name: 'a responder can create a run', role: 'responder', expected: 201 },
    { name: 'an admin can create a run', role: 'admin', expected: 201 },
  ])('$name', async ({ role, expected }) => {
    const token =
      role === 'viewer' ? viewer : role === 'responder' ? responder : role === 'none' ? null : undefined;
    const res = await h.call('POST', '/api/v1/load/runs', { body: { name: 'x', plan: PLAN }, token });
    expect(res.status).toBe(expected);
  });

  it('refuses capacity from a viewer', async () => {
    const res = await h.call('PUT', '/api/v1/services/checkout/capacity', {
      body: { ratePerSecond: 1, measuredAt: 0, steps: [] },
      token: viewer,
    });
    expect(res.status).toBe(403);
  });

  it.each([
    {
      name: 'a run without a name is refused naming the field',
      method: 'POST',
      path: () => '/api/v1/load/runs',
      body: { plan: PLAN },
      field: 'name',
    },
    {
      name: 'a run whose plan is not an object is refused naming the field',
      method: 'POST',
      path: () => '/api/v1/load/runs',
      body: { name: 'x', plan: 'fast' },
      field: 'plan',
    },
    {
      name: 'a sample with a non-numeric p99 is refused naming its index and field',
      method: 'POST',
      path: (id: string) => `/api/v1/load/runs/${id}/seconds`,
      body: { samples: [second(0), { ...second(1), latency_ms: { ...latency(1), p99: 'slow' } }] },
      field: 'samples[1].latency_ms.p99',
    },
    {
      name: 'a sample at a negative second is refused',
      method: 'POST',
      path: (id: string) => `/api/v1/load/runs/${id}/seconds`,
      body: { samples: [second(-1)] },
      field: 'samples[0].t',
    },
    {
      name: 'an empty batch of samples is refused',
      method: 'POST',
      path: (id: string) => `/api/v1/load/runs/${id}/seconds`,
      body: { samples: [] },
      field: 'samples',
    },
    {
      name: 'a summary with an unknown executor is refused naming the field',
      method: 'PUT',
      path: (id: string) => `/api/v1/load/runs/${id}/summary`,
      body: summary([second(0)], { executor: 'warp-drive' as LoadSummary['executor'] }),
      field: 'executor',
    },
    {
      name: 'a summary with an unknown error kind is refused naming it',
      method: 'PUT',
      path: (id: string) => `/api/v1/load/runs/${id}/summary`,
      body: { ...summary([second(0)]), errors: { gremlins: 3 } },
      field: 'errors.gremlins',
    },
    {
      name: 'a capacity step with an error rate above 1 is refused naming the step',
      method: 'PUT',
      path: () => '/api/v1/services/checkout/capacity',
      body: {
        ratePerSecond: 10,
        measuredAt: 0,
        steps: [{ rate: 10, p99: 1, latencyMs: 1, errorRate: 2, achievedRate: 10, held: true, valid: true }],
      },
      field: 'steps[0].errorRate',
    },
    {
      name: 'a capacity with an unparsable time is refused naming the field',
      method: 'PUT',
      path: () => '/api/v1/services/checkout/capacity',
      body: { ratePerSecond: 10, measuredAt: 'yesterday', steps: [] },
      field: 'measuredAt',
    },
  ])('$name', async ({ method, path, body, field }) => {
    const id = await createRun();
    const res = await h.call(method, path(id), { body, token: responder });
    expect(res.status).toBe(400);
    expect(res.json.details.map((d: { path: string }) => d.path)).toContain(field);
    expect(res.json.message).toContain(field);
  });

  it.each([
    { name: 'reading an unknown run is 404', method: 'GET', path: '/api/v1/load/runs/nope', body: undefined },
    {
      name: 'pushing seconds to an unknown run is 404',
      method: 'POST',
      path: '/api/v1/load/runs/nope/seconds',
      body: { samples: [second(0)] },
    },
    {
      name: 'finishing an unknown run is 404',
      method: 'PUT',
      path: '/api/v1/load/runs/nope/summary',
      body: summary([second(0)]),
    },
    {
      name: 'capacity of an unknown service is 404',
      method: 'GET',
      path: '/api/v1/services/nope/capacity',
      body: undefined,
    },
    {
      name: 'recording capacity for an unknown service is 404',
      method: 'PUT',
      path: '/api/v1/services/nope/capacity',
      body: { ratePerSecond: 1, measuredAt: 0, steps: [] },
    },
  ])('$name', async ({ method, path, body }) => {
    const res = await h.call(method, path, { body });
    expect(res.status).toBe(404);
    expect(res.json.error).toBe('not_found');
    expect(res.json.message).toContain('nope');
  });
});
