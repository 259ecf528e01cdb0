/**
 * The public status page in real Chromium: a server with two services of one
 * team, check results recorded through the monitor (the server's own path)
 * over several days, read without a token. Screenshots go to
 * test-output/screenshots; with UPDATE_SCREENSHOTS=1 also to docs/screenshots.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/checks/index.ts';
import { type RunningServer, startServer } from '../src/server/index.ts';
import { launchChromium, openPage, screenshot } from './helpers/browser.ts';

const DAY_MS = 86_400_000;

const SPECS = `apiVersion: openslo/v1
kind: Service
metadata: { name: cards, displayName: Card payments, labels: { team: payments } }
spec: { description: Authorisation and capture }
---
apiVersion: openslo/v1
kind: Service
metadata: { name: payouts, displayName: Payouts, labels: { team: payments } }
spec: { description: Merchant payouts }
---
apiVersion: ballast.dev/v1
kind: Check
metadata: { name: cards-authorise, displayName: Authorise a card }
spec: { service: cards, type: http, http: { url: "http://127.0.0.1:9/authorise" }, failAfter: 2 }
---
apiVersion: ballast.dev/v1
kind: Check
metadata: { name: payouts-api, displayName: Payouts API }
spec: { service: payouts, type: http, http: { url: "http://127.0.0.1:9/payouts" } }
---
apiVersion: ballast.dev/v1
kind: Check
metadata: { name: payouts-batch }
spec: { service: payouts, type: http, enabled: false, http: { url: "http://127.0.0.1:9/batch" } }
`;

let dir = '';
let server: RunningServer;
let browser: Browser;

function result(
  check: string,
  service: string,
  startedAt: number,
  status: CheckResult['status'],
): CheckResult {
  const r: CheckResult = {
    check,
    service,
    type: 'http',
    location: 'local',
    startedAt,
    durationMs: 12,
    status,
    conditions: [],
    phases: {},
    attempts: 1,
  };
  if (status === 'fail') r.reason = '[STATUS] (503) == 200';
  return r;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ballast-status-page-'));
  await writeFile(path.join(dir, 'payments.yaml'), SPECS);
  // Checks are loaded but not scheduled: the test records the results itself, through the monitor.
  server = await startServer({
    port: 0,
    inMemory: true,
    specsDir: dir,
    adminToken: 'status-admin',
    runChecks: false,
  });
  const now = Date.now();
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  for (let d = 20; d >= 1; d--) {
    await server.context.checks.record(
      result('cards-authorise', 'cards', today - d * DAY_MS + 3_600_000, d === 7 ? 'fail' : 'pass'),
    );
    await server.context.checks.record(
      result('payouts-api', 'payouts', today - d * DAY_MS + 3_600_000, 'pass'),
    );
  }
  // Today: cards fails twice in a row (past failAfter: major outage), payouts is degraded.
  await server.context.checks.record(result('cards-authorise', 'cards', now - 60_000, 'fail'));
  await server.context.checks.record(result('cards-authorise', 'cards', now - 30_000, 'fail'));
  await server.context.checks.record(result('payouts-api', 'payouts', now - 30_000, 'degraded'));
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the public status page', () => {
  it('shows a team page with each service, its status and 90 days of bars, without a token', async () => {
    const { page, errors } = await openPage(browser, { viewport: { width: 1000, height: 800 } });
    const res = await page.goto(`${server.url}/status/payments`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('.banner').getAttribute('data-indicator')).toBe('critical');
    expect(await page.locator('.banner').innerText()).toBe('Major System Outage');
    const components = page.locator('.component');
    expect(await components.count()).toBe(2);
    expect(await components.nth(0).locator('.name').innerText()).toBe('Card payments');
    expect(await components.nth(0).locator('.status').getAttribute('data-status')).toBe('major_outage');
    // Payouts: one check degraded, one paused → degraded performance is the worse.
    expect(await components.nth(1).locator('.status').getAttribute('data-status')).toBe(
      'degraded_performance',
    );
    expect(await components.nth(0).locator('.bar').count()).toBe(90);
    // The day a week ago had its failure: its bar's tooltip says so.
    const weekAgo = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - 7 * DAY_MS)
      .toISOString()
      .slice(0, 10);
    expect(await components.nth(0).locator(`.bar[title^="${weekAgo}"]`).getAttribute('title')).toBe(
      `${weekAgo}: 0.00% (1 failed of 1)`,
    );
    const file = await screenshot(page, 'status-page.png');
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      const docs = path.resolve(import.meta.dirname, '..', 'docs', 'screenshots');
      mkdirSync(docs, { recursive: true });
      copyFileSync(file, path.join(docs, 'status-page.png'));
    }
    expect(errors).toEqual([]);
  });

  it('shows a service page with one component per check, a paused check under maintenance', async () => {
    const res = await fetch(`${server.url}/api/v1/status/payouts`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      page: { kind: string };
      components: { name: string; status: string }[];
    };
    expect(body.page.kind).toBe('service');
    expect(body.components).toEqual([
      expect.objectContaining({ name: 'payouts-api', status: 'degraded_performance' }),
      expect.objectContaining({ name: 'payouts-batch', status: 'under_maintenance' }),
    ]);
  });
});
