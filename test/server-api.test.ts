import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../src/slo/model.ts';
import { applyFixtures, DRIVERS, type Harness, labelMs, SPEC_FILES, startHarness } from './server-harness.ts';

const SLO = 'checkout-availability';
const OBJECTIVE = 0.99;

describe.each(DRIVERS)('server API on %s', (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(driver);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('applies specs idempotently: created first, unchanged the second time', async () => {
    const first = await applyFixtures(h);
    expect(first.created.length).toBeGreaterThan(0);
    expect(first.updated).toEqual([]);
    const second = await applyFixtures(h);
    expect(second.created).toEqual([]);
    expect(second.updated).toEqual([]);
    expect(second.unchanged.length).toBe(first.created.length);
    const slos = await h.call('GET', '/api/v1/slos');
    expect(slos.json.map((s: { name: string }) => s.name)).toContain(SLO);
  });

  it('refuses invalid specs with every diagnostic named by file:line:col and stores nothing', async () => {
    const before = await h.call('GET', '/api/v1/slos');
    const broken = SPEC_FILES[1]!.content
      .replace('target: 0.99', 'target: 1.5')
      .replace('checkout-availability', 'x-broken');
    const res = await h.call('POST', '/api/v1/apply', {
      body: { documents: [{ file: 'bad.yaml', content: broken }] },
    });
    expect(res.status).toBe(400);
    expect(res.json.details.length).toBeGreaterThan(0);
    expect(res.json.details[0].path).toMatch(/^bad\.yaml:\d+:\d+$/);
    expect((await h.call('GET', '/api/v1/slos')).json).toEqual(before.json);
  });

  it('computes SLI, budget and burn rates equal to the hand calculation from the posted events', async () => {
    const now = h.clock.now;
    type Ev =
      | { timestamp: number | string; good: number; total: number }
      | { timestamp: number; success: boolean };
    const events: Ev[] = [
      { timestamp: now - 45 * MINUTE_MS, good: 990, total: 1000 },
      { timestamp: new Date(now - 200 * MINUTE_MS).toISOString(), good: 497, total: 500 },
      { timestamp: now - 2 * MINUTE_MS, good: 1000, total: 1000 },
      { timestamp: now - 2 * MINUTE_MS, success: false },
      { timestamp: now - 2 * MINUTE_MS, success: true },
    ];
    const post = await h.call('POST', `/api/v1/slos/${SLO}/events`, { body: { events } });
    expect(post.status).toBe(200);
    expect(post.json.accepted).toBe(events.length);
    const norm = events.map((e) => ({
      t: typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : e.timestamp,
      good: 'good' in e ? e.good : e.success ? 1 : 0,
      total: 'total' in e ? e.total : 1,
    }));
    const sum = (from: number) => {
      const inWindow = norm.filter((e) => e.t >= from && e.t < now + MINUTE_MS);
      return {
        good: inWindow.reduce((a, e) => a + e.good, 0),
        total: inWindow.reduce((a, e) => a + e.total, 0),
      };
    };
    const all = sum(0);
    const detail = await h.call('GET', `/api/v1/slos/${SLO}`);
    expect(detail.status).toBe(200);
    const status = detail.json.summary.status;
    expect(status.events).toEqual(all);
    expect(status.sli).toBeCloseTo(all.good / all.total, 12);
    const budget = 1 - OBJECTIVE;
    expect(status.budget.remainingRatio).toBeCloseTo(1 - (1 - all.good / all.total) / budget, 9);
    const labels = Object.keys(status.burnRates);
    expect(labels).toContain('1h');
    expect(labels).toContain('5m');
    for (const label of labels) {
      const w = sum(now - labelMs(label));
      const expected = w.total === 0 ? null : (1 - w.good / w.total) / budget;
      if (expected === null) expect(status.burnRates[label]).toBeNull();
      else expect(status.burnRates[label]).toBeCloseTo(expected, 9);
    }
    const list = await h.call('GET', '/api/v1/slos');
    const row = list.json.find((s: { name: string }) => s.name === SLO);
    const fastest = Math.max(...labels.map((l) => status.burnRates[l] ?? Number.NEGATIVE_INFINITY));
    expect(row.fastestBurn.rate).toBeCloseTo(fastest, 9);
    const services = await h.call('GET', '/api/v1/services/checkout');
    expect(services.json.slos.map((s: { name: string }) => s.name)).toContain(SLO);
  });

  it('serves history points for the requested range', async () => {
    const now = h.clock.now;
    const res = await h.call(
      'GET',
      `/api/v1/slos/${SLO}/history?from=${now - 60 * MINUTE_MS}&to=${now}&step=10m`,
    );
    expect(res.status).toBe(200);
    expect(res.json.length).toBeGreaterThanOrEqual(6);
    expect(res.json.every((p: { t: number }) => p.t >= now - 60 * MINUTE_MS && p.t <= now)).toBe(true);
    const tooMany = await h.call('GET', `/api/v1/slos/${SLO}/history?from=0&to=${now}&step=1m`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.details[0].path).toBe('step');
  });

  const t = () => h.clock.now;
  const badCases: {
    name: string;
    body?: () => unknown;
    raw?: () => string;
    status: number;
    path?: string;
    slo?: string;
  }[] = [
    { name: 'malformed JSON is a 400', raw: () => '{"events": [', status: 400 },
    {
      name: 'a count of the wrong type names the field',
      body: () => ({ events: [{ timestamp: t(), good: 'x', total: 1 }] }),
      status: 400,
      path: 'events[0].good',
    },
    {
      name: 'an unknown field is named',
      body: () => ({ events: [{ timestamp: t(), success: true, colour: 'red' }] }),
      status: 400,
      path: 'events[0].colour',
    },
    {
      name: 'a future timestamp is refused',
      body: () => ({ events: [{ timestamp: t() + 3_600_000, success: true }] }),
      status: 400,
      path: 'events[0].timestamp',
    },
    {
      name: 'a timestamp before the SLO period is refused',
      body: () => ({ events: [{ timestamp: t() - 40 * 86_400_000, success: true }] }),
      status: 400,
      path: 'events[0].timestamp',
    },
    {
      name: 'a negative count is refused',
      body: () => ({ events: [{ timestamp: t(), good: 1, total: -2 }] }),
      status: 400,
      path: 'events[0].total',
    },
    {
      name: 'good above total fails the whole batch, valid events included',
      body: () => ({
        events: [
          { timestamp: t(), good: 1, total: 1 },
          { timestamp: t(), good: 1, total: 1 },
          { timestamp: t(), good: 5, total: 2 },
        ],
      }),
      status: 400,
      path: 'events[2].good',
    },
    {
      name: 'a non-finite number is refused',
      raw: () => `{"events":[{"timestamp":${t()},"good":1,"total":1e999}]}`,
      status: 400,
      path: 'events[0].total',
    },
    {
      name: 'a body over the size limit is a 413',
      raw: () => JSON.stringify({ events: [{ timestamp: t(), success: true, pad: 'x'.repeat(1_100_000) }] }),
      status: 413,
    },
    {
      name: 'an unknown SLO is a 404',
      body: () => ({ events: [{ timestamp: t(), success: true }] }),
      status: 404,
      slo: 'no-such-slo',
    },
    {
      name: 'a Prometheus-backed SLO is a 409',
      body: () => ({ events: [{ timestamp: t(), success: true }] }),
      status: 409,
      slo: 'checkout-latency-prom',
    },
  ];
  it.each(badCases)('$name, and nothing stored changes', async (c) => {
    const before = await h.server.store.readBuckets(SLO, 0, t() + 86_400_000);
    const beforeStatus = (await h.call('GET', `/api/v1/slos/${SLO}`)).json.summary.status.events;
    const res = await h.call('POST', `/api/v1/slos/${c.slo ?? SLO}/events`, {
      body: c.body?.(),
      raw: c.raw?.(),
    });
    expect(res.status).toBe(c.status);
    expect(typeof res.json.error).toBe('string');
    expect(typeof res.json.message).toBe('string');
    if (c.path) expect(res.json.details.map((d: { path: string }) => d.path)).toContain(c.path);
    expect(await h.server.store.readBuckets(SLO, 0, t() + 86_400_000)).toEqual(before);
    expect((await h.call('GET', `/api/v1/slos/${SLO}`)).json.summary.status.events).toEqual(beforeStatus);
  });

  it('guards reads and writes with tokens: 401 without, 403 for a weaker role', async () => {
    expect((await h.call('GET', '/api/v1/slos', { token: null })).status).toBe(401);
    expect((await h.call('GET', '/api/v1/slos', { token: 'not-a-token' })).status).toBe(401);
    expect((await h.call('GET', '/api/v1/health', { token: null })).status).toBe(200);
    const created = await h.call('POST', '/api/v1/tokens', { body: { name: 'dash', role: 'viewer' } });
    expect(created.status).toBe(201);
    const viewer = created.json.token as string;
    expect((await h.call('GET', '/api/v1/slos', { token: viewer })).status).toBe(200);
    const write = await h.call('POST', `/api/v1/slos/${SLO}/events`, {
      token: viewer,
      body: { events: [{ timestamp: h.clock.now, success: true }] },
    });
    expect(write.status).toBe(403);
    expect(
      (await h.call('POST', '/api/v1/tokens', { token: viewer, body: { name: 'x', role: 'admin' } })).status,
    ).toBe(403);
    const responder = (
      await h.call('POST', '/api/v1/tokens', { body: { name: 'pusher', role: 'responder' } })
    ).json.token;
    const pushed = await h.call('POST', `/api/v1/slos/${SLO}/events`, {
      token: responder,
      body: { events: [{ timestamp: h.clock.now, success: true }] },
    });
    expect(pushed.status).toBe(200);
    expect(
      (await h.call('POST', '/api/v1/apply', { token: responder, body: { documents: SPEC_FILES } })).status,
    ).toBe(403);
  });

  it('lists tokens without secrets and revokes one at once: its requests get 401, its event stream ends', async () => {
    const created = await h.call('POST', '/api/v1/tokens', {
      body: { name: 'leaked-ci', role: 'responder' },
    });
    const { id, token } = created.json as { id: string; token: string };
    const listed = await h.call('GET', '/api/v1/tokens');
    expect(listed.status).toBe(200);
    const row = (listed.json as Record<string, unknown>[]).find((t) => t.id === id);
    expect(row).toEqual({ id, name: 'leaked-ci', role: 'responder', createdAt: expect.any(Number) });
    expect(JSON.stringify(listed.json)).not.toContain(token);
    expect((await h.call('GET', '/api/v1/tokens', { token })).status).toBe(403);

    // An event stream opened with the token ends when the token goes.
    const stream = await fetch(`${h.server.url}/api/v1/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(stream.status).toBe(200);
    const ended = stream.body
      ?.pipeTo(new WritableStream())
      .then(() => 'ended')
      .catch(() => 'ended');

    const revoked = await h.call('DELETE', `/api/v1/tokens/${id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.json).toEqual({
      revoked: { id, name: 'leaked-ci', role: 'responder', createdAt: row?.createdAt },
    });
    expect(await ended).toBe('ended');
    const after = await h.call('GET', '/api/v1/slos', { token });
    expect(after.status).toBe(401);
    expect((await h.call('GET', '/api/v1/tokens')).json.map((t: { id: string }) => t.id)).not.toContain(id);
    // Again: gone already.
    expect((await h.call('DELETE', `/api/v1/tokens/${id}`)).status).toBe(404);
  });

  it('keeps the last admin token: revoking it is a 409, and works once another admin exists', async () => {
    const admins = (await h.call('GET', '/api/v1/tokens')).json.filter(
      (t: { role: string }) => t.role === 'admin',
    );
    expect(admins).toHaveLength(1);
    const last = await h.call('DELETE', `/api/v1/tokens/${admins[0].id}`);
    expect(last.status).toBe(409);
    expect(last.json.error).toBe('last_admin');
    expect((await h.call('GET', '/api/v1/slos')).status).toBe(200);

    const second = await h.call('POST', '/api/v1/tokens', { body: { name: 'second-admin', role: 'admin' } });
    const spare = second.json.token as string;
    // Two revocations at once, each made with the other admin's token, must not take both admins:
    // one is refused (409, or 401 when its own token went first).
    const both = await Promise.all([
      h.call('DELETE', `/api/v1/tokens/${admins[0].id}`, { token: spare }),
      h.call('DELETE', `/api/v1/tokens/${second.json.id}`),
    ]);
    expect(both.filter((r) => r.status === 200)).toHaveLength(1);
    expect([401, 409]).toContain(both.find((r) => r.status !== 200)?.status);
    const survivor = both[0].status === 200 ? spare : undefined;
    const left = (await h.call('GET', '/api/v1/tokens', { token: survivor })).json;
    expect(left.filter((t: { role: string }) => t.role === 'admin')).toHaveLength(1);
    // The harness's admin token is the server's BALLAST_ADMIN_TOKEN: a restart stores it again.
    if (survivor) {
      await h.restart();
      expect((await h.call('GET', '/api/v1/slos')).status).toBe(200);
    }
  });

  it('documents every route in the OpenAPI document', async () => {
    const res = await h.call('GET', '/api/v1/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.json.openapi).toMatch(/^3\./);
    const paths = Object.keys(res.json.paths);
    for (const p of [
      '/api/v1/health',
      '/api/v1/services',
      '/api/v1/services/{name}',
      '/api/v1/slos',
      '/api/v1/slos/{name}',
      '/api/v1/slos/{name}/history',
      '/api/v1/slos/{name}/alerts',
      '/api/v1/slos/{name}/events',
      '/api/v1/apply',
      '/api/v1/events',
      '/api/v1/tokens',
    ]) {
      expect(paths).toContain(p);
    }
    expect(res.json.paths['/api/v1/slos/{name}/events'].post.requestBody).toBeDefined();
  });

  it('exposes the SLO series on /metrics without a token', async () => {
    await h.server.runtime.evaluate();
    const res = await fetch(`${h.server.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const series of [
      `ballast_slo_objective{slo="${SLO}",service="checkout"} ${OBJECTIVE}`,
      `ballast_slo_sli{slo="${SLO}"`,
      `ballast_slo_error_budget_remaining_ratio{slo="${SLO}"`,
      `ballast_slo_burn_rate{slo="${SLO}",service="checkout",window="1h"}`,
      `ballast_slo_alert_firing{slo="${SLO}",service="checkout",severity="page"}`,
      'process_cpu_seconds_total',
    ]) {
      expect(text).toContain(series);
    }
  });

  it('answers unknown API paths with a JSON 404 and pages with HTML', async () => {
    const api = await h.call('GET', '/api/v1/nope');
    expect(api.status).toBe(404);
    expect(api.json.error).toBe('not_found');
    const page = await fetch(`${h.server.url}/slos/${SLO}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });
});

describe('public reads', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite', { publicRead: true });
    await applyFixtures(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lets reads through without a token but still guards writes', async () => {
    expect((await h.call('GET', '/api/v1/slos', { token: null })).status).toBe(200);
    const write = await h.call('POST', `/api/v1/slos/${SLO}/events`, {
      token: null,
      body: { events: [{ timestamp: h.clock.now, success: true }] },
    });
    expect(write.status).toBe(401);
  });
});
