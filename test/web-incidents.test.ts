/**
 * The incident and on-call pages in real Chromium against the real server:
 * an Events v2 trigger opens one incident (routed to an escalation policy),
 * another is declared through the API; the list shows both and its filters
 * (kept in the query string) agree with the API; the incident page shows the
 * alert on the timeline, acknowledges, takes a note, a commander, a follow-up
 * (and marks it done), escalates until the server refuses and shows why, and
 * generates, previews, edits and saves the postmortem; the on-call page shows
 * who is on call now as the API reports it, and a month calendar of shifts that
 * agrees with the API's shift list as it is navigated back and forth. The
 * declare form opens an incident; the Resolve button resolves one; a new
 * postmortem draft asks before replacing an edited one.
 * Screenshots go to test-output/screenshots; with UPDATE_SCREENSHOTS=1 they
 * are also copied to docs/screenshots.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server/index.ts';
import {
  type Incident,
  type IncidentDetail,
  type IncidentFilters,
  incidentsPath,
  paramsFromFilters,
} from '../web/src/incident-data.ts';
import type { OnCallNow, ScheduleShifts } from '../web/src/incident-queries.ts';
import { addMonths, monthGrid, monthOf, monthParam, piecesOn } from '../web/src/oncall-calendar.ts';
import { apiClient } from './helpers/api-client.ts';
import { launchChromium, openPage as openBrowserPage, screenshot } from './helpers/browser.ts';
import { buildWebUi, webBuildIsStale } from './helpers/web-build.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOCS_SHOTS = path.join(ROOT, 'docs', 'screenshots');
const ADMIN = 'web-incidents-test-admin-token';
const DAY = 86_400_000;
const ALERT_SUMMARY = 'Payments API error rate above 5%';
const DECLARED_TITLE = 'Shop search returns stale prices';

let server: RunningServer;
let browser: Browser;
let dir = '';
let triggeredId = 0;
let declaredId = 0;

const { call, api } = apiClient(() => server.url, ADMIN);

const detail = (id: number) => api<IncidentDetail>('GET', `/api/v1/incidents/${id}`);

/** Polls `read` until `done` holds (bounded: the UI's write must reach the server within the deadline). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A rota that started two days ago (UTC midnight) with one-day shifts, so someone is always on call. */
function specs(): string {
  const start = new Date(Math.floor(Date.now() / DAY) * DAY - 2 * DAY).toISOString().slice(0, 16);
  return `apiVersion: openslo/v1
kind: Service
metadata: { name: pay }
spec: { description: Payments }
---
apiVersion: openslo/v1
kind: Service
metadata: { name: shop }
spec: { description: Shop }
---
apiVersion: ballast.dev/v1
kind: User
metadata: { name: alice }
spec: { timeZone: Europe/Berlin, contacts: [{ email: alice@example.com }] }
---
apiVersion: ballast.dev/v1
kind: User
metadata: { name: bob }
spec: { contacts: [{ email: bob@example.com }] }
---
apiVersion: ballast.dev/v1
kind: Schedule
metadata: { name: primary }
spec:
  timeZone: UTC
  layers:
    - { name: daily, start: "${start}", shift: 1d, participants: [alice, bob] }
---
apiVersion: ballast.dev/v1
kind: EscalationPolicy
metadata: { name: pay-policy }
spec:
  steps:
    - { delay: 5m, targets: [{ schedule: primary }] }
    - { delay: 10m, targets: [{ user: bob }] }
  ackTimeout: 30m
`;
}

