/**
 * Check routes and the monitor's housekeeping on a real server: "run now"
 * goes through the scheduler's concurrency cap, artifacts are served only to
 * the check whose result names them, a maintenance window shows on the
 * status page, and old raw results are pruned while the daily uptime stays.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/checks/index.ts';
import { type RunningServer, startServer } from '../src/server/index.ts';
import { closeServer, listen } from './helpers/servers.ts';

const ADMIN = 'routes-admin-token';
const DAY = 86_400_000;

let target: Server;
let base = '';
let inFlight = 0;
let maxInFlight = 0;
let dir = '';
let artifacts = '';
let server: RunningServer;

function specs(url: string): string {
  const service = (name: string) =>
    `apiVersion: openslo/v1\nkind: Service\nmetadata: { name: ${name} }\nspec: { description: ${name} }\n`;
  // Paused: nothing runs on a schedule, "run now" still runs them.
  const paused = (name: string, svc: string, path: string) =>
    `apiVersion: ballast.dev/v1\nkind: Check\nmetadata: { name: ${name} }\nspec: { service: ${svc}, type: http, enabled: false, timeout: 10s, http: { url: "${url}${path}" } }\n`;
  const hourly = (name: string, svc: string) =>
    `apiVersion: ballast.dev/v1\nkind: Check\nmetadata: { name: ${name} }\nspec: { service: ${svc}, type: http, every: 1h, http: { url: "${url}/" } }\n`;
  return [
    service('cap'),
    paused('cap-a', 'cap', '/hold'),
    paused('cap-b', 'cap', '/hold'),
    paused('cap-c', 'cap', '/hold'),
    service('art'),
    paused('art-a', 'art', '/'),
    paused('art-b', 'art', '/'),
    service('maint'),
    hourly('maint-web', 'maint'),
    service('later'),
    hourly('later-web', 'later'),
    service('ret'),
    hourly('ret-web', 'ret'),
  ].join('---\n');
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.headers ?? {}),
    },
  });
}

function result(
  check: string,
  service: string,
  startedAt: number,
  over: Partial<CheckResult> = {},
): CheckResult {
  return {
    check,
    service,
    type: 'http',
    location: 'local',
    startedAt,
    durationMs: 5,
    status: 'pass',
    conditions: [],
    phases: {},
    attempts: 1,
    ...over,
  };
}

/** Polls `probe` until it returns a value (bounded: 20 s). */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  target = createServer((req, res) => {
    if (req.url !== '/hold') {
      res.end('ok');
      return;
    }
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // Long enough that executions started together would overlap here.
    setTimeout(() => {
      inFlight--;
      res.end('held');
    }, 200);
  });
  base = `http://127.0.0.1:${await listen(target)}`;
  dir = await mkdtemp(join(tmpdir(), 'ballast-check-routes-'));
  artifacts = join(dir, 'artifacts');
  await mkdir(artifacts);
  await writeFile(join(dir, 'specs.yaml'), specs(base));
  server = await startServer({
    port: 0,
    inMemory: true,
    specsDir: dir,
    adminToken: ADMIN,
    artifactsDir: artifacts,
    checkConcurrency: 1,
    resultRetentionMs: 30 * DAY,
    pruneEveryMs: 200,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (target) await closeServer(target);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('check routes', () => {
  it('runs checks on demand within the concurrency cap (one at a time here), each result stored', async () => {
    const runs = await Promise.all(
      ['cap-a', 'cap-b', 'cap-c'].map((name) => api(`/api/v1/checks/${name}/run`, { method: 'POST' })),
    );
    const bodies = (await Promise.all(runs.map((r) => r.json()))) as {
      id: number;
      check: string;
      status: string;
    }[];
    expect(runs.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(bodies.map((b) => [b.check, b.status])).toEqual([
      ['cap-a', 'pass'],
      ['cap-b', 'pass'],
      ['cap-c', 'pass'],
    ]);
    expect(maxInFlight).toBe(1);
    for (const b of bodies) expect((await server.store.getCheckResult(b.id))?.check).toBe(b.check);
  });

  it('serves an artifact only to the check whose result names it, and no path outside the directory', async () => {
    await writeFile(join(artifacts, 'browser-a.png'), 'png of a');
    await writeFile(join(artifacts, 'browser-b.png'), 'png of b');
    await writeFile(join(artifacts, 'stray.png'), 'nobody wrote me');
    await writeFile(join(dir, 'secret.png'), 'outside the artifacts directory');
    await server.context.checks.record(
      result('art-a', 'art', Date.now(), { status: 'fail', artifacts: { screenshot: 'browser-a.png' } }),
    );
    await server.context.checks.record(
      result('art-b', 'art', Date.now(), { status: 'fail', artifacts: { screenshot: 'browser-b.png' } }),
    );
    const own = await api('/api/v1/checks/art-a/artifacts/browser-a.png');
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('image/png');
    expect(await own.text()).toBe('png of a');
    for (const path of [
      '/api/v1/checks/art-a/artifacts/browser-b.png',
      '/api/v1/checks/art-a/artifacts/stray.png',
      '/api/v1/checks/art-a/artifacts/..%2Fsecret.png',
      '/api/v1/checks/art-a/artifacts/%2E%2E%2Fsecret.png',
      '/api/v1/checks/art-a/artifacts/..%5Csecret.png',
    ]) {
      const res = await api(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(await res.text()).not.toContain('outside the artifacts directory');
    }
  });

  it('shows a service in an active maintenance window as under maintenance on its status page', async () => {
    const before = (await (await fetch(`${server.url}/api/v1/status/maint`)).json()) as {
      components: { name: string; status: string }[];
    };
    expect(before.components.map((c) => c.status)).not.toContain('under_maintenance');
    const end = Date.now() + 2 * 3_600_000;
    const opened = await api('/api/v1/services/maint/maintenance', {
      method: 'POST',
      body: JSON.stringify({ end, reason: 'database upgrade' }),
    });
    expect(opened.status).toBe(201);
    // A window that starts later changes nothing yet.
    const later = await api('/api/v1/services/later/maintenance', {
      method: 'POST',
      body: JSON.stringify({ start: Date.now() + 3_600_000, end: Date.now() + 7_200_000 }),
    });
    expect(later.status).toBe(201);

    const page = (await (await fetch(`${server.url}/api/v1/status/maint`)).json()) as {
      status: { indicator: string };
      components: { name: string; status: string; maintenanceUntil?: number }[];
    };
    expect(page.components).toEqual([
      expect.objectContaining({ name: 'maint-web', status: 'under_maintenance', maintenanceUntil: end }),
    ]);
    expect(page.status.indicator).toBe('maintenance');
    const html = await (await fetch(`${server.url}/status/maint`)).text();
    expect(html).toContain(`Under maintenance until <time>${new Date(end).toISOString()}</time>`);
    const other = (await (await fetch(`${server.url}/api/v1/status/later`)).json()) as {
      components: { status: string }[];
    };
    expect(other.components.map((c) => c.status)).not.toContain('under_maintenance');
  });

  it('prunes raw results past the retention while recent ones and the daily uptime bars stay', async () => {
    const now = Date.now();
    const ages = [60, 45, 10, 1];
    for (const d of ages)
      await server.context.checks.record(
        result('ret-web', 'ret', now - d * DAY, d === 60 ? { status: 'fail', reason: 'down' } : {}),
      );
    const kept = await eventually('the old results to be pruned', async () => {
      const rows = await server.store.listCheckResults('ret-web', { limit: 100 });
      return rows.some((r) => r.startedAt < now - 30 * DAY) ? undefined : rows;
    });
    const recorded = kept.filter((r) => ages.some((d) => r.startedAt === now - d * DAY));
    expect(recorded.map((r) => Math.round((now - r.startedAt) / DAY))).toEqual([1, 10]);

    const page = (await (await fetch(`${server.url}/api/v1/status/ret`)).json()) as {
      components: { uptime: { days: { date: string; fail: number; total: number }[] } }[];
    };
    const day = (d: number) => new Date(now - d * DAY).toISOString().slice(0, 10);
    const bars = new Map(page.components[0]?.uptime.days.map((b) => [b.date, b]));
    expect(bars.get(day(60))).toMatchObject({ fail: 1, total: 1 });
    expect(bars.get(day(45))).toMatchObject({ fail: 0, total: 1 });
    expect(bars.get(day(10))).toMatchObject({ total: 1 });
  });
});
