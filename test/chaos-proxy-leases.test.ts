/**
 * Fault leases end to end: toxics bound to a lease go when it lapses, is
 * released or halted, and traffic is normal again; the lease keeper renews
 * and notices a lost lease; other fault kinds plug in through the registry
 * and a route plugin; the dry run checks toxics without adding them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FaultDaemonError, type FaultDaemonPlugin, LeaseKeeper } from '../src/chaos/daemon/index.ts';
import { type Echo, probe, sleep, startDaemon, startEcho, type TestDaemon } from './chaos-proxy-harness.ts';

let echo: Echo;
let t: TestDaemon;
let listen: string;

/** A demo fault kind mounted as a plugin: faults are names in a set, created through its own route. */
const demoFaults = new Set<string>();
const demoPlugin: FaultDaemonPlugin = async (app, { registry }) => {
  registry.register({
    kind: 'demo',
    revert: async (id) => {
      demoFaults.delete(id);
    },
    list: () => [...demoFaults],
  });
  app.post<{ Body: { id: string; lease: string } }>('/ballast/v1/demo', async (req, reply) => {
    if (!registry.lease(req.body.lease))
      return reply.code(404).send({ error: 'lease not found', status: 404 });
    demoFaults.add(req.body.id);
    registry.bind(req.body.lease, { kind: 'demo', id: req.body.id });
    return reply.code(201).send({ id: req.body.id });
  });
};

beforeAll(async () => {
  echo = await startEcho();
  t = await startDaemon({ plugins: [demoPlugin] });
  listen = (await t.client.createProxy({ name: 'echo', upstream: echo.address })).listen;
});

afterAll(async () => {
  await t.close();
  await echo.close();
});

afterEach(async () => {
  await t.client.halt({ all: true });
});

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (err) {
    if (err instanceof FaultDaemonError) return err.status;
    throw err;
  }
}

