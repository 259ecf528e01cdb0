/**
 * Chaos runs on a real server: the guards refuse on a spent budget, a freeze
 * or an open incident (and say why, and keep the refusal); a run that starts
 * opens a maintenance window, streams its journal, lands on the timeline of an
 * incident that opens meanwhile, is halted for its controller, and ends the
 * window when it finishes; a silent controller's run is marked lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reapSilentChaosRuns } from '../src/server/chaos-runs.ts';
import { DRIVERS, type Harness, startHarness } from './server-harness.ts';

const HOUR = 3_600_000;

const service = (name: string) => `apiVersion: openslo/v1
kind: Service
metadata: { name: ${name} }
spec: { description: ${name} }
`;
const slo = (name: string, svc: string) => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: ${svc}
  indicator:
    metadata: { name: ${name}-sli }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Ballast } }
        total: { metricSource: { type: Ballast } }
  timeWindow: [{ duration: 7d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.99 }]
`;

function runBody(svc: string, override = false) {
  return {
    experiment: `${svc}-latency`,
    service: svc,
    definition: { name: `${svc}-latency` },
    plan: ['   0.0s  fault pg: toxic latency on proxy pg downstream, reverted at 10.0s'],
    expectedDurationMs: 60_000,
    override,
    controller: 'test (pid 1)',
  };
}

for (const driver of DRIVERS) {
  describe(`chaos runs on the server (${driver})`, () => {
    let h: Harness;

    beforeAll(async () => {
      h = await startHarness(driver);
      const iso = (ms: number) => new Date(ms).toISOString();
      const docs = [
        service('calm'),
        slo('calm-availability', 'calm'),
        service('spent'),
        slo('spent-availability', 'spent'),
        service('frozen'),
        slo('frozen-availability', 'frozen'),
        `apiVersion: ballast.dev/v1
kind: ErrorBudgetPolicy
metadata: { name: frozen-policy }
spec:
  service: frozen
  freezes:
    - { start: "${iso(h.clock.now - HOUR)}", end: "${iso(h.clock.now + 24 * HOUR)}", reason: peak season }
`,
        service('busy'),
        slo('busy-availability', 'busy'),
      ];
      const applied = await h.call('POST', '/api/v1/apply', {
        body: { documents: docs.map((content, i) => ({ file: `specs/${i}.yaml`, content })) },
      });
      expect(applied.status).toBe(200);
      const events = (good: number, total: number) => ({
        body: { events: [{ timestamp: h.clock.now - 60_000, good, total }] },
      });
      for (const s of ['calm', 'frozen', 'busy'])
        expect(
          (await h.call('POST', `/api/v1/slos/${s}-availability/events`, events(1000, 1000))).status,
        ).toBe(200);
      expect((await h.call('POST', '/api/v1/slos/spent-availability/events', events(500, 1000))).status).toBe(
        200,
      );
      const declared = await h.call('POST', '/api/v1/incidents', {
        body: { title: 'busy is slow', severity: 'SEV2', service: 'busy' },
      });
      expect(declared.status).toBe(201);
      await h.server.runtime.evaluate();
    });

    afterAll(async () => {
      await h?.close();
    });

    it('lets an experiment start on a service with budget, no freeze and no incident', async () => {
      const g = await h.call('GET', '/api/v1/chaos/guards/calm');
      expect(g.status).toBe(200);
      expect(g.json.pass).toBe(true);
      expect(g.json.reasons[0].message).toContain('calm-availability has 100% of its error budget left');
    });

    const refusals = [
      { svc: 'spent', kind: 'budget', text: 'spent-availability has' },
      { svc: 'frozen', kind: 'freeze', text: 'peak season' },
      { svc: 'busy', kind: 'incident', text: '"busy is slow" is open for busy' },
    ];
    for (const r of refusals)
      it(`refuses a run on ${r.svc} with the ${r.kind} reason, and keeps the refusal`, async () => {
        const res = await h.call('POST', '/api/v1/chaos/runs', { body: runBody(r.svc) });
        expect(res.status).toBe(409);
        expect(res.json.error).toBe('refused');
        const reason = res.json.details.find((d: { path: string }) => d.path === r.kind);
        expect(reason.message).toContain(r.text);
        const kept = await h.call('GET', `/api/v1/chaos/runs?service=${r.svc}&status=refused`);
        expect(kept.json).toHaveLength(1);
        const maintenance = await h.call('GET', `/api/v1/services/${r.svc}/maintenance`);
        expect(maintenance.json).toEqual([]);
      });

    it('starts a refused run only with the explicit override, and records that it was overridden', async () => {
      const res = await h.call('POST', '/api/v1/chaos/runs', { body: runBody('frozen', true) });
      expect(res.status).toBe(201);
      expect(res.json.guards.overridden).toBe(true);
      const halted = await h.call('POST', '/api/v1/chaos/halt');
      expect(halted.json.runs).toContain(res.json.id);
      const done = await h.call('POST', `/api/v1/chaos/runs/${res.json.id}/finish`, {
        body: { report: { outcome: 'aborted', headline: 'halted' } },
      });
      expect(done.status).toBe(200);
    });

    it('runs a journal through to the report, mirrors it onto a new incident, and honours a halt', async () => {
      const started = await h.call('POST', '/api/v1/chaos/runs', { body: runBody('calm') });
      expect(started.status).toBe(201);
      const id = started.json.id as string;
      const windows = await h.call('GET', '/api/v1/services/calm/maintenance');
      expect(windows.json.map((w: { id: number }) => w.id)).toContain(started.json.maintenanceId);

      const t = h.clock.now;
      const first = await h.call('POST', `/api/v1/chaos/runs/${id}/journal`, {
        body: {
          from: 0,
          entries: [
            { t, type: 'phase', phase: 'method' },
            { t, type: 'action', action: 'apply', step: 'pg', ok: true, detail: 'toxic latency on proxy pg' },
          ],
          leases: [{ daemon: 'http://127.0.0.1:9', id: 'lease-1' }],
        },
      });
      expect(first.json).toEqual({ halt: false });
      // A resent batch changes nothing.
      await h.call('POST', `/api/v1/chaos/runs/${id}/journal`, {
        body: { from: 0, entries: [{ t, type: 'phase', phase: 'method' }] },
      });

      h.clock.now += 1_000;
      const incident = await h.call('POST', '/api/v1/incidents', {
        body: { title: 'calm errors', severity: 'SEV3', service: 'calm' },
      });
      expect(incident.status).toBe(201);
      await h.call('POST', `/api/v1/chaos/runs/${id}/journal`, {
        body: {
          from: 2,
          entries: [{ t: h.clock.now, type: 'deviation', phase: 'method', probe: 'api', detail: 'HTTP 503' }],
        },
      });
      const detail = await h.call('GET', `/api/v1/incidents/${incident.json.id}`);
      const chaos = detail.json.timeline.filter((e: { kind: string }) => e.kind === 'chaos');
      expect(chaos.map((e: { text: string }) => e.text)).toEqual([
        expect.stringContaining(`chaos run calm-latency (${id}) was running on calm`),
        'chaos run calm-latency: steady state deviated (api: HTTP 503)',
      ]);

      const halt = await h.call('POST', '/api/v1/chaos/halt');
      expect(halt.status).toBe(200);
      expect(halt.json.runs).toEqual([id]);
      // The lease's daemon is down: the halt says so instead of pretending.
      expect(halt.json.errors[0]).toContain('127.0.0.1:9');
      const again = await h.call('POST', `/api/v1/chaos/runs/${id}/journal`, {
        body: { from: 3, entries: [{ t: h.clock.now, type: 'abort', reason: 'halted' }] },
      });
      expect(again.json).toEqual({ halt: true });

      const finished = await h.call('POST', `/api/v1/chaos/runs/${id}/finish`, {
        body: { report: { outcome: 'aborted', headline: 'calm-latency: aborted (halted)' } },
      });
      expect(finished.json.status).toBe('aborted');
      const stored = await h.call('GET', `/api/v1/chaos/runs/${id}`);
      expect(stored.json.journal.map((e: { type: string }) => e.type)).toEqual([
        'phase',
        'action',
        'deviation',
        'abort',
      ]);
      expect(stored.json.report.headline).toBe('calm-latency: aborted (halted)');
      const open = await h.call('GET', '/api/v1/services/calm/maintenance');
      expect(open.json).toEqual([]);
      expect((await h.call('POST', '/api/v1/chaos/halt')).json.runs).toEqual([]);
      const late = await h.call('POST', `/api/v1/chaos/runs/${id}/journal`, {
        body: { from: 4, entries: [] },
      });
      expect(late.status).toBe(409);
    });

    it('halts one run without touching another, idempotently', async () => {
      // The incident of an earlier test is still open on calm: the override lets these start.
      const a = await h.call('POST', '/api/v1/chaos/runs', { body: runBody('calm', true) });
      const b = await h.call('POST', '/api/v1/chaos/runs', { body: runBody('calm', true) });
      expect([a.status, b.status]).toEqual([201, 201]);
      const one = await h.call('POST', `/api/v1/chaos/runs/${a.json.id}/halt`);
      expect(one.status).toBe(200);
      expect(one.json).toEqual({ runs: [a.json.id], leasesReleased: 0, errors: [] });
      const other = await h.call('POST', `/api/v1/chaos/runs/${b.json.id}/journal`, {
        body: { from: 0, entries: [] },
      });
      expect(other.json).toEqual({ halt: false });
      const halted = await h.call('POST', `/api/v1/chaos/runs/${a.json.id}/journal`, {
        body: { from: 0, entries: [] },
      });
      expect(halted.json).toEqual({ halt: true });
      expect((await h.call('POST', '/api/v1/chaos/runs/nope/halt')).status).toBe(404);
      for (const id of [a.json.id, b.json.id])
        await h.call('POST', `/api/v1/chaos/runs/${id}/finish`, {
          body: { report: { outcome: 'aborted', headline: 'x' } },
        });
      // Ended: halting it again halts nothing.
      expect((await h.call('POST', `/api/v1/chaos/runs/${a.json.id}/halt`)).json.runs).toEqual([]);
    });

    it('refuses bad bodies with the field named', async () => {
      const res = await h.call('POST', '/api/v1/chaos/runs', {
        body: { ...runBody('calm'), expectedDurationMs: -1 },
      });
      expect(res.status).toBe(400);
      expect(res.json.details[0].path).toBe('expectedDurationMs');
      const unknown = await h.call('POST', '/api/v1/chaos/runs', { body: runBody('nope') });
      expect(unknown.status).toBe(404);
      // The list's status filter takes only statuses a run can have.
      const status = await h.call('GET', '/api/v1/chaos/runs?status=finished');
      expect(status.status).toBe(400);
      expect(status.json.details[0].path).toBe('status');
      expect((await h.call('GET', '/api/v1/chaos/runs?status=lost&service=calm')).status).toBe(200);
    });

    it('marks a run whose controller went silent as lost and ends its window', async () => {
      // The incident of the test before is still open: only the override lets this one start.
      const started = await h.call('POST', '/api/v1/chaos/runs', { body: runBody('calm', true) });
      expect(started.status).toBe(201);
      h.clock.now += 61_000;
      const reaped = await reapSilentChaosRuns(h.server.context);
      expect(reaped).toEqual([started.json.id]);
      const run = await h.call('GET', `/api/v1/chaos/runs/${started.json.id}`);
      expect(run.json.status).toBe('lost');
      expect((await h.call('GET', '/api/v1/services/calm/maintenance')).json).toEqual([]);
    });
  });
}
