/**
 * The daemon's Toxiproxy-compatible API: JSON shapes, defaults, status codes
 * and error bodies as Toxiproxy's api.go answers them; bad input refused with
 * nothing half-applied. (chaos-proxy-compat.test.ts drives it with an
 * existing Toxiproxy client.)
 */
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connectError,
  type Echo,
  probe,
  startDaemon,
  startEcho,
  type TestDaemon,
} from './chaos-proxy-harness.ts';

let echo: Echo;
let t: TestDaemon;

beforeAll(async () => {
  echo = await startEcho();
  t = await startDaemon();
});

afterAll(async () => {
  await t.close();
  await echo.close();
});

afterEach(async () => {
  for (const name of Object.keys(await t.client.proxies())) await t.client.deleteProxy(name);
});

interface Answer {
  status: number;
  json: unknown;
  text: string;
}

async function api(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${t.daemon.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** A port nothing listens on (bound and let go). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('proxies', () => {
  it('are created with 201 and shown in Toxiproxy’s shape, keyed by name in the index', async () => {
    const created = await api('POST', '/proxies', {
      name: 'echo',
      listen: '127.0.0.1:0',
      upstream: echo.address,
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      name: 'echo',
      listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      upstream: echo.address,
      enabled: true,
      toxics: [],
    });
    const index = await api('GET', '/proxies');
    expect(index.json).toEqual({ echo: created.json });
    expect((await api('GET', '/proxies/echo')).json).toEqual(created.json);
  });

  it('answer GET /version with a JSON version', async () => {
    const v = await api('GET', '/version');
    expect(v.status).toBe(200);
    expect(v.json).toEqual({ version: expect.stringMatching(/^2\.\d+\.\d+\+ballast/) });
  });

  const refused: Array<[string, unknown, number, string | RegExp]> = [
    ['a proxy without upstream is a missing field', { name: 'x' }, 400, 'missing required field: upstream'],
    [
      'a proxy without name is a missing field',
      { upstream: 'localhost:1' },
      400,
      'missing required field: name',
    ],
    [
      'an upstream that is no host:port is a bad body',
      { name: 'x', upstream: 'db' },
      400,
      /^bad request body: upstream/,
    ],
    ['a body that is no JSON is a bad body', '{"name": ', 400, /^bad request body/],
  ];
  it.each(refused)('%s', async (_name, body, status, message) => {
    const r = await api('POST', '/proxies', body);
    expect(r.status).toBe(status);
    expect(r.json).toEqual({ error: expect.stringMatching(message), status });
    expect(await t.client.proxies()).toEqual({});
  });

  it('with a name taken answer 409 proxy already exists', async () => {
    await t.client.createProxy({ name: 'echo', upstream: echo.address });
    const r = await api('POST', '/proxies', { name: 'echo', upstream: echo.address });
    expect([r.status, r.json]).toEqual([409, { error: 'proxy already exists', status: 409 }]);
  });

  it('that are unknown answer 404 proxy not found on every route', async () => {
    for (const [method, path] of [
      ['GET', '/proxies/nope'],
      ['POST', '/proxies/nope'],
      ['DELETE', '/proxies/nope'],
      ['GET', '/proxies/nope/toxics'],
      ['POST', '/proxies/nope/toxics'],
      ['GET', '/proxies/nope/toxics/t'],
    ] as const) {
      const r = await api(method, path, method === 'POST' ? { type: 'latency' } : undefined);
      expect([method, path, r.status, r.json]).toEqual([
        method,
        path,
        404,
        { error: 'proxy not found', status: 404 },
      ]);
    }
  });

  it('on a listen port in use fail with a clear error and are not created', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const { port } = busy.address() as AddressInfo;
    try {
      const r = await api('POST', '/proxies', {
        name: 'clash',
        listen: `127.0.0.1:${port}`,
        upstream: echo.address,
      });
      expect(r.status).toBe(500);
      expect(r.json).toEqual({
        error: `listen tcp 127.0.0.1:${port}: bind: address already in use`,
        status: 500,
      });
      expect(await t.client.proxies()).toEqual({});
    } finally {
      busy.close();
    }
  });

  it('update with POST or PATCH, keeping fields left out, and delete with 204', async () => {
    const p = await t.client.createProxy({ name: 'echo', upstream: echo.address });
    const off = await api('POST', '/proxies/echo', { enabled: false });
    expect(off.json).toEqual({ ...p, enabled: false });
    const on = await api('PATCH', '/proxies/echo', { enabled: true });
    expect(on.json).toEqual(p);
    const del = await api('DELETE', '/proxies/echo');
    expect([del.status, del.text]).toEqual([204, '']);
    expect(await connectError(p.listen)).toBe('ECONNREFUSED');
  });

  it('move to a new listen address only if it can be bound, else stay as they were', async () => {
    const p = await t.client.createProxy({ name: 'echo', upstream: echo.address });
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const { port } = busy.address() as AddressInfo;
    try {
      const r = await api('POST', '/proxies/echo', { listen: `127.0.0.1:${port}` });
      expect(r.status).toBe(500);
      expect(await t.client.proxy('echo')).toEqual(p);
      const c = await probe(p.listen);
      expect(await c.roundTrip('still')).toBeLessThan(250);
      c.socket.destroy();
    } finally {
      busy.close();
    }
  });
});

describe('toxics', () => {
  it('get Toxiproxy’s defaults and answer 200 with the toxic', async () => {
    await t.client.createProxy({ name: 'echo', upstream: echo.address });
    const r = await api('POST', '/proxies/echo/toxics', { type: 'latency', attributes: { latency: 100 } });
    expect([r.status, r.json]).toEqual([
      200,
      {
        name: 'latency_downstream',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 100, jitter: 0 },
      },
    ]);
    expect((await api('GET', '/proxies/echo/toxics')).json).toEqual([r.json]);
    expect((await api('GET', '/proxies/echo/toxics/latency_downstream')).json).toEqual(r.json);
    expect(((await api('GET', '/proxies/echo')).json as { toxics: unknown[] }).toxics).toEqual([r.json]);
  });

  it('are listed upstream first, then downstream, each in the order added', async () => {
    await t.client.createProxy({ name: 'echo', upstream: echo.address });
    await t.client.addToxic('echo', { name: 'd1', type: 'latency' });
    await t.client.addToxic('echo', { name: 'u1', type: 'latency', stream: 'upstream' });
    await t.client.addToxic('echo', { name: 'd2', type: 'slow_close' });
    expect((await t.client.toxics('echo')).map((x) => x.name)).toEqual(['u1', 'd1', 'd2']);
  });

  it('update by merging attributes, and delete with 204 then 404', async () => {
    await t.client.createProxy({ name: 'echo', upstream: echo.address });
    await t.client.addToxic('echo', {
      name: 'lag',
      type: 'latency',
      attributes: { latency: 100, jitter: 5 },
    });
    const u = await api('POST', '/proxies/echo/toxics/lag', { attributes: { latency: 300 } });
    expect(u.json).toMatchObject({ name: 'lag', toxicity: 1, attributes: { latency: 300, jitter: 5 } });
    expect((await api('PATCH', '/proxies/echo/toxics/lag', { toxicity: 0.5 })).json).toMatchObject({
      toxicity: 0.5,
    });
    expect((await api('DELETE', '/proxies/echo/toxics/lag')).status).toBe(204);
    const again = await api('DELETE', '/proxies/echo/toxics/lag');
    expect([again.status, again.json]).toEqual([404, { error: 'toxic not found', status: 404 }]);
    const upd = await api('POST', '/proxies/echo/toxics/lag', { toxicity: 1 });
    expect([upd.status, upd.json]).toEqual([404, { error: 'toxic not found', status: 404 }]);
  });

  const bad: Array<[string, unknown, number, string | RegExp]> = [
    ['an unknown toxic type is refused', { type: 'latncy' }, 400, /^invalid toxic type/],
    [
      'a bad stream is refused',
      { type: 'latency', stream: 'sideways' },
      400,
      'stream was invalid, can be either upstream or downstream',
    ],
    [
      'negative latency is refused',
      { type: 'latency', attributes: { latency: -1 } },
      400,
      /^bad request body: latency latency must be a whole number/,
    ],
    [
      'latency over an hour is refused',
      { type: 'latency', attributes: { latency: 7_200_000 } },
      400,
      /from 0 to 3600000/,
    ],
    ['toxicity 2 is refused', { type: 'latency', toxicity: 2 }, 400, /toxicity must be a number from 0 to 1/],
    [
      'a non-numeric attribute is refused',
      { type: 'bandwidth', attributes: { rate: 'fast' } },
      400,
      /rate must be a whole number/,
    ],
  ];
  it.each(bad)('%s, and nothing is added', async (_name, body, status, message) => {
    await t.client.createProxy({ name: 'echo', upstream: echo.address });
    const r = await api('POST', '/proxies/echo/toxics', body);
    expect(r.status).toBe(status);
    expect(r.json).toEqual({ error: expect.stringMatching(message), status });
    expect(await t.client.toxics('echo')).toEqual([]);
  });

  it('with a name taken answer 409 toxic already exists', async () => {
    await t.client.createProxy({ name: 'echo', upstream: echo.address });
    await t.client.addToxic('echo', { type: 'latency' });
    const r = await api('POST', '/proxies/echo/toxics', { type: 'latency', attributes: { latency: 5 } });
    expect([r.status, r.json]).toEqual([409, { error: 'toxic already exists', status: 409 }]);
  });

  it('are all removed, and every proxy enabled, by POST /reset', async () => {
    await t.client.createProxy({ name: 'a', upstream: echo.address });
    await t.client.createProxy({ name: 'b', upstream: echo.address, enabled: false });
    await t.client.addToxic('a', { type: 'latency' });
    const r = await api('POST', '/reset');
    expect(r.status).toBe(204);
    const all = await t.client.proxies();
    expect(Object.values(all).map((p) => [p.name, p.enabled, p.toxics.length])).toEqual([
      ['a', true, 0],
      ['b', true, 0],
    ]);
  });
});

