/**
 * The chaos pages in real Chromium against the real server. Runs are made
 * through the API exactly as a controller (`ballast chaos run --server`)
 * makes them: create (the guards decide), stream journal batches, finish with
 * the report; a small HTTP server stands in for the fault daemon that holds
 * the run's lease. The list shows runs newest first and takes new and changed
 * runs from the event stream; the detail page shows guards and plan, takes
 * journal batches from the event stream alone (refetches are cut off) without
 * showing a resent entry twice, draws the probe values with the fault window
 * and marks; Halt refuses without a token and says so, then with one halts
 * the run (its lease released at the daemon, its controller told to stop);
 * the finished run shows its report and highlighted journal.
 * Screenshots go to test-output/screenshots (the finished run, the live run
 * and the list); with UPDATE_SCREENSHOTS=1 the finished run's is also copied
 * to docs/screenshots/chaos-run.png.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentReport, JournalEntry } from '../src/chaos/experiment/journal.ts';
import { type RunningServer, startServer } from '../src/server/index.ts';
import { formatBudgetShare, haltSummary } from '../web/src/chaos-data.ts';
import { formatMs } from '../web/src/load-data.ts';
import { apiClient } from './helpers/api-client.ts';
import { launchChromium, openPage as openBrowserPage, screenshot } from './helpers/browser.ts';
import { buildWebUi, webBuildIsStale } from './helpers/web-build.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOCS_SHOTS = path.join(ROOT, 'docs', 'screenshots');
const ADMIN = 'web-chaos-test-admin-token';
const SERVICE = 'checkout';
const EXPERIMENT = 'checkout-pg-latency';
const PLAN = [
  '   0.0s  load checkout-steady: 50/s for 60s',
  '   5.0s  fault pg-latency: toxic latency 800ms on proxy pg downstream, reverted at 35.0s',
];
const HEADLINE = `${EXPERIMENT}: aborted (halted); the steady state deviated during the faults`;
const RECOVERY_MS = 4_200;

let server: RunningServer;
let browser: Browser;
let daemon: Server;
let daemonUrl = '';
/** Leases the fake daemon was asked to release. */
const released: string[] = [];

let heldId = '';
let liveId = '';
let liveStartedAt = 0;

const { api } = apiClient(() => server.url, ADMIN);

/** Starts a run as a controller does; the answer carries its id and the guards' decision. */
async function startRun(experiment: string): Promise<{ id: string; startedAt: number }> {
  const created = await api<{ id: string }>('POST', '/api/v1/chaos/runs', {
    experiment,
    service: SERVICE,
    definition: { name: experiment },
    plan: PLAN,
    expectedDurationMs: 120_000,
    override: false,
    controller: 'web-chaos test (pid 1)',
  });
  const run = await api<{ startedAt: number }>('GET', `/api/v1/chaos/runs/${created.id}`);
  return { id: created.id, startedAt: run.startedAt };
}

function journal(
  id: string,
  from: number,
  entries: JournalEntry[],
  leases?: { daemon: string; id: string }[],
): Promise<{ halt: boolean }> {
  return api('POST', `/api/v1/chaos/runs/${id}/journal`, { from, entries, ...(leases ? { leases } : {}) });
}

function finish(id: string, report: Partial<ExperimentReport>): Promise<unknown> {
  return api('POST', `/api/v1/chaos/runs/${id}/finish`, { report });
}

