/**
 * An existing Toxiproxy client, the toxiproxy-node-client package, used
 * unchanged against the daemon: every call it exposes (version, create, get,
 * list, update, disable, toxics add/get/update/remove, reset, populate,
 * remove) works, and the toxics it sets act on real traffic.
 */
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('toxiproxy-node-client, unchanged, against the daemon', () => {
  it('creates, lists, updates, disables and removes proxies and toxics, populates and resets', async () => {
    const toxiproxy = new Toxiproxy(t.daemon.url);
    expect(await toxiproxy.getVersion()).toMatch(/"version"/);

    const proxy = await toxiproxy.createProxy({
      name: 'echo',
      listen: '127.0.0.1:0',
      upstream: echo.address,
    });
    expect([proxy.name, proxy.upstream, proxy.enabled]).toEqual(['echo', echo.address, true]);
    expect(Object.keys(await toxiproxy.getAll())).toEqual(['echo']);
    const fetched = await toxiproxy.get('echo');
    expect(fetched.listen).toBe(proxy.listen);

    const toxic = await proxy.addToxic({
      name: 'lag',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 300, jitter: 0 },
    });
    expect(toxic.toJson()).toEqual({
      name: 'lag',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 300, jitter: 0 },
    });
    const c = await probe(proxy.listen);
    expect(await c.roundTrip('x')).toBeGreaterThanOrEqual(270);

    const updated = await toxic.update({ ...toxic.toJson(), attributes: { latency: 500, jitter: 0 } });
    expect(updated.attributes).toEqual({ latency: 500, jitter: 0 });
    expect((await proxy.getToxic('lag')).attributes).toEqual({ latency: 500, jitter: 0 });
    expect(await c.roundTrip('y')).toBeGreaterThanOrEqual(470);

    await updated.remove();
    expect(await c.roundTrip('z')).toBeLessThan(250);
    c.socket.destroy();

    const down = await proxy.update({ enabled: false, listen: proxy.listen, upstream: echo.address });
    expect(down.enabled).toBe(false);
    expect(await connectError(proxy.listen)).toBe('ECONNREFUSED');

    await proxy.addToxic({
      name: 'slow',
      type: 'bandwidth',
      stream: 'upstream',
      toxicity: 1,
      attributes: { rate: 10 },
    });
    await toxiproxy.reset();
    const reset = await toxiproxy.get('echo');
    expect(reset.enabled).toBe(true);
    expect(await t.client.toxics('echo')).toEqual([]);

    const populated = await toxiproxy.populate([
      { name: 'echo', listen: proxy.listen, upstream: echo.address },
      { name: 'second', listen: '127.0.0.1:0', upstream: echo.address },
    ]);
    expect(Object.keys(populated).sort()).toEqual(['echo', 'second']);

    await populated.second!.remove();
    await expect(toxiproxy.get('second')).rejects.toThrow(/404/);
    await expect(
      proxy.addToxic({
        name: 'x',
        type: 'latency',
        stream: 'downstream',
        toxicity: 7,
        attributes: { latency: 1, jitter: 0 },
      }),
    ).rejects.toThrow(/400/);
  });
});