beforeAll(async () => {
  // Rebuild when web/src is newer, or the pages under test would be missing.
  if (webBuildIsStale()) buildWebUi();
  dir = await mkdtemp(path.join(tmpdir(), 'ballast-web-incidents-'));
  await writeFile(path.join(dir, 'oncall.yaml'), specs());
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    inMemory: true,
    specsDir: dir,
    // Reads need a token, so the pages must send the one the UI stored.
    publicRead: false,
    adminToken: ADMIN,
    runChecks: false,
    paging: false,
  });
  const integration = await api<{ key: string }>('POST', '/api/v1/integrations', {
    name: 'pay',
    kind: 'events-v2',
    service: 'pay',
    escalationPolicy: 'pay-policy',
  });
  const res = await fetch(`${server.url}/api/v1/integrations/events/v2/enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      routing_key: integration.key,
      event_action: 'trigger',
      dedup_key: 'pay-errors',
      payload: { summary: ALERT_SUMMARY, source: 'prometheus', severity: 'critical' },
    }),
  });
  expect(res.status).toBe(202);
  const open = await api<Incident[]>('GET', '/api/v1/incidents?state=open');
  triggeredId = open.find((i) => i.title === ALERT_SUMMARY)?.id ?? 0;
  declaredId = (
    await api<Incident>('POST', '/api/v1/incidents', {
      title: DECLARED_TITLE,
      severity: 'SEV4',
      service: 'shop',
    })
  ).id;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A page with the admin token stored as the UI stores it; aborted requests (page changes) are not errors. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const opened = await openBrowserPage(browser, {
    ignoreConsoleError: (text) => text.includes('net::ERR_FAILED'),
  });
  await opened.page.addInitScript((t) => localStorage.setItem('ballast.token', t), ADMIN);
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

/** The incident ids the list shows, in order, once they match what the API lists for the same filters. */
async function shownMatchApi(page: Page, filters: IncidentFilters): Promise<number[]> {
  const expected = (await api<Incident[]>('GET', incidentsPath(filters, 100))).map((i) => i.id);
  // The filters are in the query string (in any order): a reload or a shared link shows the same list.
  const sorted = (p: URLSearchParams) => [...p].sort().join('&');
  const query = sorted(paramsFromFilters(filters));
  await page.waitForURL((url) => sorted(url.searchParams) === query);
  if (expected.length === 0) await page.getByTestId('incidents-empty').waitFor();
  await page.waitForFunction(
    (ids) =>
      JSON.stringify(
        [...document.querySelectorAll('[data-testid="incident-row"]')].map((r) =>
          Number(r.getAttribute('data-incident')),
        ),
      ) === JSON.stringify(ids),
    expected,
  );
  return expected;
}

describe('incident pages in Chromium', () => {
  it('lists both incidents and filters by severity, service and state as the API does', async () => {
    expect(triggeredId).toBeGreaterThan(0);
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Incidents', exact: true }).click();
    await page.waitForURL('**/incidents');
    expect(await shownMatchApi(page, { state: 'open' })).toEqual([declaredId, triggeredId]);

    const triggered = page.locator(`[data-testid="incident-row"][data-incident="${triggeredId}"]`);
    const t = (await detail(triggeredId)).incident;
    expect(await triggered.getByTestId('incident-title').textContent()).toBe(ALERT_SUMMARY);
    expect(await triggered.getByTestId('incident-state').textContent()).toBe('triggered');
    expect(await triggered.getByTestId('incident-severity').textContent()).toBe(t.severity);
    expect(await triggered.getByTestId('incident-service').textContent()).toBe('pay');
    const declared = page.locator(`[data-testid="incident-row"][data-incident="${declaredId}"]`);
    expect(await declared.getByTestId('incident-state').textContent()).toBe('investigating');
    // Declaring makes the declarer the responder: acknowledged at once.
    expect(await declared.getByTestId('incident-tta').textContent()).not.toBe('—');
    await shot(page, 'incidents.png');

    await page.getByTestId('filter-severity').selectOption('SEV4');
    expect(await shownMatchApi(page, { state: 'open', severity: 'SEV4' })).toEqual([declaredId]);
    await page.getByTestId('filter-severity').selectOption('');
    await page.getByTestId('filter-service').selectOption('pay');
    expect(await shownMatchApi(page, { state: 'open', service: 'pay' })).toEqual([triggeredId]);
    await page.getByTestId('filter-service').selectOption('');
    await page.getByTestId('filter-state').selectOption('triggered');
    expect(await shownMatchApi(page, { state: 'triggered' })).toEqual([triggeredId]);
    await page.getByTestId('filter-state').selectOption('resolved');
    expect(await shownMatchApi(page, { state: 'resolved' })).toEqual([]);
    // The filters live in the URL: a reload (or a shared link) shows the same list.
    await page.goto(`${server.url}/incidents?severity=SEV4&state=all`);
    expect(await shownMatchApi(page, { state: 'all', severity: 'SEV4' })).toEqual([declaredId]);

    // An incident declared elsewhere shows up without a reload (event stream; polling as the fallback).
    await page.getByTestId('filter-severity').selectOption('');
    await shownMatchApi(page, { state: 'all' });
    const late = await api<Incident>('POST', '/api/v1/incidents', {
      title: 'Late arrival',
      severity: 'SEV3',
    });
    await page
      .locator(`[data-testid="incident-row"][data-incident="${late.id}"]`)
      .waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('incident-row').first().getAttribute('data-incident')).toBe(
      String(late.id),
    );
    await api('POST', `/api/v1/incidents/${late.id}/transition`, { to: 'resolved' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('works an incident: timeline, acknowledge, note, commander, follow-up, escalation until refused', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/incidents/${triggeredId}`);
    await page.getByTestId('incident-title').waitFor();
    expect(await page.getByTestId('incident-title').textContent()).toBe(ALERT_SUMMARY);

    // The alert that opened it is on the timeline, as the API records it.
    const before = await detail(triggeredId);
    const firing = before.timeline.find((e) => e.kind === 'alert-firing');
    expect(firing).toBeDefined();
    const firingEntry = page.locator(`[data-testid="timeline-entry"][data-entry="${firing?.id}"]`);
    expect(await firingEntry.getAttribute('data-kind')).toBe('alert-firing');
    expect(await firingEntry.getByTestId('timeline-text').textContent()).toBe(firing?.text);
    expect(await page.getByTestId('timeline-entry').count()).toBe(before.timeline.length);
    expect(await page.getByTestId('alert-row').count()).toBe(before.alerts.length);

    // Acknowledge moves it, on the server and on the page.
    await page.getByTestId('move-acknowledged').click();
    await until(
      () => detail(triggeredId),
      (d) => d.incident.state === 'acknowledged',
      'the acknowledgement',
    );
    await page.locator('[data-testid="incident-header"] [data-state="acknowledged"]').waitFor();
    await page.getByTestId('move-investigating').waitFor();
    await expect.poll(() => page.getByTestId('move-acknowledged').count()).toBe(0);

    // A note lands on the timeline (newest last).
    const note = 'Rolled back payments-api to v41; error rate falling';
    await page.getByTestId('note-input').fill(note);
    await page.getByTestId('note-submit').click();
    const lastText = page.getByTestId('timeline-entry').last().getByTestId('timeline-text');
    await expect.poll(() => lastText.textContent(), { timeout: 10_000 }).toBe(note);
    expect(await page.getByTestId('timeline-entry').last().getAttribute('data-kind')).toBe('note');
    const afterNote = await detail(triggeredId);
    expect(afterNote.timeline.filter((e) => e.kind === 'note').map((e) => e.text)).toContain(note);

    // The commander.
    await page.getByTestId('role-commander').fill('alice');
    await page.getByTestId('roles-save').click();
    await until(
      () => detail(triggeredId),
      (d) => d.incident.roles.commander === 'alice',
      'the commander',
    );
    await expect.poll(() => page.getByTestId('role-commander').inputValue()).toBe('alice');

    // A follow-up action item, then marked done.
    const followUp = 'Alert on payments-api error budget burn, not only the error rate';
    await page.getByTestId('task-kind').selectOption('follow-up');
    await page.getByTestId('task-title').fill(followUp);
    await page.getByTestId('task-action-type').selectOption('prevent');
    await page.getByTestId('task-submit').click();
    const stored = await until(
      () => detail(triggeredId),
      (d) => d.incident.tasks.some((x) => x.title === followUp),
      'the follow-up',
    );
    const task = stored.incident.tasks.find((x) => x.title === followUp);
    expect(task).toMatchObject({ kind: 'follow-up', actionType: 'prevent', status: 'open' });
    const row = page.locator(`[data-testid="task"][data-task="${task?.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-kind')).toBe('follow-up');
    await row.getByTestId('task-done').check();
    await until(
      () => detail(triggeredId),
      (d) => d.incident.tasks.find((x) => x.id === task?.id)?.status === 'done',
      'the follow-up done',
    );
    await page.locator(`[data-testid="task"][data-task="${task?.id}"][data-status="done"]`).waitFor();

    // A note written elsewhere arrives on the open page.
    const remote = await api<{ id: number }>('POST', `/api/v1/incidents/${triggeredId}/notes`, {
      text: 'Payments team joined the bridge',
    });
    await page
      .locator(`[data-testid="timeline-entry"][data-entry="${remote.id}"]`)
      .waitFor({ timeout: 20_000 });

    // Escalate pages the policy's next step now; once every step was paged the server refuses,
    // and the page says why in the server's words.
    const steps = 2;
    for (let step = 1; step <= steps; step++) {
      await page.getByTestId('escalate').click();
      await expect
        .poll(() => page.getByTestId('escalate-result').textContent(), { timeout: 10_000 })
        .toBe(`paged escalation step ${step}`);
    }
    const escalated = await until(
      () => detail(triggeredId),
      (d) => d.timeline.filter((e) => e.kind === 'escalated').length === steps,
      'the escalations',
    );
    await page
      .locator('[data-testid="timeline-entry"][data-kind="escalated"]')
      .nth(steps - 1)
      .waitFor();
    expect(escalated.timeline.filter((e) => e.kind === 'escalated').map((e) => e.actor)).toEqual(
      Array(steps).fill('admin'),
    );
    await page.getByTestId('escalate').click();
    const shown = (await page.getByTestId('move-error').textContent()) ?? '';
    const refused = await call('POST', `/api/v1/incidents/${triggeredId}/escalate`);
    expect(refused.status).toBe(409);
    const reason = ((await refused.json()) as { message: string }).message;
    expect(shown).toBe(`HTTP 409: ${reason}`);

    // Chromium logs every non-2xx response: the refused escalation is the one expected.
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 409 (Conflict)']);
    await page.close();
  });

  it('generates the postmortem draft, previews its headings and saves an edit', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/incidents/${triggeredId}`);
    await page.getByTestId('pm-generate').click();
    const preview = page.getByTestId('pm-preview');
    await preview.waitFor();
    const generated = await until(
      () => detail(triggeredId),
      (d) => d.incident.postmortem !== undefined,
      'the draft',
    );
    const markdown = generated.incident.postmortem ?? '';
    expect(await page.getByTestId('pm-text').inputValue()).toBe(markdown);
    // Every heading of the draft shows in the preview at its level.
    const headings = markdown
      .split('\n')
      .filter((l) => /^#{1,3} /.test(l))
      .map((l) => `h${l.indexOf(' ')}`);
    const shownHeadings = await preview
      .locator('h1, h2, h3')
      .evaluateAll((els) => els.map((e) => e.tagName.toLowerCase()));
    expect(shownHeadings).toEqual(headings);
    expect(await preview.locator('h1').textContent()).toBe(`Postmortem: ${ALERT_SUMMARY} (#${triggeredId})`);
    const h2 = await preview.locator('h2').allTextContents();
    expect(h2).toEqual(
      expect.arrayContaining(['Summary', 'Impact', 'Root causes', 'Action items', 'Timeline']),
    );
    // The follow-up from the earlier test is in the action-item table.
    expect(await preview.locator('table').count()).toBeGreaterThan(0);

    const edited = `${markdown}\n## Review notes\n\nDiscussed in the **weekly** review.\n`;
    await page.getByTestId('pm-text').fill(edited);
    await preview.locator('h2', { hasText: 'Review notes' }).waitFor();
    expect(await page.getByTestId('pm-status').textContent()).toBe('unsaved changes');
    await page.getByTestId('pm-save').click();
    await until(
      async () => (await call('GET', `/api/v1/incidents/${triggeredId}/postmortem.md`)).text(),
      (text) => text === edited,
      'the saved postmortem',
    );
    await expect.poll(() => page.getByTestId('pm-status').textContent()).toBe('saved (edited by admin)');
    expect(await preview.locator('strong', { hasText: 'weekly' }).count()).toBe(1);
    await shot(page, 'incident.png');

    // A new draft would throw the edit away: the page asks first, and "no" keeps the edit.
    const dialogs: string[] = [];
    page.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.getByTestId('pm-generate').click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(dialogs[0]).toContain('edited by admin');
    expect((await detail(triggeredId)).incident.postmortem).toBe(edited);
    // Without the page's confirmation the server refuses too (409), and keeps the edit.
    const refused = await call('POST', `/api/v1/incidents/${triggeredId}/postmortem`, {});
    expect(refused.status).toBe(409);
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('pm-generate').click();
    const regenerated = await until(
      () => detail(triggeredId),
      (d) => d.incident.postmortemEdit === undefined,
      'the regenerated draft',
    );
    expect(regenerated.incident.postmortem).not.toContain('Review notes');
    await expect.poll(() => page.getByTestId('pm-text').inputValue()).toBe(regenerated.incident.postmortem);
    expect(await page.getByTestId('pm-status').textContent()).toBe('saved draft');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('posts a public update under its own title and resolves the incident with the Resolve button', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/incidents/${triggeredId}`);
    await page.getByTestId('incident-title').waitFor();
    await page.getByTestId('update-title').fill('Card payments degraded');
    await page.getByTestId('update-input').fill('Some card payments fail; we are on it.');
    await page.getByTestId('update-submit').click();
    const updated = await until(
      () => detail(triggeredId),
      (d) => d.incident.publicUpdates.length === 1,
      'the public update',
    );
    expect(updated.incident.publicUpdates[0]).toMatchObject({
      title: 'Card payments degraded',
      body: 'Some card payments fail; we are on it.',
    });
    await page.getByTestId('public-update-title').waitFor();
    expect(await page.getByTestId('public-update-title').textContent()).toBe('Card payments degraded');

    const before = await detail(triggeredId);
    expect(before.allowedMoves).toContain('resolved');
    await page.getByTestId('move-resolved').click();
    const resolved = await until(
      () => detail(triggeredId),
      (d) => d.incident.state === 'resolved',
      'the resolution',
    );
    expect(resolved.incident.milestones.resolvedAt).toBeDefined();
    expect(resolved.timeline.filter((e) => e.kind === 'state').at(-1)).toMatchObject({
      actor: 'admin',
      data: { to: 'resolved' },
    });
    await page.locator('[data-testid="incident-header"] [data-state="resolved"]').waitFor();
    // What a resolved incident may do next is what the page offers.
    await page.getByTestId('move-closed').waitFor();
    expect(await page.getByTestId('move-resolved').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('declares an incident with the form and opens it', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/incidents`);
    await page.getByTestId('declare-open').click();
    await page.getByTestId('declare-title').fill('Checkout buttons do nothing on Safari');
    await page.getByTestId('declare-severity').selectOption('SEV2');
    await page.getByTestId('declare-service').selectOption('shop');
    await page.getByTestId('declare-submit').click();
    await page.waitForURL(/\/incidents\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').at(-1));
    const declared = (await detail(id)).incident;
    expect(declared).toMatchObject({
      title: 'Checkout buttons do nothing on Safari',
      severity: 'SEV2',
      service: 'shop',
      state: 'investigating',
      declaredBy: 'admin',
      roles: { commander: 'admin' },
    });
    await expect.poll(() => page.getByTestId('incident-title').textContent()).toBe(declared.title);
    // An empty title is not sent: the form says what it needs.
    await page.goto(`${server.url}/incidents`);
    await page.getByTestId('declare-open').click();
    const count = (await api<Incident[]>('GET', '/api/v1/incidents?limit=1000')).length;
    await page.getByTestId('declare-submit').click();
    expect(
      await page
        .getByTestId('declare-title')
        .evaluate((el) => (el as HTMLInputElement).validity.valueMissing),
    ).toBe(true);
    expect((await api<Incident[]>('GET', '/api/v1/incidents?limit=1000')).length).toBe(count);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows who is on call now and the coming shifts of each schedule', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'On call', exact: true }).click();
    await page.waitForURL('**/oncall');
    const oncall = await api<OnCallNow[]>('GET', '/api/v1/oncall');
    expect(oncall.map((s) => s.schedule)).toEqual(['primary']);
    const primary = oncall[0] as OnCallNow;
    expect(['alice', 'bob']).toContain(primary.now?.user);
    const card = page.locator('[data-testid="schedule"][data-schedule="primary"]');
    await card.waitFor();
    expect(await card.getByTestId('oncall-now').textContent()).toBe(primary.now?.user);
    expect(await card.getByTestId('oncall-next').textContent()).toBe(primary.next[0]?.user);
    // The calendar: every day of the month grid shows who the API says is on call that day.
    const days = async (month: ReturnType<typeof monthOf>) => {
      const grid = monthGrid(month);
      const [list] = await api<ScheduleShifts[]>(
        'GET',
        `/api/v1/oncall/shifts?from=${grid.from}&to=${grid.to}&schedule=primary`,
      );
      return grid.weeks.flat().map((d) => ({
        key: d.key,
        users: piecesOn(d, list?.shifts ?? [])
          .map((p) => p.user)
          .join(','),
      }));
    };
    const shown = async (month: ReturnType<typeof monthOf>) => {
      await page.locator(`[data-testid="calendar-month"][data-month="${monthParam(month)}"]`).waitFor();
      const expected = await days(month);
      await page.waitForFunction(
        (want) =>
          JSON.stringify(
            [...document.querySelectorAll('[data-schedule="primary"] [data-testid="calendar-day"]')].map(
              (e) => ({
                key: e.getAttribute('data-day'),
                users: e.getAttribute('data-users'),
              }),
            ),
          ) === JSON.stringify(want),
        expected,
      );
      return expected;
    };
    const thisMonth = monthOf(Date.now());
    const current = await shown(thisMonth);
    // The rota began two days ago (UTC midnight): from then on, no day is without someone on call.
    const rotaStart = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
    const grid = monthGrid(thisMonth).weeks.flat();
    const covered = current.filter((_, i) => (grid[i]?.start ?? 0) >= rotaStart);
    expect(covered.length).toBeGreaterThan(0);
    expect(covered.every((d) => d.users !== '')).toBe(true);
    const today = current.find((d) => d.key === new Date().toLocaleDateString('en-CA'));
    expect(today?.users.split(',')).toContain(primary.now?.user);
    await card.getByTestId('calendar-shift').first().waitFor();
    await page.getByTestId('calendar-next').click();
    await page.waitForURL((u) => u.searchParams.get('month') === monthParam(addMonths(thisMonth, 1)));
    const next = await shown(addMonths(thisMonth, 1));
    expect(next.map((d) => d.key)).not.toEqual(current.map((d) => d.key));
    await page.getByTestId('calendar-prev').click();
    await page.getByTestId('calendar-prev').click();
    await shown(addMonths(thisMonth, -1));
    // The month is in the URL: a reload shows the same one.
    await page.reload();
    await shown(addMonths(thisMonth, -1));
    await page.getByTestId('calendar-today').click();
    await shown(thisMonth);
    // The iCal link works with the token it carries (a calendar app sends no header).
    const href = (await card.getByTestId('schedule-ical').getAttribute('href')) ?? '';
    expect(href).toContain('access_token=');
    const ical = await fetch(`${server.url}${href}`);
    expect(ical.status).toBe(200);
    expect(await ical.text()).toContain('BEGIN:VCALENDAR');
    await shot(page, 'oncall.png');
    expect(errors).toEqual([]);
    await page.close();
  });
});
