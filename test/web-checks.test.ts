/**
 * The synthetic-check pages in real Chromium against the real server: checks
 * of a local HTTP server (one passing, one failing on a condition, one
 * browser check failing its script) and of a TLS endpoint are run through the API, then the list
 * shows each with the state, reason, uptime and daily bars the API reports
 * and takes new results from the event stream; the detail page draws the
 * phase chart, lists the history with the conditions as evaluated, shows a
 * failed browser run's screenshot (fetched with the token), and "Run now"
 * adds a row (or, for a viewer token, shows why it cannot); a TLS result
 * lists the presented certificate chain.
 * Screenshots go to test-output/screenshots; with UPDATE_SCREENSHOTS=1 they
 * are also copied to docs/screenshots.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from '../src/checks/runners/http/testing.ts';
import { type RunningServer, startServer } from '../src/server/index.ts';
import type { CheckResultItem, CheckSummary, TokenResponse } from '../src/server/schemas.ts';
import {
  type CheckDaily,
  checkState,
  dailyBars,
  formatUptime,
  resultReason,
  uptimeBars,
  uptimeOf,
} from '../web/src/check-data.ts';
import { apiClient } from './helpers/api-client.ts';
import { launchChromium, openPage as openBrowserPage, screenshot } from './helpers/browser.ts';
import { buildWebUi, webBuildIsStale } from './helpers/web-build.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOCS_SHOTS = path.join(ROOT, 'docs', 'screenshots');
const ADMIN = 'web-checks-test-admin-token';
const HISTORY_LIMIT = 50;

let target: Server;
let targetUrl: string;
let certs: TestCertificates;
let tlsTarget: TlsServer;
let tlsPort = 0;
let server: RunningServer;
let browser: Browser;
let artifactsDir: string;
let viewerToken: string;

const { api } = apiClient(() => server.url, ADMIN);

const runCheck = (name: string) => api<CheckResultItem>('POST', `/api/v1/checks/${name}/run`);
const results = (name: string) =>
  api<CheckResultItem[]>('GET', `/api/v1/checks/${name}/results?limit=${HISTORY_LIMIT}`);

/** The service the checks probe: a health endpoint, a broken one, and a page without the heading the browser check wants. */
function startTarget(): Promise<Server> {
  const s = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"up"}');
    } else if (req.url === '/orders') {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('orders database unavailable');
    } else if (req.url === '/shop') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>Shop</title><h1>Sold out</h1><p>Come back tomorrow.</p>');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

function specs(base: string, tlsAt: number) {
  const check = (name: string, body: string) => ({
    file: `checks/${name}.yaml`,
    content: `apiVersion: ballast.dev/v1\nkind: Check\nmetadata:\n  name: ${name}\nspec:\n  service: shop\n${body}`,
  });
  return [
    {
      file: 'service.yaml',
      content: 'apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: shop\nspec:\n  description: Shop\n',
    },
    check(
      'shop-health',
      `  type: http\n  every: 1m\n  http:\n    url: ${base}/health\n  conditions:\n    - "[STATUS] == 200"\n    - "[BODY].status == up"\n  degradedConditions:\n    - "[RESPONSE_TIME] < 5000"\n`,
    ),
    check(
      'shop-orders',
      `  type: http\n  every: 1m\n  http:\n    url: ${base}/orders\n  conditions:\n    - "[STATUS] == 200"\n`,
    ),
    check(
      'shop-tls',
      `  type: tls\n  every: 1h\n  tls: { host: 127.0.0.1, port: ${tlsAt}, verify: false }\n`,
    ),
    check(
      'shop-browser',
      `  type: browser\n  every: 5m\n  browser:\n    script: |\n      await page.goto('${base}/shop');\n      expect(await page.textContent('h1')).toBe('Checkout');\n`,
    ),
  ];
}

beforeAll(async () => {
  // Rebuild when web/src is newer, or the pages under test would be missing.
  if (webBuildIsStale()) buildWebUi();
  target = await startTarget();
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  // A TLS endpoint presenting its leaf and the CA that signed it.
  certs = makeTestCertificates();
  tlsTarget = createTlsServer({ key: certs.server.key, cert: certs.server.cert + certs.ca.cert }, (s) =>
    s.on('error', () => {}).end(),
  );
  tlsTarget.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => tlsTarget.listen(0, '127.0.0.1', resolve));
  tlsPort = (tlsTarget.address() as AddressInfo).port;
  artifactsDir = await mkdtemp(path.join(tmpdir(), 'ballast-web-checks-'));
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    inMemory: true,
    // Reads need a token, so the pages (and the screenshot fetch) must send it.
    publicRead: false,
    adminToken: ADMIN,
    evaluateEveryMs: 3_600_000,
    // No schedule: the test runs checks itself, so it knows every result.
    runChecks: false,
    artifactsDir,
  });
  await api('POST', '/api/v1/apply', { documents: specs(targetUrl, tlsPort) });
  await runCheck('shop-health');
  await runCheck('shop-health');
  await runCheck('shop-orders');
  await runCheck('shop-browser');
  await runCheck('shop-tls');
  viewerToken = (await api<TokenResponse>('POST', '/api/v1/tokens', { name: 'viewer', role: 'viewer' }))
    .token;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => target?.close(resolve));
  await new Promise((resolve) => tlsTarget?.close(resolve));
  certs?.remove();
  if (artifactsDir) await rm(artifactsDir, { recursive: true, force: true });
});