// The live run's journal, in the batches its controller sends. Offsets are ms from its start.
const at = (ms: number) => liveStartedAt + ms;
const probe = (ms: number, name: string, value: number, ok: boolean, detail: string): JournalEntry => ({
  t: at(ms),
  type: 'probe',
  phase: ms < 1_000 ? 'before' : ms < 3_650 ? 'method' : 'recovery',
  probe: name,
  ok,
  value,
  detail,
});
const batch1 = (): JournalEntry[] => [
  { t: at(100), type: 'phase', phase: 'before' },
  probe(200, 'api-latency', 42, true, 'p99 42 ms (≤ 500 ms)'),
  probe(250, 'checkout-burn', 0.4, true, 'burn rate 0.4× (≤ 6×)'),
];
const batch2 = (): JournalEntry[] => [
  { t: at(1_000), type: 'phase', phase: 'method' },
  {
    t: at(1_100),
    type: 'action',
    action: 'apply',
    step: 'pg-latency',
    ok: true,
    detail: 'toxic latency 800ms on proxy pg downstream',
  },
  probe(2_000, 'api-latency', 870, false, 'p99 870 ms (> 500 ms)'),
  probe(2_050, 'checkout-burn', 3.2, true, 'burn rate 3.2× (≤ 6×)'),
  {
    t: at(2_100),
    type: 'deviation',
    phase: 'method',
    probe: 'api-latency',
    detail: 'p99 870 ms above 500 ms',
  },
];
const batch3 = (): JournalEntry[] => [probe(3_000, 'api-latency', 910, false, 'p99 910 ms (> 500 ms)')];
const batch4 = (): JournalEntry[] => [
  { t: at(3_500), type: 'abort', reason: 'halted: halt requested from the web UI' },
  { t: at(3_600), type: 'action', action: 'revert', step: 'pg-latency', ok: true, detail: 'reverted' },
  { t: at(3_700), type: 'phase', phase: 'recovery' },
  probe(7_800, 'api-latency', 45, true, 'p99 45 ms (≤ 500 ms)'),
  probe(7_850, 'checkout-burn', 0.5, true, 'burn rate 0.5× (≤ 6×)'),
  { t: at(8_000), type: 'phase', phase: 'done' },
];

function liveReport(): Partial<ExperimentReport> {
  return {
    experiment: EXPERIMENT,
    service: SERVICE,
    outcome: 'aborted',
    headline: HEADLINE,
    startedAt: liveStartedAt,
    endedAt: at(8_000),
    hypothesis: { before: true, during: false, after: true },
    faultWindow: { start: at(1_100), end: at(3_600) },
    recoveryMs: RECOVERY_MS,
    abortReason: 'halted: halt requested from the web UI',
    probes: [
      { probe: 'api-latency', during: { min: 870, max: 910, last: 910, failures: 2, samples: 2 } },
      { probe: 'checkout-burn', during: { min: 3.2, max: 3.2, last: 3.2, failures: 0, samples: 1 } },
    ],
    budget: [{ slo: 'checkout-availability', before: 1, after: 0.985, consumed: 0.015 }],
    reverts: { ok: 1, failed: 0 },
    errors: [],
  };
}

const SPECS = `apiVersion: openslo/v1
kind: Service
metadata: { name: ${SERVICE} }
spec: { description: Checkout API }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout-availability }
spec:
  service: ${SERVICE}
  indicator:
    metadata: { name: checkout-availability-sli }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Ballast } }
        total: { metricSource: { type: Ballast } }
  timeWindow: [{ duration: 7d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.99 }]
`;

beforeAll(async () => {
  // Rebuild when web/src is newer, or the pages under test would be missing.
  if (webBuildIsStale()) buildWebUi();
  // The fault daemon's lease API, as far as a halt uses it: DELETE releases a lease.
  daemon = createServer((req, res) => {
    const m = /^\/ballast\/v1\/leases\/([^/]+)$/.exec(req.url ?? '');
    if (req.method === 'DELETE' && m?.[1]) {
      released.push(decodeURIComponent(m[1]));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"released":true}');
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => daemon.listen(0, '127.0.0.1', resolve));
  daemonUrl = `http://127.0.0.1:${(daemon.address() as AddressInfo).port}`;
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    inMemory: true,
    // Anyone may read; halting takes a responder token, which the page must send.
    publicRead: true,
    adminToken: ADMIN,
    evaluateEveryMs: 3_600_000,
    runChecks: false,
    paging: false,
  });
  await api('POST', '/api/v1/apply', { documents: [{ file: 'checkout.yaml', content: SPECS }] });
  await api('POST', '/api/v1/slos/checkout-availability/events', {
    events: [{ timestamp: Date.now() - 60_000, good: 1000, total: 1000 }],
  });
  await server.runtime.evaluate();
  // An earlier run that held, then the one the detail tests follow live.
  heldId = (await startRun('checkout-dns-failure')).id;
  await finish(heldId, {
    outcome: 'held',
    headline: 'checkout-dns-failure: the steady state held',
    hypothesis: { before: true, during: true, after: true },
    recoveryMs: 1_200,
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  ({ id: liveId, startedAt: liveStartedAt } = await startRun(EXPERIMENT));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => daemon?.close(resolve));
});

