/**
 * The incident service over a real store (PGlite in memory): events stored
 * but not applied (a crash or a failure between the two transactions) are
 * applied exactly once by recovery or by the sender's replay, in order;
 * acknowledgements, re-triggers and merges keep the timeline and the alerts
 * consistent.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type DrizzleStore, openStore } from '../store/index.ts';
import type { IncidentServiceOptions } from './service.ts';
import { IncidentService } from './service.ts';
import type { IncomingAlert } from './types.ts';

const T0 = Date.UTC(2026, 10, 23, 10, 0);
let store: DrizzleStore;
let clock = T0;

afterAll(async () => {
  await store?.close();
});

beforeEach(async () => {
  await store?.close();
  store = await openStore({ inMemory: true });
  clock = T0;
});

function service(over: Partial<IncidentServiceOptions> = {}): IncidentService {
  return new IncidentService({ store, now: () => clock, ...over });
}

function alert(dedupKey: string, over: Partial<IncomingAlert> = {}): IncomingAlert {
  return {
    origin: 'events-v2',
    integration: 'key',
    dedupKey,
    action: 'trigger',
    summary: `${dedupKey} is failing`,
    severity: 'critical',
    service: `svc-${dedupKey}`,
    labels: {},
    annotations: {},
    startsAt: clock,
    receivedAt: clock,
    ...over,
  };
}

/** A crash right after the event is stored: the hook stands in for the process dying. */
const crashing = () =>
  service({
    afterIngest: () => {
      throw new Error('process killed');
    },
  });

const incidentsTitled = async (title: string) =>
  (await store.listIncidents({ limit: 1000 })).filter((i) => i.title === title);

describe('events stored but not applied', () => {
  it('are applied once at recovery, and a replay afterwards changes nothing', async () => {
    await expect(crashing().intake(alert('a'), 'a/1')).rejects.toThrow('process killed');
    expect(await incidentsTitled('a is failing')).toEqual([]);
    expect((await store.pendingAlertEvents({})).map((p) => p.eventKey)).toEqual(['a/1']);

    const restarted = service();
    expect(await restarted.recover()).toBe(1);
    expect(await restarted.recover()).toBe(0);
    const [incident] = await incidentsTitled('a is failing');
    expect(incident).toBeDefined();
    const replay = await restarted.intake(alert('a'), 'a/1');
    expect(replay).toMatchObject({ duplicate: true, pending: false });
    expect(await incidentsTitled('a is failing')).toHaveLength(1);
    const timeline = await store.listTimeline(incident!.id);
    expect(timeline.filter((e) => e.kind === 'alert-firing')).toHaveLength(1);
    expect((await store.getAlert('a'))?.incidentId).toBe(incident!.id);
  });

  it('are applied by the sender replaying the same event, when no recovery ran', async () => {
    await expect(crashing().intake(alert('b'), 'b/1')).rejects.toThrow();
    const restarted = service();
    const replay = await restarted.intake(alert('b'), 'b/1');
    expect(replay).toMatchObject({ duplicate: true, pending: false, incident: { title: 'b is failing' } });
    expect(await incidentsTitled('b is failing')).toHaveLength(1);
    expect(await restarted.recover()).toBe(0);
  });

  it('are applied in order: a trigger left pending opens the incident before its resolve closes it', async () => {
    await expect(crashing().intake(alert('c'), 'c/1')).rejects.toThrow();
    clock += 60_000;
    const s = service();
    const resolved = await s.intake(alert('c', { action: 'resolve' }), 'c/2');
    expect(resolved.incident).toMatchObject({ title: 'c is failing', state: 'resolved' });
    const timeline = await store.listTimeline(resolved.incident!.id);
    expect(timeline.map((e) => e.kind)).toEqual(['alert-firing', 'alert-resolved', 'state']);
  });

  it('stay pending when applying fails, leave nothing half-written, and are applied once it works', async () => {
    let broken = true;
    const s = service({
      fallbackFor: async () => {
        if (broken) throw new Error('database hiccup');
        return { escalationPolicy: 'web' };
      },
    });
    const outcome = await s.intake(alert('d'), 'd/1');
    expect(outcome).toMatchObject({ duplicate: false, pending: true });
    expect(outcome.incident).toBeUndefined();
    expect(await incidentsTitled('d is failing')).toEqual([]);
    broken = false;
    expect(await s.recover()).toBe(1);
    const [incident] = await incidentsTitled('d is failing');
    // Routed as it would have been at intake: the fallback is read from the event.
    expect(incident?.escalationPolicy).toBe('web');
  });
});

