/**
 * The incident side of `ballast serve`: the incident service wired to the
 * store and the bus, the recovery of alert events stored but not applied
 * (at start-up and by a periodic sweep), and the SLO and check transitions a
 * crash may have kept from the intake.
 */
import {
  type GroupingRules,
  IncidentService,
  type RoutingFallback,
  type RoutingRule,
} from '../incidents/index.ts';
import type { Store } from '../store/types.ts';
import type { EventBus } from './bus.ts';
import { policyRoutingRules } from './oncall-directory.ts';

type Log = (level: 'info' | 'warn' | 'error', msg: string, err?: unknown) => void;

export interface IncidentRuntimeOptions {
  store: Store;
  bus: EventBus;
  now: () => number;
  grouping?: GroupingRules;
  routing?: RoutingRule[];
  /** How often pending alert events are retried (default 30 s). */
  recoverEveryMs?: number;
  log: Log;
}

/**
 * The environment variable that opens the crash window for the durability
 * test: the process kills itself after storing an event and before applying it.
 */
export const CRASH_AFTER_INGEST_ENV = 'BALLAST_TEST_CRASH_AFTER_INGEST';

/** How far back the SLO and check transitions are taken again at start-up. */
const RETAKE_WINDOW_MS = 7 * 86_400_000;

/**
 * Creates the incident service, applies what a crash left pending, and
 * subscribes it to the bus before anything can publish an alert. Returns the
 * service and a stop function for the sweep.
 */
export async function startIncidents(
  opts: IncidentRuntimeOptions,
): Promise<{ incidents: IncidentService; retake: () => Promise<void>; stop: () => void }> {
  const { store, bus, now, log } = opts;
  const incidents = new IncidentService({
    store,
    now,
    ...(opts.grouping ? { grouping: opts.grouping } : {}),
    ...(opts.routing ? { routing: opts.routing } : {}),
    routingFrom: () => policyRoutingRules(store),
    fallbackFor: (alert) => integrationFallback(store, alert.integration),
    onChange: (incident, entries) => bus.emit('incident', { incident, entries }),
    ...(process.env[CRASH_AFTER_INGEST_ENV] === '1'
      ? { afterIngest: () => void process.kill(process.pid, 'SIGKILL') }
      : {}),
    log,
  });
  const recovered = await incidents.recover();
  if (recovered > 0) log('info', `applied ${recovered} alert event(s) stored before a stop but not applied`);
  // SLO burn-rate alerts and failing checks open incidents like any other alert.
  bus.on('alert', (t) => {
    incidents
      .intakeTransition(t)
      ?.catch((err) => log('error', `could not take alert ${t.slo} into incidents`, err));
  });
  const sweep = setInterval(() => {
    incidents.recover().catch((err) => log('error', 'applying pending alert events failed', err));
  }, opts.recoverEveryMs ?? 30_000);
  sweep.unref();
  return {
    incidents,
    retake: () => retakeTransitions(store, incidents, now()),
    stop: () => clearInterval(sweep),
  };
}

/**
 * The latest transition of every SLO and check alert of the last week, taken
 * into the incidents again. A transition is stored before it is published, so
 * a crash in between kept it from the intake; its event key depends on the
 * transition only, so one that did arrive is a replay and changes nothing.
 */
async function retakeTransitions(store: Store, incidents: IncidentService, now: number): Promise<void> {
  const latest = new Map<string, Awaited<ReturnType<Store['listAlertEvents']>>[number]>();
  for (const e of await store.listAlertEvents({ since: now - RETAKE_WINDOW_MS }))
    latest.set(`${e.source ?? 'slo'}:${e.slo}:${e.severity}`, e);
  for (const t of latest.values()) await incidents.intakeTransition(t);
}

async function integrationFallback(store: Store, key: string | undefined): Promise<RoutingFallback> {
  if (key === undefined) return {};
  const i = await store.findIntegration(key);
  return {
    ...(i?.service !== undefined ? { service: i.service } : {}),
    ...(i?.escalationPolicy !== undefined ? { escalationPolicy: i.escalationPolicy } : {}),
  };
}