/** A page collecting errors; aborted requests (cut-off refetches) and the expected 401 are not errors. */
function openPage(
  ignore: (text: string) => boolean = () => false,
): Promise<{ page: Page; errors: string[] }> {
  return openBrowserPage(browser, {
    ignoreConsoleError: (text) => text.includes('net::ERR_FAILED') || ignore(text),
  });
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

/** Event streams open on the server (each page holds two: the top bar's and the chaos page's). */
const streams = () => server.bus.listenerCount('chaos-journal');

/** Waits until the page's own event stream is connected, so an event posted next reaches it. */
async function waitForStreams(page: Page, before: number): Promise<void> {
  await page.locator('.live.live-live').waitFor();
  await expect.poll(streams, { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 2);
}

async function attr(page: Page, testId: string, name: string, want: number): Promise<void> {
  await page.waitForFunction(
    ([id, a, n]) => Number(document.querySelector(`[data-testid="${id}"]`)?.getAttribute(a as string)) === n,
    [testId, name, want] as const,
  );
}

const rows = (page: Page) => page.getByTestId('journal-row');
const rowIds = (page: Page) =>
  page
    .locator('[data-testid="chaos-run-row"]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-run')));

/** The page the halt and finish tests share: the report must arrive on the page that halted. */
let haltPage: { page: Page; errors: string[] } | undefined;