describe('populate', () => {
  it('creates the proxies of a list with 201 and keeps an unchanged one as it is', async () => {
    const first = await api('POST', '/populate', [
      { name: 'a', listen: '127.0.0.1:0', upstream: echo.address },
      { name: 'b', listen: '127.0.0.1:0', upstream: echo.address, enabled: false },
    ]);
    expect(first.status).toBe(201);
    const proxies = (first.json as { proxies: Array<{ name: string; listen: string; enabled: boolean }> })
      .proxies;
    expect(proxies.map((p) => [p.name, p.enabled])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    const a = proxies[0]!;
    await t.client.addToxic('a', { type: 'latency' });
    // Same listen (as bound) and upstream: kept, toxics and all.
    const again = await api('POST', '/populate', [{ name: 'a', listen: a.listen, upstream: echo.address }]);
    expect(again.status).toBe(201);
    expect((await t.client.proxy('a')).toxics.length).toBe(1);
  });

  it('with one bad entry creates nothing and names the entry', async () => {
    const r = await api('POST', '/populate', [
      { name: 'good', upstream: echo.address },
      { name: 'bad', listen: '127.0.0.1:0' },
    ]);
    expect([r.status, r.json]).toEqual([
      400,
      { error: 'missing required field: upstream at proxy 2 (bad)', status: 400, proxies: [] },
    ]);
    expect(await t.client.proxies()).toEqual({});
  });

  it('with one entry on a port in use creates nothing and frees the ports it bound', async () => {
    const free = await freePort();
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const { port } = busy.address() as AddressInfo;
    try {
      const r = await api('POST', '/populate', [
        { name: 'first', listen: `127.0.0.1:${free}`, upstream: echo.address },
        { name: 'clash', listen: `127.0.0.1:${port}`, upstream: echo.address },
      ]);
      expect(r.status).toBe(500);
      expect((r.json as { error: string }).error).toBe(
        `listen tcp 127.0.0.1:${port}: bind: address already in use at proxy 2 (clash)`,
      );
      expect(await t.client.proxies()).toEqual({});
      expect(await connectError(`127.0.0.1:${free}`)).toBe('ECONNREFUSED');
    } finally {
      busy.close();
    }
  });

  it('replaces a proxy whose upstream changed, on the same port', async () => {
    const other = await startEcho();
    try {
      const [a] = await t.client.populate([{ name: 'a', upstream: echo.address }]);
      await t.client.addToxic('a', { type: 'latency' });
      const [b] = await t.client.populate([{ name: 'a', listen: a!.listen, upstream: other.address }]);
      expect(b).toEqual({ name: 'a', listen: a!.listen, upstream: other.address, enabled: true, toxics: [] });
      const c = await probe(b!.listen);
      await c.roundTrip('x');
      expect(other.accepted()).toBe(1);
      c.socket.destroy();
    } finally {
      await other.close();
    }
  });
});

describe('requests', () => {
  it('from a browser are refused, as Toxiproxy refuses them', async () => {
    const r = await api('GET', '/proxies', undefined, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' });
    expect(r.status).toBe(403);
  });

  it('with a form content type are still read as JSON, as curl -d sends them', async () => {
    const r = await api('POST', '/proxies', undefined, {});
    expect(r.status).toBe(400);
    const res = await fetch(`${t.daemon.url}/proxies`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ name: 'curl', upstream: echo.address }),
    });
    expect(res.status).toBe(201);
  });

  it('to an unknown route answer 404 in the error shape', async () => {
    const r = await api('GET', '/nope');
    expect(r.json).toEqual({ error: 'no route GET /nope', status: 404 });
  });
});