describe('a lease', () => {
  it('is created with 201 in the lease shape and listed with its faults', async () => {
    const res = await fetch(`${t.daemon.url}/ballast/v1/leases`, {
      method: 'POST',
      body: JSON.stringify({ holder: 'exp-1', ttl_ms: 5_000 }),
    });
    expect(res.status).toBe(201);
    const lease = (await res.json()) as { id: string; expires_at: string };
    expect(lease).toEqual({
      id: expect.any(String),
      holder: 'exp-1',
      ttl_ms: 5_000,
      expires_at: expect.any(String),
    });
    expect(Date.parse(lease.expires_at)).toBeGreaterThan(Date.now() + 3_000);
    const toxic = await t.client.addToxic('echo', {
      type: 'latency',
      attributes: { latency: 10 },
      lease: lease.id,
    });
    expect(toxic.lease).toBe(lease.id);
    expect((await t.client.toxic('echo', 'latency_downstream')).lease).toBe(lease.id);
    expect(await t.client.leases()).toEqual([
      {
        ...lease,
        expires_at: expect.any(String),
        faults: [{ kind: 'toxic', id: 'echo/latency_downstream' }],
      },
    ]);
    expect(await t.client.faults()).toEqual([
      { kind: 'toxic', id: 'echo/latency_downstream', lease: lease.id },
    ]);
  });

  it('with a TTL under a second or over an hour is refused', async () => {
    for (const ttlMs of [500, 3_600_001]) {
      const err = await t.client.createLease({ holder: 'x', ttlMs }).catch((e: FaultDaemonError) => e);
      expect(err).toBeInstanceOf(FaultDaemonError);
      expect((err as FaultDaemonError).status).toBe(400);
      expect((err as FaultDaemonError).body.error).toMatch(
        /ttl_ms must be a whole number of milliseconds from 1000 to 3600000/,
      );
    }
  });

  it('that is unknown cannot take a toxic, and nothing is created', async () => {
    const err = await t.client
      .addToxic('echo', { type: 'latency', lease: 'no-such-lease' })
      .catch((e: FaultDaemonError) => e);
    expect((err as FaultDaemonError).status).toBe(404);
    expect((err as FaultDaemonError).body.error).toMatch(/^lease not found: no-such-lease/);
    expect(await t.client.toxics('echo')).toEqual([]);
  });

  it('not renewed lapses within about 1.5 s: its toxic is gone, logged, and traffic is normal', async () => {
    const lease = await t.client.createLease({ holder: 'crashed-controller', ttlMs: 1_000 });
    await t.client.addToxic('echo', {
      name: 'lag',
      type: 'latency',
      attributes: { latency: 300 },
      lease: lease.id,
    });
    await t.client.addToxic('echo', { name: 'plain', type: 'slow_close', attributes: { delay: 1 } });
    const p = await probe(listen);
    expect(await p.roundTrip('x')).toBeGreaterThanOrEqual(270);
    await sleep(1_500);
    expect((await t.client.toxics('echo')).map((x) => x.name)).toEqual(['plain']);
    expect(await p.roundTrip('y')).toBeLessThan(250);
    expect(t.lines).toContain(`lease ${lease.id} (crashed-controller) lapsed: reverted toxic echo/lag`);
    expect(await status(t.client.renewLease(lease.id))).toBe(404);
    p.socket.destroy();
  });

  it('renewed keeps its toxic past its TTL', async () => {
    const lease = await t.client.createLease({ holder: 'alive', ttlMs: 1_000 });
    await t.client.addToxic('echo', { type: 'latency', attributes: { latency: 50 }, lease: lease.id });
    for (let i = 0; i < 5; i++) {
      await sleep(400);
      await t.client.renewLease(lease.id);
    }
    expect((await t.client.toxics('echo')).length).toBe(1);
  });

  it('released with DELETE reverts its faults, says which, and is gone', async () => {
    const lease = await t.client.createLease({ holder: 'done', ttlMs: 60_000 });
    await t.client.addToxic('echo', { name: 'a', type: 'latency', lease: lease.id });
    await t.client.addToxic('echo', { name: 'b', type: 'timeout', stream: 'upstream', lease: lease.id });
    const released = await t.client.releaseLease(lease.id);
    expect(released.reverted).toEqual([
      { kind: 'toxic', id: 'echo/a' },
      { kind: 'toxic', id: 'echo/b' },
    ]);
    expect(released.failed).toEqual([]);
    expect(await t.client.toxics('echo')).toEqual([]);
    expect(await status(t.client.releaseLease(lease.id))).toBe(404);
    expect(await status(t.client.renewLease(lease.id))).toBe(404);
  });

  it('forgets a toxic deleted directly, so its release reverts nothing', async () => {
    const lease = await t.client.createLease({ holder: 'x', ttlMs: 60_000 });
    await t.client.addToxic('echo', { name: 'a', type: 'latency', lease: lease.id });
    await t.client.removeToxic('echo', 'a');
    expect((await t.client.lease(lease.id)).faults).toEqual([]);
    // The same name again, unleased, is not the lease's to revert.
    await t.client.addToxic('echo', { name: 'a', type: 'latency' });
    expect((await t.client.releaseLease(lease.id)).reverted).toEqual([]);
    expect((await t.client.toxics('echo')).map((x) => x.name)).toEqual(['a']);
  });

  it('holds faults of other kinds too: a plugin’s fault goes when the lease lapses', async () => {
    const lease = await t.client.createLease({ holder: 'plugin', ttlMs: 1_000 });
    const res = await fetch(`${t.daemon.url}/ballast/v1/demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'demo-1', lease: lease.id }),
    });
    expect(res.status).toBe(201);
    expect((await t.client.lease(lease.id)).faults).toEqual([{ kind: 'demo', id: 'demo-1' }]);
    await sleep(1_500);
    expect(demoFaults.has('demo-1')).toBe(false);
    expect(t.lines).toContain(`lease ${lease.id} (plugin) lapsed: reverted demo demo-1`);
  });
});

describe('halt', () => {
  it('reverts leased faults of every kind and releases every lease; a second halt finds nothing', async () => {
    const a = await t.client.createLease({ holder: 'a', ttlMs: 60_000 });
    const b = await t.client.createLease({ holder: 'b', ttlMs: 60_000 });
    await t.client.addToxic('echo', { name: 'leased', type: 'latency', lease: a.id });
    await t.client.addToxic('echo', { name: 'plain', type: 'latency', stream: 'upstream' });
    await fetch(`${t.daemon.url}/ballast/v1/demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'demo-2', lease: b.id }),
    });
    const first = await t.client.halt();
    expect([first.released_leases, first.reverted_faults]).toEqual([2, 2]);
    expect(demoFaults.has('demo-2')).toBe(false);
    expect((await t.client.toxics('echo')).map((x) => x.name)).toEqual(['plain']);
    expect(await t.client.leases()).toEqual([]);
    const second = await t.client.halt();
    expect([second.released_leases, second.reverted_faults]).toEqual([0, 0]);
  });

  it('with all also removes toxics that have no lease', async () => {
    await t.client.addToxic('echo', { name: 'plain', type: 'latency' });
    const r = await t.client.halt({ all: true });
    expect(r.reverted).toEqual([{ kind: 'toxic', id: 'echo/plain' }]);
    expect(await t.client.toxics('echo')).toEqual([]);
    expect((await t.client.halt({ all: true })).reverted_faults).toBe(0);
  });
});