describe('chaos pages in Chromium', () => {
  it('lists runs newest first with their status and headline, and takes new and ended runs live', async () => {
    const { page, errors } = await openPage();
    const before = streams();
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Chaos' }).click();
    await page.waitForURL('**/chaos');
    await page.locator('[data-testid="chaos-run-row"]').nth(1).waitFor();
    expect(await rowIds(page)).toEqual([liveId, heldId]);
    const held = page.locator(`[data-run="${heldId}"]`);
    expect(await held.getByTestId('chaos-run-status').textContent()).toBe('held');
    expect(await held.getByTestId('chaos-run-headline').textContent()).toBe(
      'checkout-dns-failure: the steady state held',
    );
    expect(await page.locator(`[data-run="${liveId}"] [data-testid="chaos-run-status"]`).textContent()).toBe(
      'running',
    );
    // Something runs, so the big button is there.
    expect(await page.getByTestId('halt').textContent()).toBe('Halt all');

    await waitForStreams(page, before);
    const other = await startRun('checkout-cache-outage');
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid="chaos-run-row"]')?.getAttribute('data-run') === id,
      other.id,
    );
    expect(await rowIds(page)).toEqual([other.id, liveId, heldId]);
    await finish(other.id, {
      outcome: 'precondition_failed',
      headline: 'checkout-cache-outage: the steady state did not hold before the method',
    });
    const ended = page.locator(`[data-run="${other.id}"] [data-testid="chaos-run-status"]`);
    await page.waitForFunction(
      (id) =>
        document.querySelector(`[data-run="${id}"] [data-testid="chaos-run-status"]`)?.textContent ===
        'precondition failed',
      other.id,
    );
    expect(await ended.getAttribute('class')).toContain('badge-ticket');
    expect(
      await page.locator(`[data-run="${other.id}"] [data-testid="chaos-run-headline"]`).textContent(),
    ).toContain('did not hold before');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filters the list by status and service in the query string, and a run enters a filtered list live once it matches', async () => {
    const { page, errors } = await openPage();
    const before = streams();
    await page.goto(`${server.url}/chaos?status=running`);
    await page.locator(`[data-run="${liveId}"]`).waitFor();
    expect(await rowIds(page)).toEqual([liveId]);
    expect(await page.getByTestId('chaos-filter-status').inputValue()).toBe('running');
    // The head still counts every run: Halt all is about them all.
    expect(await page.getByTestId('halt').textContent()).toBe('Halt all');

    await page.getByTestId('chaos-filter-status').selectOption('held');
    await page.waitForURL('**/chaos?status=held');
    await expect.poll(() => rowIds(page)).toEqual([heldId]);

    // A new run is running, not held: it stays out until it ends held.
    await waitForStreams(page, before);
    const later = await startRun('checkout-queue-pause');
    await finish(later.id, { outcome: 'held', headline: 'checkout-queue-pause: the steady state held' });
    await page.locator(`[data-run="${later.id}"]`).waitFor();
    expect(await rowIds(page)).toEqual([later.id, heldId]);

    await page.getByTestId('chaos-filter-service').selectOption('checkout');
    await page.waitForURL('**/chaos?status=held&service=checkout');
    await expect.poll(() => rowIds(page)).toEqual([later.id, heldId]);
    await page.getByTestId('chaos-filter-status').selectOption('lost');
    await page.getByTestId('chaos-none-match').waitFor();

    await page.getByTestId('chaos-filter-clear').click();
    await page.waitForURL(/\/chaos$/);
    await page.locator(`[data-run="${later.id}"]`).waitFor();
    expect((await rowIds(page)).length).toBeGreaterThanOrEqual(4);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows guards and plan, then journal entries, probe values and marks as they stream in', async () => {
    const { page, errors } = await openPage();
    const before = streams();
    await page.goto(`${server.url}/chaos`);
    await page.locator(`[data-run="${liveId}"] [data-testid="chaos-run-name"]`).click();
    await page.waitForURL(`**/chaos/${liveId}`);
    expect(await page.getByTestId('chaos-title').textContent()).toBe(EXPERIMENT);
    expect(await page.getByTestId('chaos-status').textContent()).toBe('running');
    const reasons = page.getByTestId('guard-reason');
    expect(await reasons.count()).toBeGreaterThan(0);
    expect(await reasons.first().textContent()).toContain(
      'checkout-availability has 100% of its error budget left',
    );
    expect(await reasons.first().getAttribute('data-ok')).toBe('true');
    expect(await page.getByTestId('plan-line').allTextContents()).toEqual(PLAN);
    expect(await page.getByTestId('chaos-phase').textContent()).toBe('starting');
    expect(await rows(page).count()).toBe(0);

    await waitForStreams(page, before);
    // From here on the run can only change on this page through server-sent events: refetches fail.
    await page.route(`**/api/v1/chaos/runs/${liveId}`, (route) => route.abort());

    await journal(liveId, 0, batch1());
    await rows(page).nth(2).waitFor();
    expect(await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))).toEqual([
      'phase',
      'probe',
      'probe',
    ]);
    await attr(page, 'chart-probes', 'data-points', 2);
    expect(await page.getByTestId('chaos-phase').textContent()).toBe('before');

    await journal(liveId, 3, batch2(), [{ daemon: daemonUrl, id: 'lease-pg' }]);
    await rows(page).nth(7).waitFor();
    expect(await page.getByTestId('chaos-phase').textContent()).toBe('method');
    const apply = page.locator('[data-testid="journal-row"][data-type="apply"]');
    expect(await apply.textContent()).toContain('toxic latency 800ms on proxy pg downstream');
    expect(await apply.textContent()).toContain('pg-latency');
    const deviation = page.locator('[data-testid="journal-row"][data-type="deviation"]');
    expect(await deviation.getAttribute('class')).toContain('journal-deviation');
    const failed = page.locator('[data-testid="journal-row"][data-type="probe"]').nth(2);
    expect(await failed.getAttribute('class')).toContain('journal-fail');
    expect(await failed.textContent()).toContain('870');
    await attr(page, 'chart-probes', 'data-points', 4);
    // The fault is held: its window is shaded (open to the right), the apply and the deviation marked.
    await attr(page, 'chart-probes', 'data-bands', 1);
    await attr(page, 'chart-probes', 'data-markers', 2);

    // A controller resending what the server already has must not show anything twice.
    await journal(liveId, 1, [...batch1().slice(1), ...batch2().slice(0, 2)]);
    await journal(liveId, 8, batch3());
    await page.waitForFunction(
      () => document.querySelector('[data-testid="journal-row"][data-seq="8"]') !== null,
    );
    expect(await rows(page).count()).toBe(9);
    expect(await page.getByTestId('journal-count').textContent()).toBe('9 entries');
    expect(await page.getByTestId('chaos-probes').textContent()).toBe('5 / 2');
    await attr(page, 'chart-probes', 'data-points', 5);
    await screenshot(page, 'chaos-run-live.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses to halt without a token and says why, then halts with one and tells the controller', async () => {
    // The refused halt is a 401 the browser logs; it is what this test provokes.
    haltPage = await openPage((text) => text.includes('401'));
    const { page } = haltPage;
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${server.url}/chaos/${liveId}`);
    await rows(page).nth(8).waitFor();
    await page.getByTestId('halt').click();
    await page.getByTestId('halt-error').waitFor();
    expect(await page.getByTestId('halt-error').textContent()).toContain('HTTP 401');
    expect((await api<{ haltRequested: boolean }>('GET', `/api/v1/chaos/runs/${liveId}`)).haltRequested).toBe(
      false,
    );

    // The token as a person enters it: the top bar's form, kept in localStorage.
    await page.getByRole('button', { name: 'Set token' }).click();
    await page.locator('#token').fill(ADMIN);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Token ✓' }).waitFor();
    await page.getByTestId('halt').click();
    await page.getByTestId('halt-result').waitFor();
    expect(await page.getByTestId('halt-result').textContent()).toBe(
      haltSummary({ runs: [liveId], leasesReleased: 1, errors: [] }),
    );
    expect(released).toEqual(['lease-pg']);
    await page.getByTestId('halt-requested').waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="chaos-status"]')?.textContent === 'halting',
    );
    // The controller learns it on its next report.
    expect((await journal(liveId, 9, [])).halt).toBe(true);
    expect(haltPage.errors).toEqual([]);
  });

  it('shows the report of the finished run on the page that halted it, and the journal with the abort', async () => {
    if (!haltPage) throw new Error('the halt test did not open its page');
    const { page, errors } = haltPage;
    await expect.poll(streams, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await page.route(`**/api/v1/chaos/runs/${liveId}`, (route) => route.abort());
    await journal(liveId, 9, batch4());
    await page.waitForFunction(
      () => document.querySelector('[data-testid="journal-row"][data-seq="14"]') !== null,
    );
    await finish(liveId, liveReport());
    await page.getByTestId('chaos-report').waitFor();
    expect(await page.getByTestId('chaos-headline').textContent()).toBe(HEADLINE);
    expect(await page.getByTestId('chaos-status').textContent()).toBe('aborted');
    expect(await page.getByTestId('report-recovery').textContent()).toBe(formatMs(RECOVERY_MS));
    expect(await page.getByTestId('hypothesis-before').textContent()).toBe('held');
    expect(await page.getByTestId('hypothesis-during').textContent()).toBe('deviated');
    expect(await page.getByTestId('hypothesis-after').textContent()).toBe('held');
    expect(await page.getByTestId('report-reverts').textContent()).toBe('1 / 0');
    expect(await page.getByTestId('report-window').textContent()).toContain(formatMs(2_500));
    expect(await page.getByTestId('budget-consumed').textContent()).toBe(formatBudgetShare(0.015));
    expect(await page.locator('[data-testid="report-probes"] tbody tr').count()).toBe(2);
    expect(await page.getByTestId('report-abort').textContent()).toContain('halt requested from the web UI');
    // The run is over: no live view, no Halt button; the answer of the halt stays.
    expect(await page.getByTestId('chaos-live').count()).toBe(0);
    expect(await page.getByTestId('halt').count()).toBe(0);
    expect(await page.getByTestId('halt-result').count()).toBe(1);
    const abort = page.locator('[data-testid="journal-row"][data-type="abort"]');
    expect(await abort.getAttribute('class')).toContain('journal-abort');
    expect(await rows(page).count()).toBe(15);
    // Every reading drawn; the window closed at the revert; apply, deviation, abort and revert marked.
    await attr(page, 'chart-probes', 'data-points', 7);
    await attr(page, 'chart-probes', 'data-bands', 1);
    await attr(page, 'chart-probes', 'data-markers', 4);
    await shot(page, 'chaos-run.png');

    await page.unroute(`**/api/v1/chaos/runs/${liveId}`);
    await page.getByRole('link', { name: 'Chaos', exact: true }).first().click();
    await page.waitForURL('**/chaos');
    const row = page.locator(`[data-run="${liveId}"]`);
    await row.waitFor();
    expect(await row.getByTestId('chaos-run-status').textContent()).toBe('aborted');
    expect(await row.getByTestId('chaos-run-headline').textContent()).toBe(HEADLINE);
    // Nothing runs any more: no Halt all.
    expect(await page.getByTestId('halt').count()).toBe(0);
    await screenshot(page, 'chaos-runs.png');
    expect(errors).toEqual([]);
    await page.close();
  });
});
