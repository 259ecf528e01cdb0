/**
 * The load-test pages in real Chromium against the real server: runs posted
 * through the API (as `ballast load run --server` does) show in the runs list,
 * the detail page draws latency, rate and spectrum charts with the posted
 * data, a running run's page takes new seconds from the event stream, and the
 * overview shows the service's measured capacity.
 * The screenshot goes to test-output/screenshots/load-run.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatencySummary, LoadSummary, SecondSample } from '../src/load/types.ts';
import { type RunningServer, startServer } from '../src/server/index.ts';
import { formatMs, formatRate } from '../web/src/load-data.ts';
import { apiClient } from './helpers/api-client.ts';
import { launchChromium, openPage as openBrowserPage, screenshot } from './helpers/browser.ts';
import { buildWebUi, webBuildIsStale } from './helpers/web-build.ts';
import { SPEC_SERVICE } from './server-harness.ts';

const ADMIN = 'web-load-test-admin-token';
const RATE = 200;
/** The series the finished run reports: steady, one stall at second 6, a few errors. */
const SECONDS = 20;

let server: RunningServer;
let browser: Browser;

const { api } = apiClient(() => server.url, ADMIN);

function latency(p50: number, tail: number): LatencySummary {
  return { p50, p90: p50 * 1.8, p99: tail, p999: tail * 1.2, max: tail * 1.3, mean: p50 * 1.2 };
}

function second(t: number): SecondSample {
  const stalled = t === 6;
  const failed = t % 7 === 3 ? 2 : 0;
  return {
    t,
    targetRate: RATE,
    achievedRate: RATE - failed,
    ok: RATE - failed,
    failed,
    inFlight: stalled ? 300 : 2 + (t % 4),
    latency_ms: latency(1.2 + (t % 5) * 0.1, stalled ? 1_400 : 4 + (t % 3)),
    service_time_ms: latency(1 + (t % 5) * 0.1, stalled ? 1_400 : 3),
    lag_ms: 0.2,
  };
}

function summaryOf(series: SecondSample[]): LoadSummary {
  const ok = series.reduce((n, s) => n + s.ok, 0);
  const failed = series.reduce((n, s) => n + s.failed, 0);
  return {
    name: 'checkout-steady',
    startedAt: new Date().toISOString(),
    durationMs: series.length * 1_000,
    executor: 'constant-arrival-rate',
    requests: { total: ok + failed, ok, failed },
    errors: { status: failed },
    rate: { target: RATE, achieved: (ok + failed) / series.length },
    latency_ms: latency(1.3, 720),
    service_time_ms: latency(1.1, 3.4),
    dropped: 0,
    valid: true,
    invalid_reasons: [],
    thresholds: [
      { expr: 'p(99) < 300ms', ok: false, value: 720 },
      { expr: 'rate(failed) < 1%', ok: true, value: failed / (ok + failed) },
    ],
    aborted: false,
    perRequest: {
      'GET /checkout': { total: ok + failed - 500, failed, latency_ms: latency(1.3, 700) },
      'POST /pay': { total: 500, failed: 0, latency_ms: latency(1.5, 760) },
    },
    series,
    spectrum: [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100].map((p) => ({
      percentile: p,
      // A stall of 1.4 s once in 20 s at 200/s: the tail climbs past p95.
      latency_ms: p < 95 ? 1 + p / 40 : Math.min(1_400, 5 + (p - 95) * 280),
    })),
  };
}

async function createRun(name: string): Promise<string> {
  const plan = { name, executor: { executor: 'constant-arrival-rate', rate: RATE, timeUnitMs: 1_000 } };
  return (await api<{ id: string }>('POST', '/api/v1/load/runs', { name, plan, service: 'checkout' })).id;
}

async function points(page: Page, testId: string): Promise<number> {
  const handle = await page.waitForFunction(
    (id) => Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-points') ?? 0),
    testId,
  );
  return Number(await handle.jsonValue());
}

let finishedId: string;
let runningId: string;

beforeAll(async () => {
  // Rebuild when web/src is newer, or the pages under test would be missing.
  if (webBuildIsStale()) buildWebUi();
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    inMemory: true,
    publicRead: true,
    adminToken: ADMIN,
    evaluateEveryMs: 3_600_000,
  });
  await api('POST', '/api/v1/apply', { documents: [{ file: 'service.yaml', content: SPEC_SERVICE }] });
  finishedId = await createRun('checkout-steady');
  const series = Array.from({ length: SECONDS }, (_, t) => second(t));
  await api('POST', `/api/v1/load/runs/${finishedId}/seconds`, { samples: series.slice(0, 10) });
  await api('PUT', `/api/v1/load/runs/${finishedId}/summary`, summaryOf(series));
  runningId = await createRun('checkout-ramp');
  await api('POST', `/api/v1/load/runs/${runningId}/seconds`, { samples: [second(0), second(1), second(2)] });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A page collecting errors; requests a test aborts on purpose (net::ERR_FAILED) are not errors. */
