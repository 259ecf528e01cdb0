/**
 * The server's side of chaos runs: the guards from live facts, the
 * maintenance window a run opens, mirroring a run onto the timeline of any
 * incident of its service that opens meanwhile, halting everything, and
 * ending runs whose controller went silent.
 */
import { decideGuards, FaultDaemonClient, FaultDaemonError, type GuardDecision } from '../chaos/index.ts';
import { ACTIVE_STATES } from '../incidents/index.ts';
import type { ChaosRunRecord } from '../store/types.ts';
import { gateFor } from './check-views.ts';
import type { ServerContext } from './context.ts';

/** A controller reports at least every probe interval; silent this long, its run is marked lost. */
export const CHAOS_RUN_SILENCE_MS = 60_000;

/** The guards of a service now: budget and freezes (as the gate sees them) and open incidents. */
export async function chaosGuards(
  ctx: ServerContext,
  service: string,
  override: boolean,
): Promise<GuardDecision> {
  const gate = await gateFor(ctx, service);
  const open = await ctx.store.listIncidents({ states: [...ACTIVE_STATES], service, limit: 50 });
  return decideGuards({
    service,
    gateReasons: gate.reasons,
    openIncidents: open.map((i) => ({ id: i.id, title: i.title, severity: i.severity, state: i.state })),
    override,
  });
}

/** A public view of a stored run (without the definition and journal). */
export function toChaosRun(run: ChaosRunRecord) {
  const { definition: _d, incidents: _i, ...rest } = run;
  return rest;
}

const ACTIONS = new Set(['action', 'abort', 'deviation']);

/** One timeline line for a journal entry worth a responder's attention, or undefined. */
function timelineText(run: ChaosRunRecord, e: Record<string, unknown>): string | undefined {
  if (!ACTIONS.has(String(e.type))) return undefined;
  if (e.type === 'abort') return `chaos run ${run.experiment} aborted: ${String(e.reason)}`;
  if (e.type === 'deviation')
    return `chaos run ${run.experiment}: steady state deviated (${String(e.probe)}: ${String(e.detail)})`;
  if (e.action === 'apply' || e.action === 'revert')
    return `chaos run ${run.experiment}: ${e.action === 'apply' ? 'fault applied' : 'fault reverted'} ${String(e.step)}${e.ok ? '' : ' (failed)'}: ${String(e.detail)}`;
  return undefined;
}

/**
 * Puts a run on the timeline of each active incident of its service opened
 * since the run started: a summary entry the first time, then the run's
 * faults, aborts and deviations as they arrive.
 */
export async function mirrorToIncidents(
  ctx: ServerContext,
  run: ChaosRunRecord,
  entries: Record<string, unknown>[],
): Promise<void> {
  const open = await ctx.store.listIncidents({
    states: [...ACTIVE_STATES],
    service: run.service,
    since: run.startedAt,
    limit: 20,
  });
  if (open.length === 0) return;
  const known = new Set(run.incidents);
  const lines = entries.flatMap((e) => {
    const text = timelineText(run, e);
    return text ? [{ text, data: { chaosRun: run.id, entry: e } }] : [];
  });
  for (const incident of open) {
    const batch = lines.map((l) => ({ kind: 'chaos' as const, actor: `chaos:${run.experiment}`, ...l }));
    if (!known.has(incident.id)) {
      batch.unshift({
        kind: 'chaos',
        actor: `chaos:${run.experiment}`,
        text: `chaos run ${run.experiment} (${run.id}) was running on ${run.service} when this incident opened; its faults: ${run.plan.join(' | ')}`,
        data: { chaosRun: run.id, entry: {} },
      });
      known.add(incident.id);
    }
    if (batch.length > 0) await ctx.incidents.annotate(incident.id, batch);
  }
  if (known.size !== run.incidents.length) await ctx.store.setChaosRunIncidents(run.id, [...known]);
}

/** Ends the run's maintenance window (the faults are gone, alerts page again). */
export async function endRunMaintenance(ctx: ServerContext, run: ChaosRunRecord): Promise<void> {
  if (run.maintenanceId !== null) await ctx.store.endMaintenance(run.maintenanceId, ctx.now());
}

/**
 * Halts every running run (or the one `id`): flags it (its controller stops
 * on its next report) and releases its leases at the fault daemons directly,
 * so the faults go now even when a controller hangs. Idempotent.
 */
export async function haltRuns(
  ctx: ServerContext,
  id?: string,
): Promise<{ runs: string[]; leasesReleased: number; errors: string[] }> {
  const runs = await ctx.store.requestChaosHalt(id);
  let leasesReleased = 0;
  const errors: string[] = [];
  await Promise.all(
    runs.flatMap((run) =>
      run.leases.map(async (lease) => {
        try {
          await new FaultDaemonClient(lease.daemon, { timeoutMs: 5_000 }).releaseLease(lease.id);
          leasesReleased += 1;
        } catch (err) {
          // 404: the lease already lapsed or was released, which is what a halt wants.
          if (!(err instanceof FaultDaemonError && err.status === 404))
            errors.push(`${lease.daemon}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    ),
  );
  return { runs: runs.map((r) => r.id), leasesReleased, errors };
}

/** Marks runs whose controller went silent as lost; their faults lapse with their leases. */
export async function reapSilentChaosRuns(
  ctx: ServerContext,
  silenceMs: number = CHAOS_RUN_SILENCE_MS,
): Promise<string[]> {
  const now = ctx.now();
  const reaped: string[] = [];
  for (const run of await ctx.store.silentChaosRuns(now - silenceMs)) {
    const ended = await ctx.store.finishChaosRun(run.id, { status: 'lost', finishedAt: now });
    if (!ended) continue;
    await endRunMaintenance(ctx, ended);
    ctx.bus.emit('chaos', { run: toChaosRun(ended) });
    reaped.push(run.id);
  }
  return reaped;
}