describe('acknowledging and re-triggering', () => {
  it('acknowledges once, succeeds again without a change, re-triggers to triggered, and acknowledges again', async () => {
    const s = service();
    const { incident } = await s.intake(alert('e'), 'e/1');
    const id = incident!.id;
    await store.addPage({
      incidentId: id,
      user: 'alice',
      channel: 'webhook',
      target: 'x',
      at: clock,
      ok: true,
      attempts: 1,
      step: 0,
      round: 0,
    });
    clock += 60_000;
    const first = await s.acknowledge(id, 'alice', { user: 'alice' });
    expect(first).toMatchObject({ changed: true, incident: { state: 'acknowledged' } });
    expect((await store.listPages({ incidentId: id }))[0]?.acknowledgedAt).toBe(clock);
    const again = await s.acknowledge(id, 'bob');
    expect(again).toMatchObject({ changed: false, entries: [] });

    clock += 30 * 60_000;
    const retriggered = await s.retrigger(id, 'no progress for 30m');
    expect(retriggered).toMatchObject({ incident: { state: 'triggered' } });
    const reacked = await s.transition(id, 'acknowledged', 'carol');
    expect(reacked).toMatchObject({
      incident: { state: 'acknowledged', milestones: { acknowledgedAt: T0 + 60_000 } },
    });
    const moves = (await store.listTimeline(id)).filter((e) => e.kind === 'state').map((e) => e.data?.to);
    expect(moves).toEqual(['acknowledged', 'triggered', 'acknowledged']);
    // Declined and the like cannot be acknowledged: the refusal lists the allowed moves.
    await s.transition(id, 'resolved', 'carol');
    const refused = await s.acknowledge(id, 'carol');
    expect(refused).toMatchObject({ error: { status: 409, allowed: ['investigating', 'closed', 'merged'] } });
  });

  it('marks pages acknowledged when an Events v2 sender acknowledges', async () => {
    const s = service();
    const { incident } = await s.intake(alert('f'), 'f/1');
    await store.addPage({
      incidentId: incident!.id,
      user: 'alice',
      channel: 'webhook',
      target: 'x',
      at: clock,
      ok: true,
      attempts: 1,
      step: 0,
      round: 0,
    });
    clock += 120_000;
    await s.intake(alert('f', { action: 'acknowledge' }), 'f/2');
    expect((await store.listPages({ incidentId: incident!.id }))[0]?.acknowledgedAt).toBe(clock);
    const kinds = (await store.listTimeline(incident!.id)).map((e) => e.kind);
    expect(kinds).toEqual(['alert-firing', 'state', 'page-acknowledged']);
  });
});

describe('merging', () => {
  it('refuses an unknown target (404), itself (400), and a target that is not open (409)', async () => {
    const s = service();
    const a = (await s.intake(alert('g1'), 'g1/1')).incident!;
    const b = (await s.intake(alert('g2'), 'g2/1')).incident!;
    expect(await s.merge(a.id, 999_999, 'alice')).toMatchObject({ error: { status: 404 } });
    expect(await s.merge(a.id, a.id, 'alice')).toMatchObject({ error: { status: 400 } });
    expect(await s.transition(a.id, 'merged', 'alice')).toMatchObject({ error: { status: 400 } });
    await s.transition(b.id, 'resolved', 'alice');
    expect(await s.merge(a.id, b.id, 'alice')).toMatchObject({
      error: { status: 409, message: expect.stringContaining('reopen it first') },
    });
    const c = (await s.intake(alert('g3'), 'g3/1')).incident!;
    const d = (await s.intake(alert('g4'), 'g4/1')).incident!;
    expect(await s.merge(c.id, d.id, 'alice')).toMatchObject({
      incident: { state: 'merged', mergedInto: d.id },
    });
    // Into a merged incident: the answer points at where it went.
    expect(await s.merge(a.id, c.id, 'alice')).toMatchObject({
      error: { status: 409, message: expect.stringContaining(`merge into #${d.id} instead`) },
    });
    // A merged incident cannot be merged again.
    expect(await s.merge(c.id, a.id, 'alice')).toMatchObject({ error: { status: 409, allowed: [] } });
    expect((await store.getIncident(a.id))?.state).toBe('triggered');
  });

  it('moves the alerts to the target, says so on both timelines, and resolves the target when they resolve', async () => {
    const s = service();
    const dup = (await s.intake(alert('h1'), 'h1/1')).incident!;
    const main = (await s.intake(alert('h2'), 'h2/1')).incident!;
    const merged = await s.merge(dup.id, main.id, 'alice');
    expect(merged).toMatchObject({ incident: { state: 'merged', mergedInto: main.id } });
    expect((await store.getAlert('h1'))?.incidentId).toBe(main.id);
    const target = await store.getIncident(main.id);
    expect(target?.services).toEqual(['svc-h2', 'svc-h1']);
    const entry = (await store.listTimeline(main.id)).find((e) => e.kind === 'merge');
    expect(entry).toMatchObject({ actor: 'alice', data: { merged: dup.id, alerts: 1 } });
    expect((await store.listTimeline(dup.id)).at(-1)?.text).toBe(`Merged into #${main.id}`);

    // The moved alert resolving reaches the target; the target resolves once both alerts have.
    clock += 60_000;
    await s.intake(alert('h1', { action: 'resolve' }), 'h1/2');
    expect((await store.getIncident(main.id))?.state).toBe('triggered');
    await s.intake(alert('h2', { action: 'resolve' }), 'h2/2');
    expect((await store.getIncident(main.id))?.state).toBe('resolved');
    expect((await store.getIncident(dup.id))?.state).toBe('merged');
    // A later trigger of the moved alert joins the target, not the merged duplicate.
    clock += 60_000;
    const refire = await s.intake(alert('h1'), 'h1/3');
    expect(refire.incident?.id).not.toBe(dup.id);
  });
});
