/**
 * `npm start` runs `ballast serve --specs examples --demo`: the demo must start
 * on the real server with the real examples and give every events-sourced SLO
 * live numbers (backfilled history plus probes of its own loopback service).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server/index.ts';
import type { SloSummary } from '../src/server/schemas.ts';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ port: 0, inMemory: true, specsDir: 'examples', demo: true, publicRead: true });
});

afterAll(async () => {
  await server?.close();
});

async function summaries(): Promise<SloSummary[]> {
  const res = await fetch(`${server.url}/api/v1/slos`);
  expect(res.status).toBe(200);
  return (await res.json()) as SloSummary[];
}

describe('the demo behind npm start', () => {
  it('gives every events-sourced example SLO an SLI, a budget and burn rates right after start', async () => {
    const events = (await summaries()).filter((s) => s.source === 'events');
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const slo of events) {
      expect(slo.status.sli, slo.name).not.toBeNull();
      expect(slo.status.budget.remainingRatio, slo.name).not.toBeNull();
      expect(slo.fastestBurn, slo.name).not.toBeNull();
    }
  });

  it('keeps feeding the SLOs: the event count grows while the server runs', async () => {
    const before = new Map((await summaries()).map((s) => [s.name, s.status.events.total]));
    // The demo probes every 3 s; poll (bounded) until a round has landed.
    let grown = false;
    for (let i = 0; i < 40 && !grown; i++) {
      await new Promise((r) => setTimeout(r, 250));
      grown = (await summaries()).some(
        (s) => s.source === 'events' && s.status.events.total > (before.get(s.name) ?? 0),
      );
    }
    expect(grown).toBe(true);
  });

  it('shows SLOs it cannot measure as no data, never as ok', async () => {
    const prometheus = (await summaries()).filter((s) => s.source === 'prometheus');
    expect(prometheus.length).toBeGreaterThan(0);
    for (const slo of prometheus) expect(slo.alertState, slo.name).toBe('no_data');
  });

  it('runs synthetic checks against the demo service: results, a pinged heartbeat and a live status page', async () => {
    type Row = { name: string; latest: { status: string } | null; uptime30d: number | null };
    const rows = async () => (await (await fetch(`${server.url}/api/v1/checks`)).json()) as Row[];
    const names = (await rows()).map((r) => r.name);
    for (const n of [
      'checkout-home',
      'checkout-api-health',
      'checkout-cart-flow',
      'checkout-port',
      'checkout-nightly-export',
    ])
      expect(names).toContain(n);
    // The demo's job pings its heartbeat at start; the other checks have 90 days of backfilled history.
    const heartbeat = (await rows()).find((r) => r.name === 'checkout-nightly-export');
    expect(heartbeat?.latest?.status).toBe('pass');
    expect((await rows()).find((r) => r.name === 'checkout-home')?.uptime30d).toBeGreaterThan(0.5);
    // Scheduled runs against the demo service land within their first interval (bounded poll).
    let ran = false;
    for (let i = 0; i < 150 && !ran; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ran = (await rows()).some((r) => r.name === 'checkout-cart-flow' && r.latest?.status === 'pass');
    }
    expect(ran).toBe(true);
    const status = await fetch(`${server.url}/api/v1/status/storefront`);
    expect(status.status).toBe(200);
    const page = (await status.json()) as {
      components: { name: string; uptime: { ratio: number | null } }[];
    };
    expect(page.components.map((c) => c.name)).toContain('checkout');
    expect(page.components.find((c) => c.name === 'checkout')?.uptime.ratio).not.toBeNull();
  }, 60_000);
});
