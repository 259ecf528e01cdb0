/**
 * The web UI in real Chromium against the real Ballast server: the overview
 * shows every SLO with the numbers the API reports, the SLO detail page draws
 * its charts with data and lists the alert that fired during an outage.
 * Screenshots go to test-output/screenshots; with UPDATE_SCREENSHOTS=1 they are
 * also copied to docs/screenshots for the README (kept out of ordinary runs so a
 * test run leaves the work tree clean).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/server/index.ts';
import { startServer } from '../src/server/index.ts';
import type { AlertEventDto, SloSummary } from '../src/server/schemas.ts';
import type { SloDefinition } from '../src/slo/model.ts';
import { alertLabel, formatBudget, formatObjective, formatSli } from '../web/src/format.ts';
import { launchChromium, openPage as openBrowserPage, screenshot } from './helpers/browser.ts';
import { buildWebUi, webBuildExists } from './helpers/web-build.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOCS_SHOTS = path.join(ROOT, 'docs', 'screenshots');
const ADMIN = 'web-ui-test-admin-token';
const MINUTE = 60_000;

let server: RunningServer;
let browser: Browser;
let target: SloDefinition;

async function api<T>(urlPath: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${server.url}${urlPath}`, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${urlPath}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * Three days of per-minute counts: a steady trickle of errors well inside the
 * budget, a degradation nine hours ago, and an outage in the last 20 minutes
 * that is strong enough (relative to the objective) to fire the page alert.
 */
function outageEvents(objective: number, now: number) {
  const budget = 1 - objective;
  const perMinute = 1000;
  const last = Math.floor(now / MINUTE) * MINUTE - MINUTE;
  const minutes = 3 * 24 * 60;
  const events: { timestamp: number; good: number; total: number }[] = [];
  let carried = 0;
  for (let i = minutes - 1; i >= 0; i--) {
    const t = last - i * MINUTE;
    let ratio = 0.3 * budget * (1 + 0.5 * Math.sin((2 * Math.PI * t) / (24 * 60 * MINUTE)));
    if (i >= 9 * 60 - 40 && i < 9 * 60) ratio = Math.min(0.5, 20 * budget);
    if (i < 20) ratio = Math.min(0.9, 60 * budget);
    // Spread fractional error counts over minutes so the totals stay exact integers.
    carried += ratio * perMinute;
    const bad = Math.floor(carried);
    carried -= bad;
    events.push({ timestamp: t, good: perMinute - bad, total: perMinute });
  }
  return events;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  // A deadline for a condition the server reaches on its own; the assertion is on the result.
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
}

