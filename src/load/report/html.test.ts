/**
 * The HTML report in real Chromium, opened from disk: every chart draws with
 * the run's data, nothing is fetched from the network, the page logs no
 * errors, and user-supplied text cannot inject markup. A screenshot is kept at
 * test-output/screenshots/load-report.png.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshot } from '../../../test/helpers/browser.ts';
import type { LatencySummary, LoadSummary, SecondSample } from '../types.ts';
import { renderHtmlReport } from './html.ts';
import { renderTextSummary } from './text.ts';

/** Latency of a target answering in `base` ms that stalls for `stallMs` once (the wrk2 example). */
function stallModel(base: number, stallMs: number, runMs: number) {
  // Under a stall of S in a run of T, a fraction S/T of requests waited a uniform share of S.
  const stalledShare = stallMs / runMs;
  return (q: number) =>
    q <= 1 - stalledShare ? base : base + (stallMs * (q - (1 - stalledShare))) / stalledShare;
}

function lat(f: (q: number) => number): LatencySummary {
  return { p50: f(0.5), p90: f(0.9), p99: f(0.99), p999: f(0.999), max: f(1), mean: f(0.5) * 1.1 };
}

function sampleSummary(name: string): LoadSummary {
  const seconds = 20;
  const latencyAt = stallModel(2, 1500, seconds * 1000);
  const series: SecondSample[] = [];
  for (let t = 1; t <= seconds; t++) {
    const stalled = t === 8 || t === 9;
    const f = (q: number) => (stalled ? 200 + 1300 * q : 1 + q * 3 + Math.sin(t) * 0.3);
    series.push({
      t,
      targetRate: 500,
      achievedRate: stalled ? 420 : 500,
      ok: stalled ? 410 : 499,
      failed: stalled ? 10 : 1,
      inFlight: stalled ? 300 : 2,
      latency_ms: lat(f),
      service_time_ms: lat((q) => 1 + q * 2),
      lag_ms: 0.2,
    });
  }
  const spectrum = [0, 0.5, 0.75, 0.875, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999].map((q) => ({
    percentile: q * 100,
    latency_ms: latencyAt(q),
  }));
  const total = series.reduce((a, s) => a + s.ok + s.failed, 0);
  const failed = series.reduce((a, s) => a + s.failed, 0);
  return {
    name,
    startedAt: '2026-11-23T10:00:00.000Z',
    durationMs: seconds * 1000,
    executor: 'constant-arrival-rate',
    requests: { total, ok: total - failed, failed },
    errors: { timeout: failed - 5, status: 5 },
    rate: { target: 500, achieved: total / seconds },
    latency_ms: lat(latencyAt),
    service_time_ms: lat((q) => 1 + q * 2),
    dropped: 0,
    valid: false,
    invalid_reasons: ['schedule lag reached 40 ms (bound 10 ms)'],
    thresholds: [
      { expr: 'p(99) < 300ms', ok: false, value: latencyAt(0.99) },
      { expr: 'rate(failed) < 5%', ok: true, value: failed / total },
    ],
    aborted: false,
    perRequest: {
      'GET /': { total: total - 100, failed, latency_ms: lat(latencyAt) },
      'POST /pay': { total: 100, failed: 0, latency_ms: lat((q) => 3 + q) },
    },
    series,
    spectrum,
  };
}

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(path.join(tmpdir(), 'ballast-report-'));
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('renderHtmlReport', () => {
  it('draws latency, rate and spectrum charts offline, without console errors', async () => {
    const summary = sampleSummary('checkout at 500 rps');
    const file = path.join(dir, 'report.html');
    writeFileSync(file, renderHtmlReport(summary));
    const { page, errors } = await openPage(browser, { viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#chart-spectrum canvas');
    const charts = ['chart-latency', 'chart-rate', 'chart-spectrum'];
    for (const id of charts) {
      expect(await page.locator(`#${id} canvas`).count()).toBe(1);
      expect(Number(await page.getAttribute(`#${id}`, 'data-points'))).toBeGreaterThan(0);
    }
    // Four latency series and three rate series, one point per second each.
    expect(Number(await page.getAttribute('#chart-latency', 'data-points'))).toBe(summary.series.length * 4);
    expect(Number(await page.getAttribute('#chart-rate', 'data-points'))).toBe(summary.series.length * 3);
    expect(Number(await page.getAttribute('#chart-spectrum', 'data-points'))).toBe(
      summary.spectrum.length + 4,
    );
    const axisLabels = (await page.getAttribute('#chart-spectrum', 'data-x-labels'))?.split(' ');
    expect(axisLabels?.slice(0, 5)).toEqual(['0%', '90%', '99%', '99.9%', '99.99%']);
    expect(await page.locator('tr.fail').innerText()).toContain('p(99) < 300ms');
    expect(await page.locator('tr.pass').innerText()).toContain('rate(failed) < 5%');
    expect(await page.locator('.badge.bad').innerText()).toContain('NOT VALID');
    expect(errors).toEqual([]);
    expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    await screenshot(page, 'load-report.png');
    await page.close();
  });

  it('escapes names and reasons so a hostile run name cannot inject markup', async () => {
    const summary = sampleSummary(
      '<img src=x onerror="window.pwned=1"></script><script>window.pwned=2</script>',
    );
    summary.invalid_reasons = ['<b>bold</b>'];
    const file = path.join(dir, 'hostile.html');
    writeFileSync(file, renderHtmlReport(summary));
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#chart-latency canvas');
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('h1').innerText()).toContain('<img src=x');
    expect(await page.locator('.reasons').innerText()).toBe('<b>bold</b>');
    await page.close();
  });

  it('shows "no data" instead of failing when the run recorded no seconds', async () => {
    const summary = { ...sampleSummary('empty'), series: [], spectrum: [] };
    const file = path.join(dir, 'empty.html');
    writeFileSync(file, renderHtmlReport(summary));
    const { page, errors } = await openPage(browser);
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#chart-spectrum canvas');
    expect(await page.locator('#chart-latency').innerText()).toBe('no data');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('renderTextSummary', () => {
  it('lists thresholds with ✓/✗, errors by kind and the reasons a run is not valid', () => {
    const s = sampleSummary('text');
    const text = renderTextSummary(s);
    expect(text).toContain('✗ p(99) < 300ms');
    expect(text).toContain('✓ rate(failed) < 5%');
    expect(text).toMatch(/timeout\s+\d+/);
    expect(text).toContain('NOT VALID');
    expect(text).toContain(s.invalid_reasons[0]);
    expect(text).toContain(`${s.requests.total}`);
  });
});
