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
});