describe('LeaseKeeper', () => {
  it('renews every ttl/3, so the lease outlives its TTL, and releases it on stop', async () => {
    const keeper = new LeaseKeeper(t.client, { holder: 'keeper', ttlMs: 1_000 });
    const lease = await keeper.start();
    await t.client.addToxic('echo', { type: 'latency', lease: lease.id });
    await sleep(1_800);
    expect(keeper.lost).toBe(false);
    expect((await t.client.toxics('echo')).length).toBe(1);
    const released = await keeper.stop();
    expect(released?.reverted).toEqual([{ kind: 'toxic', id: 'echo/latency_downstream' }]);
    expect(await t.client.toxics('echo')).toEqual([]);
  });

  it('reports a lease lost when a renewal answers 404, and aborts its signal', async () => {
    const lost: string[] = [];
    const keeper = new LeaseKeeper(t.client, {
      holder: 'keeper',
      ttlMs: 1_000,
      onLost: (lease, err) => lost.push(`${lease.id} ${err.status}`),
    });
    const lease = await keeper.start();
    // Someone else (an operator's halt) takes the lease away.
    await t.client.halt();
    await sleep(600);
    expect(lost).toEqual([`${lease.id} 404`]);
    expect(keeper.signal.aborted).toBe(true);
    expect(await keeper.stop()).toBeUndefined();
  });
});

describe('validate', () => {
  it('accepts good toxics without adding them', async () => {
    const r = await t.client.validateToxics([{ proxy: 'echo', type: 'latency', attributes: { latency: 5 } }]);
    expect(r).toEqual({
      ok: true,
      toxics: [
        {
          proxy: 'echo',
          name: 'latency_downstream',
          type: 'latency',
          stream: 'downstream',
          toxicity: 1,
          attributes: { latency: 5, jitter: 0 },
        },
      ],
    });
    expect(await t.client.toxics('echo')).toEqual([]);
  });

  it('lists every bad entry with its index', async () => {
    await t.client.addToxic('echo', { name: 'taken', type: 'latency' });
    const err = await t.client
      .validateToxics([
        { proxy: 'echo', type: 'latency' },
        { proxy: 'nope', type: 'latency' },
        { proxy: 'echo', type: 'latency', toxicity: 2 },
        { proxy: 'echo', name: 'taken', type: 'latency' },
        { proxy: 'echo', type: 'latency' },
      ])
      .catch((e: FaultDaemonError) => e);
    expect((err as FaultDaemonError).status).toBe(400);
    expect((err as FaultDaemonError).body.issues).toEqual([
      { index: 1, error: 'proxy not found', status: 404 },
      { index: 2, error: expect.stringMatching(/toxicity/), status: 400 },
      { index: 3, error: 'toxic already exists', status: 409 },
      { index: 4, error: 'toxic already exists', status: 409 },
    ]);
    expect((await t.client.toxics('echo')).map((x) => x.name)).toEqual(['taken']);
  });
});
