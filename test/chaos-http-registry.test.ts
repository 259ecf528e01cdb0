/**
 * The registry of named HTTP fault proxies, as a daemon's JSON routes and the
 * fault-lease reaper use it: create from JSON, look up, revert rules at any
 * time, delete. Real proxies in front of a real local upstream.
 */
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpFaultError, HttpFaultProxies, type HttpFaultProxyConfig } from '../src/chaos/http/index.ts';
import { startUpstream, type TestUpstream } from '../src/chaos/http/testing.ts';

let upstream: TestUpstream;
const agent = new Agent();
const proxies = new HttpFaultProxies();

beforeAll(async () => {
  upstream = await startUpstream();
});

afterAll(async () => {
  await proxies.closeAll();
  await agent.close();
  await upstream.close();
});

async function status(url: string): Promise<number> {
  const r = await request(url, { dispatcher: agent });
  await r.body.dump();
  return r.statusCode;
}

async function rejection(p: Promise<unknown>): Promise<HttpFaultError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HttpFaultError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('HttpFaultProxies', () => {
  it('a proxy created from JSON, rules included, serves and is listed by name', async () => {
    const json = JSON.parse(`{
      "name": "checkout",
      "listen": "127.0.0.1:0",
      "upstream": "${upstream.url}",
      "rules": [{ "id": "pay-down", "match": { "path": "/pay" }, "abort": { "status": 503 } }]
    }`) as HttpFaultProxyConfig;
    const p = await proxies.create(json);
    expect(proxies.get('checkout')).toBe(p);
    expect(p.info()).toEqual({
      name: 'checkout',
      listen: '127.0.0.1:0',
      url: p.url,
      upstream: upstream.url,
      rules: [{ id: 'pay-down', match: { path: '/pay' }, percentage: 100, abort: { status: 503 } }],
    });
    expect(await status(`${p.url}/pay`)).toBe(503);
    expect(await status(`${p.url}/cart`)).toBe(200);
    await proxies.create({ name: 'another', listen: '127.0.0.1:0', upstream: upstream.url });
    expect(proxies.list().map((x) => x.name)).toEqual(['another', 'checkout']);
    expect(await proxies.delete('another')).toBe(true);
  });

  it('revertRule ends a fault and is safe to repeat, for a gone rule or a gone proxy', async () => {
    const p = await proxies.create({ name: 'leased', listen: '127.0.0.1:0', upstream: upstream.url });
    const rule = p.addRule({ abort: { status: 500 } });
    expect(await status(`${p.url}/`)).toBe(500);
    expect(proxies.revertRule('leased', rule.id)).toBe(true);
    expect(await status(`${p.url}/`)).toBe(200);
    expect(proxies.revertRule('leased', rule.id)).toBe(false);
    expect(proxies.revertRule('leased', 'never-was')).toBe(false);
    expect(proxies.revertRule('no-such-proxy', rule.id)).toBe(false);
    await proxies.delete('leased');
    expect(proxies.revertRule('leased', rule.id)).toBe(false);
  });

  it('a name already taken is a conflict, even while the first create is still starting', async () => {
    const config = { name: 'twice', listen: '127.0.0.1:0', upstream: upstream.url };
    const [first, second] = await Promise.allSettled([proxies.create(config), proxies.create(config)]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const err = (second as PromiseRejectedResult).reason as HttpFaultError;
    expect(err.code).toBe('conflict');
    expect(err.issues).toEqual([{ path: 'name', message: 'is already taken' }]);
    expect(proxies.list().filter((p) => p.name === 'twice')).toHaveLength(1);
  });

  it('an invalid config is refused with every bad field, rules under their index', async () => {
    const err = await rejection(
      proxies.create({
        name: 'bad',
        listen: 'nowhere',
        upstream: 'http://127.0.0.1:1/path',
        rules: [{ percentage: 150, abort: { status: 42 } }],
      }),
    );
    expect(err.code).toBe('invalid_config');
    expect(err.issues.map((i) => i.path).sort()).toEqual([
      'listen',
      'rules[0].abort.status',
      'rules[0].percentage',
      'upstream',
    ]);
    expect(proxies.get('bad')).toBeUndefined();
  });

  it('initial rules that share an id are refused', async () => {
    const err = await rejection(
      proxies.create({
        name: 'dup-rules',
        listen: '127.0.0.1:0',
        upstream: upstream.url,
        rules: [
          { id: 'a', abort: { status: 500 } },
          { id: 'a', delay: { ms: 1 } },
        ],
      }),
    );
    expect(err.code).toBe('invalid_config');
    expect(err.issues).toEqual([{ path: 'rules[1].id', message: 'is already taken' }]);
  });

  it('a port already in use is listen_failed, and the name stays free', async () => {
    const holder = await proxies.create({ name: 'holder', listen: '127.0.0.1:0', upstream: upstream.url });
    const err = await rejection(
      proxies.create({
        name: 'squatter',
        listen: `127.0.0.1:${holder.address.port}`,
        upstream: upstream.url,
      }),
    );
    expect(err.code).toBe('listen_failed');
    expect(err.message).toContain('EADDRINUSE');
    expect(proxies.get('squatter')).toBeUndefined();
    const retry = await proxies.create({ name: 'squatter', listen: '127.0.0.1:0', upstream: upstream.url });
    expect(retry.address.port).not.toBe(holder.address.port);
  });

  it('a deleted proxy stops listening; deleting it again is false', async () => {
    const p = await proxies.create({ name: 'gone', listen: '127.0.0.1:0', upstream: upstream.url });
    expect(await status(`${p.url}/`)).toBe(200);
    expect(await proxies.delete('gone')).toBe(true);
    await expect(request(`${p.url}/`, { dispatcher: agent })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await proxies.delete('gone')).toBe(false);
  });
});