function openPage(): Promise<{ page: Page; errors: string[] }> {
  return openBrowserPage(browser, { ignoreConsoleError: (text) => text.includes('net::ERR_FAILED') });
}

/** Series drawn on the latency chart (p50, p90, p99, max, service p99) per second. */
const LATENCY_SERIES = 5;

describe('load-test pages in Chromium', () => {
  it('lists both runs with the verdict and numbers of the finished one', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Load tests' }).click();
    await page.locator('[data-testid="load-run-row"]').nth(1).waitFor();
    expect(await page.locator('[data-testid="load-run-row"]').count()).toBe(2);
    const finished = page.locator(`[data-run="${finishedId}"]`);
    const summary = summaryOf(Array.from({ length: SECONDS }, (_, t) => second(t)));
    expect(await finished.getByTestId('load-run-verdict').textContent()).toBe('thresholds failed');
    expect(await finished.getByTestId('load-run-requests').textContent()).toBe(
      summary.requests.total.toLocaleString('en-US'),
    );
    expect(await finished.getByTestId('load-run-p99').textContent()).toBe(formatMs(summary.latency_ms.p99));
    expect(
      await page.locator(`[data-run="${runningId}"] [data-testid="load-run-verdict"]`).textContent(),
    ).toBe('running');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws latency, rate and spectrum charts of a finished run with every posted point', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/load`);
    await page.locator(`[data-run="${finishedId}"] [data-testid="load-run-name"]`).click();
    await page.waitForURL(`**/load/${finishedId}`);
    const summary = summaryOf(Array.from({ length: SECONDS }, (_, t) => second(t)));
    expect(await points(page, 'chart-latency')).toBe(SECONDS * LATENCY_SERIES);
    expect(await points(page, 'chart-rate')).toBe(SECONDS * 3);
    // Latency spectrum points plus the four service-time percentiles.
    expect(await points(page, 'chart-spectrum')).toBe(summary.spectrum.length + 4);
    expect(await page.getByTestId('stat-p99').textContent()).toBe(formatMs(summary.latency_ms.p99));
    const thresholds = page.locator('[data-testid="run-thresholds"] tr');
    expect(await thresholds.count()).toBe(summary.thresholds.length);
    expect(await page.getByTestId('run-verdict').textContent()).toBe('thresholds failed');
    await screenshot(page, 'load-run.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('adds seconds to a running run as they arrive over the event stream', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/load/${runningId}`);
    expect(await points(page, 'chart-latency')).toBe(3 * LATENCY_SERIES);
    // From here on the run can only be refreshed through server-sent events: refetches fail.
    await page.route(`**/api/v1/load/runs/${runningId}`, (route) => route.abort());
    await api('POST', `/api/v1/load/runs/${runningId}/seconds`, { samples: [second(3), second(4)] });
    await page.waitForFunction(
      (n) =>
        Number(document.querySelector('[data-testid="chart-latency"]')?.getAttribute('data-points')) === n,
      5 * LATENCY_SERIES,
    );
    expect(await page.getByTestId('stat-elapsed').textContent()).toBe('5 s');
    expect(await page.getByTestId('stat-p99').textContent()).toBe(formatMs(second(4).latency_ms.p99));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the measured capacity on the services overview', async () => {
    const steps = [100, 200, 400].map((rate, i) => ({
      rate,
      p99: 20 * (i + 1) ** 3,
      latencyMs: 20 * (i + 1) ** 3,
      errorRate: i === 2 ? 0.02 : 0,
      achievedRate: rate,
      held: i < 2,
      valid: true,
    }));
    await api('PUT', '/api/v1/services/checkout/capacity', {
      ratePerSecond: 200,
      measuredAt: Date.now(),
      steps,
    });
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/`);
    const tag = page.locator('[data-service="checkout"] [data-testid="capacity"]');
    await tag.waitFor();
    expect(await tag.textContent()).toContain(formatRate(200));
    expect(errors).toEqual([]);
    await page.close();
  });
});
