import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../src/slo/model.ts';
import { ADMIN, applyFixtures, type Harness, startHarness } from './server-harness.ts';

const SLO = 'checkout-availability';

/** A full outage over the last hour: enough to fire the 1h/5m page of a 30-day SLO. */
function outage(now: number) {
  return Array.from({ length: 60 }, (_, i) => ({
    timestamp: now - (i + 1) * MINUTE_MS + 1000,
    good: 0,
    total: 100,
  }));
}

/** Reads server-sent events until one matches. */
async function nextSseEvent(
  url: string,
  // biome-ignore lint/suspicious/noExplicitAny: SSE payloads are asserted field by field
  match: (event: string, data: any) => boolean,
  trigger: () => Promise<void>,
) {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${ADMIN}` }, signal: controller.signal });
  if (!res.body) throw new Error('no SSE body');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let triggered = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('SSE stream ended');
      buffer += value;
      if (!triggered && buffer.includes(': connected')) {
        triggered = true;
        await trigger();
      }
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) {
          const parsed = JSON.parse(data);
          if (match(event, parsed)) return { event, data: parsed };
        }
        cut = buffer.indexOf('\n\n');
      }
    }
  } finally {
    controller.abort();
  }
}

describe('alerting', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
    await applyFixtures(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('streams the page transition over SSE after an outage is posted', async () => {
    const got = await nextSseEvent(
      `${h.server.url}/api/v1/events`,
      (event, data) => event === 'alert' && data.slo === SLO && data.to === 'firing',
      async () => {
        const res = await h.call('POST', `/api/v1/slos/${SLO}/events`, {
          body: { events: outage(h.clock.now) },
        });
        expect(res.status).toBe(200);
      },
    );
    expect(got.data.severity).toBe('page');
    expect(got.data.burnRates['1h']).toBeCloseTo(100, 6);
    const stored = await h.call('GET', `/api/v1/slos/${SLO}/alerts`);
    expect(
      stored.json.some((e: { to: string; severity: string }) => e.to === 'firing' && e.severity === 'page'),
    ).toBe(true);
    const summary = (await h.call('GET', `/api/v1/slos/${SLO}`)).json.summary;
    expect(summary.alertState).toBe('page');
  });

  it('keeps data and alert state across a restart on the same database', async () => {
    const before = (await h.call('GET', `/api/v1/slos/${SLO}/alerts`)).json;
    const status = (await h.call('GET', `/api/v1/slos/${SLO}`)).json.summary.status;
    await h.restart();
    await h.server.runtime.evaluate();
    const after = (await h.call('GET', `/api/v1/slos/${SLO}`)).json.summary;
    expect(after.status.events).toEqual(status.events);
    expect(after.alertState).toBe('page');
    // No duplicate transition: the restarted server continues the stored state.
    expect((await h.call('GET', `/api/v1/slos/${SLO}/alerts`)).json).toEqual(before);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('Alertmanager', () => {
  let am: ChildProcess | undefined;
  let dir: string;
  let amUrl: string;
  let h: Harness;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ballast-am-'));
    await writeFile(
      join(dir, 'am.yml'),
      'route:\n  receiver: blackhole\n  group_wait: 1s\nreceivers:\n  - name: blackhole\n',
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = spawn(
      '/usr/bin/prometheus-alertmanager',
      [
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        `--storage.path=${join(dir, 'data')}`,
        `--config.file=${join(dir, 'am.yml')}`,
      ],
      { stdio: 'ignore' },
    );
    for (;;) {
      const ready = await fetch(`${amUrl}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (am.exitCode !== null) throw new Error(`alertmanager exited with ${am.exitCode}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Alertmanager drops alerts whose endsAt is already past, so this server runs on the real clock.
    h = await startHarness('pglite', { alertmanagerUrl: amUrl });
    h.clock.now = Date.now();
    await applyFixtures(h);
  });
  afterAll(async () => {
    await h?.close();
    // Alertmanager writes its snapshot on the way out: wait for the exit before removing its directory.
    if (am && am.exitCode === null && am.signalCode === null) {
      const exited = new Promise((resolve) => am?.once('exit', resolve));
      am.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('receives the firing page with the SLO labels', async () => {
    h.clock.now = Date.now();
    const res = await h.call('POST', `/api/v1/slos/${SLO}/events`, { body: { events: outage(h.clock.now) } });
    expect(res.status).toBe(200);
    await h.server.runtime.evaluate();
    let alerts: { labels: Record<string, string>; status: { state: string } }[] = [];
    for (let i = 0; i < 100; i++) {
      alerts = await (await fetch(`${amUrl}/api/v2/alerts`)).json();
      if (alerts.some((a) => a.labels.ballast_slo === SLO && a.labels.severity === 'page')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ours = alerts.find((a) => a.labels.ballast_slo === SLO && a.labels.severity === 'page');
    expect(ours?.labels).toMatchObject({
      alertname: 'BallastSLOBurnRate',
      ballast_slo: SLO,
      service: 'checkout',
      severity: 'page',
    });
    expect(ours?.status.state).toBe('active');
  });
});
