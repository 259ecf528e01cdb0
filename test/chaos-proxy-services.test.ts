/**
 * Real services through the fault proxy: the local PostgreSQL with
 * postgres.js and the local Redis with ioredis. A toxic shows up in their
 * clients as it would in production (slow queries, reset connections, a
 * slow large value), and removing it restores normal service.
 */
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from './chaos-proxy-harness.ts';

const PG = { host: '127.0.0.1', port: 5432 };
const REDIS = { host: '127.0.0.1', port: 6379 };

let t: TestDaemon;

beforeAll(async () => {
  t = await startDaemon();
});

afterAll(async () => {
  await t.close();
});

/** The median time of `n` runs of `work`, in ms. */
async function median(n: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)] as number;
}

function hostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i), port: Number(listen.slice(i + 1)) };
}

describe('PostgreSQL through the proxy', () => {
  let sql: postgres.Sql;

  beforeAll(async () => {
    const proxy = await t.client.createProxy({ name: 'pg', upstream: `${PG.host}:${PG.port}` });
    sql = postgres({
      ...hostPort(proxy.listen),
      user: 'postgres',
      database: 'postgres',
      max: 1,
      onnotice: () => {},
    });
    await sql`select 1`;
  });

  afterAll(async () => {
    await sql.end({ timeout: 5 });
  });

  it('takes at least 180 ms more per query under 200 ms of downstream latency, and is normal once it goes', async () => {
    const before = await median(5, () => sql`select 1`);
    await t.client.addToxic('pg', { name: 'lag', type: 'latency', attributes: { latency: 200 } });
    const slow = await median(3, () => sql`select 1`);
    expect(slow - before).toBeGreaterThanOrEqual(180);
    await t.client.removeToxic('pg', 'lag');
    const after = await median(5, () => sql`select 1`);
    expect(after).toBeLessThan(150);
  });

  it('gets a connection error under reset_peer, and works again once it goes', async () => {
    await t.client.addToxic('pg', { name: 'rst', type: 'reset_peer', attributes: { timeout: 0 } });
    const err = await sql`select 1`.catch((e: NodeJS.ErrnoException) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as NodeJS.ErrnoException).code ?? (err as Error).message)).toMatch(
      /ECONNRESET|CONNECTION_CLOSED|CONNECTION_ENDED/,
    );
    await t.client.removeToxic('pg', 'rst');
    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
  });
});

describe('Redis through the proxy', () => {
  let redis: Redis;
  let direct: Redis;
  const key = `ballast:chaos-proxy-test:${process.pid}`;

  beforeAll(async () => {
    const proxy = await t.client.createProxy({ name: 'redis', upstream: `${REDIS.host}:${REDIS.port}` });
    const options = { maxRetriesPerRequest: 1, retryStrategy: () => 50, lazyConnect: true };
    redis = new Redis({ ...hostPort(proxy.listen), ...options });
    direct = new Redis({ ...REDIS, ...options });
    await Promise.all([redis.connect(), direct.connect()]);
    // 1 MB straight into Redis, read back through the proxy below.
    await direct.set(key, 'x'.repeat(1_000_000));
  });

  afterAll(async () => {
    await direct.del(key);
    redis.disconnect();
    direct.disconnect();
  });

  it('answers PING at least 180 ms later under 200 ms of latency', async () => {
    const before = await median(5, () => redis.ping());
    await t.client.addToxic('redis', { name: 'lag', type: 'latency', attributes: { latency: 200 } });
    const slow = await median(3, () => redis.ping());
    expect(slow - before).toBeGreaterThanOrEqual(180);
    await t.client.removeToxic('redis', 'lag');
    expect(await median(3, () => redis.ping())).toBeLessThan(150);
  });

  it('stalls a command under timeout 0 until the toxic goes', async () => {
    await t.client.addToxic('redis', {
      name: 'hold',
      type: 'timeout',
      stream: 'upstream',
      attributes: { timeout: 0 },
    });
    const ping = redis.ping().then(
      (pong) => pong,
      (err: Error) => `failed: ${err.message}`,
    );
    const outcome = await Promise.race([
      ping,
      new Promise((resolve) => setTimeout(() => resolve('stalled'), 500)),
    ]);
    expect(outcome).toBe('stalled');
    await t.client.removeToxic('redis', 'hold');
    // Removal closes the held connection; ioredis reconnects and sends the command again.
    expect(await ping).toBe('PONG');
    expect(await redis.ping()).toBe('PONG');
  });

  it('takes a megabyte value at least 0.8 s under 1000 KB/s of bandwidth', async () => {
    const fast = await median(3, () => redis.getBuffer(key));
    await t.client.addToxic('redis', { name: 'thin', type: 'bandwidth', attributes: { rate: 1_000 } });
    const start = performance.now();
    const value = await redis.getBuffer(key);
    const slow = performance.now() - start;
    expect(value?.length).toBe(1_000_000);
    // 1 000 000 bytes at 1 000 000 bytes/s: one second.
    expect(slow).toBeGreaterThanOrEqual(800);
    expect(slow).toBeGreaterThan(fast * 3);
    await t.client.removeToxic('redis', 'thin');
  });
});