beforeAll(async () => {
  if (!webBuildExists()) buildWebUi();
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    inMemory: true,
    specsDir: path.join(ROOT, 'examples'),
    publicRead: true,
    adminToken: ADMIN,
    // Ingestion triggers evaluation; no timer ticks, so the numbers hold still while the test reads them.
    evaluateEveryMs: 3_600_000,
  });
  const slos = await api<SloSummary[]>('/api/v1/slos');
  const eventSlo = slos.find((s) => s.source === 'events');
  if (!eventSlo) throw new Error('examples/ has no SLO fed by pushed events; the UI test needs one');
  target = (await api<{ definition: SloDefinition }>(`/api/v1/slos/${eventSlo.name}`)).definition;
  await api(`/api/v1/slos/${target.name}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
    body: JSON.stringify({ events: outageEvents(target.objective, Date.now()) }),
  });
  await waitFor('the page alert to fire', async () => {
    const events = await api<AlertEventDto[]>(`/api/v1/slos/${target.name}/alerts`);
    return events.find((e) => e.to === 'firing');
  });
  browser = await launchChromium();
  mkdirSync(DOCS_SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function openPage(): Promise<{ page: Page; errors: string[] }> {
  return openBrowserPage(browser);
}

async function shoot(page: Page, name: string): Promise<void> {
  const file = await screenshot(page, name);
  if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(file, path.join(DOCS_SHOTS, name));
}

describe('web UI in Chromium', () => {
  it('the overview lists every SLO with the numbers the API reports', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/`);
    const slos = await api<SloSummary[]>('/api/v1/slos');
    await page
      .locator('[data-testid="slo-row"]')
      .nth(slos.length - 1)
      .waitFor();
    expect(await page.locator('[data-testid="slo-row"]').count()).toBe(slos.length);
    for (const slo of slos) {
      const row = page.locator(`[data-testid="slo-row"][data-slo="${slo.name}"]`);
      expect(await row.getByTestId('objective').textContent()).toBe(formatObjective(slo.objective));
      expect(await row.getByTestId('window').textContent()).toBe(slo.window);
      expect(await row.getByTestId('sli').textContent()).toBe(formatSli(slo.status.sli));
      expect(await row.getByTestId('budget').textContent()).toContain(
        formatBudget(slo.status.budget.remainingRatio),
      );
      expect(await row.getByTestId('alert-state').textContent()).toBe(alertLabel(slo.alertState));
    }
    const outage = slos.find((s) => s.name === target.name);
    expect(outage?.alertState).not.toBe('ok');
    expect(outage?.fastestBurn?.rate).toBeGreaterThan(1);
    const burn = await page.locator(`[data-slo="${target.name}"] [data-testid="burn"]`).textContent();
    expect(burn).toMatch(/\d×/);
    await shoot(page, 'overview.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the SLO detail page draws every chart with data and lists the fired alert', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/`);
    await page.locator(`[data-slo="${target.name}"] [data-testid="slo-name"]`).click();
    await page.waitForURL(`**/slos/${target.name}`);
    for (const chart of ['chart-budget', 'chart-sli', 'chart-burn']) {
      const handle = await page.waitForFunction(
        (id) => Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-points') ?? 0),
        chart,
      );
      expect(await handle.jsonValue()).toBeGreaterThan(0);
    }
    const fired = page.locator('[data-testid="alert-event"][data-to="firing"]');
    await fired.first().waitFor();
    const alerts = await api<AlertEventDto[]>(`/api/v1/slos/${target.name}/alerts`);
    const firing = alerts.filter((a) => a.to === 'firing');
    expect(await fired.count()).toBe(firing.length);
    expect(await fired.first().getAttribute('data-severity')).toBe(firing[0]?.severity);
    const detail = await api<{ summary: SloSummary }>(`/api/v1/slos/${target.name}`);
    expect(await page.getByTestId('stat-sli').textContent()).toBe(formatSli(detail.summary.status.sli));
    expect(await page.getByTestId('stat-objective').textContent()).toBe(formatObjective(target.objective));
    await shoot(page, 'slo-detail.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the time-range picker reloads the charts for the chosen range', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/slos/${target.name}?range=1h`);
    const points = (id: string) =>
      page.waitForFunction(
        (testId) =>
          Number(document.querySelector(`[data-testid="${testId}"]`)?.getAttribute('data-points') ?? 0),
        id,
      );
    const oneHour = Number(await (await points('chart-sli')).jsonValue());
    await page.getByRole('button', { name: '24h' }).click();
    await page.waitForURL(/range=24h/);
    // The 24h history has more SLI points than the 1h one once it has loaded.
    const handle = await page.waitForFunction(
      (before) =>
        Number(document.querySelector('[data-testid="chart-sli"]')?.getAttribute('data-points')) > before,
      oneHour,
    );
    expect(await handle.jsonValue()).toBe(true);
    expect(await page.getByRole('button', { name: '24h' }).getAttribute('aria-pressed')).toBe('true');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('web UI against a server without public reads', () => {
  let privateServer: RunningServer;

  beforeAll(async () => {
    privateServer = await startServer({
      port: 0,
      host: '127.0.0.1',
      inMemory: true,
      specsDir: path.join(ROOT, 'examples'),
      adminToken: ADMIN,
      evaluateEveryMs: 3_600_000,
    });
  });

  afterAll(async () => {
    await privateServer?.close();
  });

  it('asks for a token after a 401 and shows the SLOs once one is saved', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${privateServer.url}/`);
    const input = page.locator('#token');
    await input.waitFor();
    expect(await page.locator('[data-testid="slo-row"]').count()).toBe(0);
    await input.fill(ADMIN);
    await page.getByRole('button', { name: 'Save' }).click();
    const res = await fetch(`${privateServer.url}/api/v1/slos`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const slos = (await res.json()) as SloSummary[];
    await page
      .locator('[data-testid="slo-row"]')
      .nth(slos.length - 1)
      .waitFor();
    expect(await page.locator('[data-testid="slo-row"]').count()).toBe(slos.length);
    expect(await page.evaluate(() => localStorage.getItem('ballast.token'))).toBe(ADMIN);
    await page.close();
  });
});