/** A page with `token` stored as the UI stores it; requests a test aborts on purpose are not errors. */
async function openPage(token: string = ADMIN): Promise<{ page: Page; errors: string[] }> {
  const opened = await openBrowserPage(browser, {
    ignoreConsoleError: (text) => text.includes('net::ERR_FAILED'),
  });
  await opened.page.addInitScript((t) => localStorage.setItem('ballast.token', t), token);
  return opened;
}

async function shot(page: Page, name: string): Promise<void> {
  // A full-page shot of a scrolled page would draw the sticky top bar mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  const file = await screenshot(page, name);
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(DOCS_SHOTS, { recursive: true });
    copyFileSync(file, path.join(DOCS_SHOTS, name));
  }
}

const row = (page: Page, check: string) => page.locator(`[data-testid="check-row"][data-check="${check}"]`);

describe('checks pages in Chromium', () => {
  it('lists every check by service with the state, last result, uptime and daily bars the API reports', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Checks', exact: true }).click();
    await page.waitForURL('**/checks');
    const checks = await api<CheckSummary[]>('GET', '/api/v1/checks');
    await row(page, checks.at(-1)?.name ?? '').waitFor();
    expect(await page.getByTestId('check-row').count()).toBe(checks.length);
    expect(await page.locator('[data-testid="check-service"][data-service="shop"]').count()).toBe(1);
    for (const c of checks) {
      const r = row(page, c.name);
      const state = checkState(c);
      expect(await r.getByTestId('check-state').textContent()).toBe(state.label);
      expect(await r.getByTestId('check-state').getAttribute('data-tone')).toBe(state.tone);
      expect(await r.getByTestId('check-uptime').textContent()).toBe(formatUptime(c.uptime30d));
      const expected = dailyBars(c.daily, Date.now());
      const bars = r.locator('[data-testid="check-bars"] .ubar');
      expect(await bars.evaluateAll((els) => els.map((e) => e.getAttribute('data-level')))).toEqual(
        expected.map((b) => b.level),
      );
      expect(await bars.last().getAttribute('title')).toBe(expected.at(-1)?.title);
      const reason = c.latest ? resultReason(c.latest) : undefined;
      if (reason) expect(await r.getByTestId('check-reason').textContent()).toBe(reason);
      else expect(await r.getByTestId('check-reason').count()).toBe(0);
    }
    // Among the fixtures: a passing check and two failing ones, which alarm.
    expect(await row(page, 'shop-health').getByTestId('check-state').textContent()).toBe('passing');
    expect(await row(page, 'shop-orders').getByTestId('check-state').textContent()).toBe('failing');
    expect(await row(page, 'shop-orders').getAttribute('class')).toContain('row-page');
    expect(await row(page, 'shop-orders').getByTestId('check-reason').textContent()).toContain('(503)');
    expect(await row(page, 'shop-health').locator('.ubar').last().getAttribute('data-level')).toBe('full');
    expect(await row(page, 'shop-orders').locator('.ubar').last().getAttribute('data-level')).toBe('low');
    await shot(page, 'checks.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('updates a row from the event stream when the check runs again', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/checks`);
    const orders = row(page, 'shop-orders');
    await orders.waitFor();
    // From here on the list can only change through server-sent events: refetches fail.
    await page.route('**/api/v1/checks', (route) => route.abort());
    const fresh = await runCheck('shop-orders');
    await page.waitForFunction(
      (id) =>
        document
          .querySelector('[data-testid="check-row"][data-check="shop-orders"]')
          ?.getAttribute('data-latest') === String(id),
      fresh.id,
    );
    expect(await orders.getByTestId('check-reason').textContent()).toBe(resultReason(fresh));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the failing check: phase chart, history, the condition as evaluated, and Run now adds a row', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/checks`);
    await row(page, 'shop-orders').getByTestId('check-name').click();
    await page.waitForURL('**/checks/shop-orders');
    const before = await results('shop-orders');
    const rows = page.getByTestId('result-row');
    await rows.nth(before.length - 1).waitFor();
    expect(await rows.count()).toBe(before.length);
    await page.waitForFunction(
      (n) =>
        document.querySelector('[data-testid="chart-phases"]')?.getAttribute('data-points') === String(n),
      before.length,
    );
    expect(await page.locator('[data-testid="chart-phases"] canvas').count()).toBe(1);
    expect(await page.getByTestId('check-header').getByTestId('check-state').textContent()).toBe('failing');
    const detail = await api<{ target: string; conditions: string[] }>('GET', '/api/v1/checks/shop-orders');
    expect(await page.getByTestId('check-target').textContent()).toBe(detail.target);
    expect(await page.getByTestId('check-condition').allTextContents()).toEqual([
      expect.stringContaining(detail.conditions[0] ?? '?'),
    ]);

    // Expanding the newest row shows its conditions with the values they saw.
    const newest = before[0];
    if (!newest) throw new Error('shop-orders has no results');
    await rows.first().click();
    const shown = page.locator(
      `[data-testid="result-detail"][data-result="${newest.id}"] [data-testid="result-condition"]`,
    );
    expect(await shown.allTextContents()).toEqual(newest.conditions.map((c) => `✗${c.shown}`));
    expect(await shown.first().getAttribute('data-ok')).toBe('false');

    const uptime = await api<CheckDaily[]>('GET', '/api/v1/checks/shop-orders/uptime?days=90');
    const bars90 = page.locator('[data-testid="check-bars-90d"] .ubar');
    expect(await bars90.count()).toBe(90);
    expect(await bars90.evaluateAll((els) => els.map((e) => e.getAttribute('data-level')))).toEqual(
      uptimeBars(uptime, 90, Date.now()).map((b) => b.level),
    );
    expect(await page.getByTestId('check-uptime-90d').textContent()).toBe(formatUptime(uptimeOf(uptime)));
    await shot(page, 'check-detail.png');

    await page.getByTestId('run-now').click();
    await rows.nth(before.length).waitFor();
    const after = await results('shop-orders');
    expect(after.length).toBe(before.length + 1);
    expect(await rows.first().getAttribute('data-result')).toBe(String(after[0]?.id));
    await page.waitForFunction(
      (n) =>
        document.querySelector('[data-testid="chart-phases"]')?.getAttribute('data-points') === String(n),
      after.length,
    );
    expect(await page.getByTestId('run-now-result').textContent()).toContain(after[0]?.status);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a failed browser run's screenshot, fetched with the token, and its trace", async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/checks/shop-browser`);
    const [failed] = await results('shop-browser');
    if (!failed?.artifacts?.screenshot || !failed.artifacts.trace)
      throw new Error(`the browser check kept no artifacts: ${JSON.stringify(failed)}`);
    await page.locator(`[data-testid="result-row"][data-result="${failed.id}"]`).click();
    const img = page.getByTestId('result-screenshot');
    await img.waitFor();
    // The image decoded: a PNG arrived, not an error page.
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid="result-screenshot"]') as HTMLImageElement | null)
          ?.naturalWidth,
    );
    expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(await img.getAttribute('src')).toMatch(/^blob:/);
    expect(await page.getByTestId('result-trace').textContent()).toContain(failed.artifacts.trace);
    expect(await page.getByTestId('result-error').textContent()).toContain(failed.error?.message ?? '?');
    const download = page.waitForEvent('download');
    await page.getByTestId('result-trace').click();
    expect((await download).suggestedFilename()).toBe(failed.artifacts.trace);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("lists a TLS result's presented chain, marking the certificate that expires first", async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/checks/shop-tls`);
    const [latest] = await results('shop-tls');
    const chain = latest?.certificateChain ?? [];
    expect(chain.map((c) => c.subject)).toEqual(['CN=localhost', 'CN=Ballast Test CA']);
    await page.locator(`[data-testid="result-row"][data-result="${latest?.id}"]`).click();
    const rows = page.locator(
      `[data-testid="result-detail"][data-result="${latest?.id}"] [data-testid="result-chain-certificate"]`,
    );
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    const texts = await rows.allTextContents();
    expect(texts[0]).toContain('CN=localhost');
    expect(texts[1]).toContain('CN=Ballast Test CA');
    const first = chain.findIndex((c) => c.notAfter === latest?.certificateNotAfter);
    expect(texts[first]).toContain('first to expire');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('tells a viewer token why Run now failed and adds no row', async () => {
    const { page, errors } = await openPage(viewerToken);
    await page.goto(`${server.url}/checks/shop-health`);
    const before = await results('shop-health');
    await page
      .getByTestId('result-row')
      .nth(before.length - 1)
      .waitFor();
    await page.getByTestId('run-now').click();
    const message = page.getByTestId('run-now-error');
    await message.waitFor();
    expect(await message.textContent()).toContain('HTTP 403');
    expect(await message.textContent()).toContain('responder');
    expect((await results('shop-health')).length).toBe(before.length);
    expect(await page.getByTestId('result-row').count()).toBe(before.length);
    // The 403 itself is logged by Chromium as a failed resource load.
    expect(errors.filter((e) => !e.includes('403'))).toEqual([]);
    await page.close();
  });
});
