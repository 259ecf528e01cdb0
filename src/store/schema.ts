/**
 * The database schema, one definition for both drivers (PGlite and
 * PostgreSQL). drizzle-kit generates the migrations in `drizzle/` from it.
 *
 * Every instant is a `bigint` of epoch milliseconds (mode `number`), because
 * the domain model speaks epoch ms everywhere: no Date round trips, no driver
 * differences in timestamp parsing, and cheap integer range scans. Doubles
 * hold up to 2^53 exactly, which epoch ms will not reach.
 */

import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { CheckDefinition, CheckResult } from '../checks/types.ts';
import type { BusinessImpact, IncomingAlert, Milestones, Roles, Task } from '../incidents/index.ts';
import type { LoadSummary, SecondSample } from '../load/types.ts';
import type { ServiceDefinition, SloDefinition } from '../slo/model.ts';
import type { CapacityStep } from './types.ts';

/** Epoch milliseconds as `bigint`, read back as a JS number. */
const epochMs = (name: string) => bigint(name, { mode: 'number' });

/** Spec documents as applied (any kind), so `apply` can tell created from unchanged. */
export const specDocuments = pgTable(
  'spec_documents',
  {
    id: serial('id').primaryKey(),
    apiVersion: text('api_version').notNull(),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    body: jsonb('body').notNull(),
    /** sha256 hex of the canonical JSON of `body`. */
    hash: text('hash').notNull(),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [uniqueIndex('spec_documents_kind_name').on(t.kind, t.name)],
);

/** Services derived from the documents; the domain definition lives in `definition`. */
export const services = pgTable('services', {
  name: text('name').primaryKey(),
  definition: jsonb('definition').$type<ServiceDefinition>().notNull(),
  hash: text('hash').notNull(),
  updatedAt: epochMs('updated_at').notNull(),
});

/** SLOs derived from the documents (references resolved). */
export const slos = pgTable(
  'slos',
  {
    name: text('name').primaryKey(),
    service: text('service').notNull(),
    definition: jsonb('definition').$type<SloDefinition>().notNull(),
    hash: text('hash').notNull(),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [index('slos_service').on(t.service)],
);

/**
 * Per-minute SLI counts. The primary key (slo, minute) is both the upsert
 * target of ingestion and the index of every range read.
 */
export const sliBuckets = pgTable(
  'sli_buckets',
  {
    slo: text('slo').notNull(),
    /** Epoch ms aligned to the minute. */
    minute: epochMs('minute').notNull(),
    good: doublePrecision('good').notNull(),
    total: doublePrecision('total').notNull(),
  },
  (t) => [primaryKey({ columns: [t.slo, t.minute] })],
);

/**
 * Raw threshold samples, only for SLIs whose budgeting method needs them.
 * No primary key: samples are append-only and read by (slo, at) range.
 */
export const sliSamples = pgTable(
  'sli_samples',
  {
    slo: text('slo').notNull(),
    at: epochMs('at').notNull(),
    value: doublePrecision('value').notNull(),
  },
  (t) => [index('sli_samples_slo_at').on(t.slo, t.at)],
);

/**
 * What raised an alert: `slo` (burn rate) or `check` (a synthetic check past
 * its failure threshold; `slo` then holds the check's name). Rows written
 * before checks existed read `slo` through the default.
 */
const alertSource = () => text('source').notNull().default('slo');

/** Every alert state change, append-only: the alert history and the incident feed. */
export const alertEvents = pgTable(
  'alert_events',
  {
    id: serial('id').primaryKey(),
    source: alertSource(),
    slo: text('slo').notNull(),
    service: text('service').notNull(),
    severity: text('severity').notNull(),
    fromState: text('from_state').notNull(),
    toState: text('to_state').notNull(),
    at: epochMs('at').notNull(),
    reason: text('reason'),
    burnRates: jsonb('burn_rates').$type<Record<string, number | null>>().notNull(),
  },
  (t) => [index('alert_events_slo_at').on(t.slo, t.at), index('alert_events_at').on(t.at)],
);

/**
 * The current alert state per source, SLO (or check) and severity, so a
 * restart resumes where it stopped. The source is part of the key so a check
 * and an SLO of the same name keep separate states.
 */
export const alertState = pgTable(
  'alert_state',
  {
    source: alertSource(),
    slo: text('slo').notNull(),
    severity: text('severity').notNull(),
    state: text('state').notNull(),
    since: epochMs('since').notNull(),
    reason: text('reason'),
  },
  (t) => [primaryKey({ columns: [t.source, t.slo, t.severity] })],
);

/** API tokens; only the sha256 of the secret is kept. */
export const apiTokens = pgTable('api_tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  hash: text('hash').notNull().unique('api_tokens_hash'),
  createdAt: epochMs('created_at').notNull(),
});

/**
 * Load-test runs sent with `ballast load run --server`. The plan is kept as
 * sent (JSON); the summary arrives when the run ends.
 */
export const loadRuns = pgTable(
  'load_runs',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    service: text('service'),
    /** running | finished | aborted | failed */
    status: text('status').notNull(),
    plan: jsonb('plan').$type<Record<string, unknown>>().notNull(),
    summary: jsonb('summary').$type<LoadSummary>(),
    startedAt: epochMs('started_at').notNull(),
    finishedAt: epochMs('finished_at'),
  },
  (t) => [
    index('load_runs_started').on(t.startedAt),
    index('load_runs_service_started').on(t.service, t.startedAt),
  ],
);

/** One row per second of a run, pushed while it runs; (run, t) makes a resent second idempotent. */
export const loadRunSeconds = pgTable(
  'load_run_seconds',
  {
    runId: text('run_id')
      .notNull()
      .references(() => loadRuns.id, { onDelete: 'cascade' }),
    /** Seconds since the run started. */
    t: integer('t').notNull(),
    sample: jsonb('sample').$type<SecondSample>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.t] })],
);

/** Measured capacity at SLO per service; history is kept, the latest measurement wins. */
export const serviceCapacity = pgTable(
  'service_capacity',
  {
    id: serial('id').primaryKey(),
    service: text('service').notNull(),
    measuredAt: epochMs('measured_at').notNull(),
    ratePerSecond: doublePrecision('rate_per_second').notNull(),
    slo: text('slo'),
    steps: jsonb('steps').$type<CapacityStep[]>().notNull(),
  },
  (t) => [index('service_capacity_service_at').on(t.service, t.measuredAt)],
);

/** Synthetic checks as applied (the mapped domain definition), like `slos`. */
export const checks = pgTable(
  'checks',
  {
    name: text('name').primaryKey(),
    service: text('service').notNull(),
    definition: jsonb('definition').$type<CheckDefinition>().notNull(),
    /** `hashJson(definition)`: `applyChecks` compares it to report unchanged checks. */
    hash: text('hash').notNull(),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [index('checks_service').on(t.service)],
);

/** The parts of a `CheckResult` no query filters on, kept together as JSON. */
export type CheckResultDetail = Pick<
  CheckResult,
  | 'error'
  | 'conditions'
  | 'phases'
  | 'httpStatus'
  | 'certificateNotAfter'
  | 'certificateChain'
  | 'attempts'
  | 'steps'
  | 'artifacts'
>;

/**
 * Every check execution, append-only. Columns hold what lists filter and sort
 * on; the rest of the result is `detail`. The index serves "a check's results,
 * newest first" and "the newest result per check".
 */
export const checkResults = pgTable(
  'check_results',
  {
    id: serial('id').primaryKey(),
    check: text('check').notNull(),
    service: text('service').notNull(),
    location: text('location').notNull(),
    type: text('type').notNull(),
    startedAt: epochMs('started_at').notNull(),
    durationMs: doublePrecision('duration_ms').notNull(),
    /** pass | degraded | fail */
    status: text('status').notNull(),
    reason: text('reason'),
    detail: jsonb('detail').$type<CheckResultDetail>().notNull(),
  },
  (t) => [
    index('check_results_check_started').on(t.check, t.startedAt.desc()),
    // Retention deletes by age across all checks: without it each prune scans the table.
    index('check_results_started').on(t.startedAt),
  ],
);

/**
 * Result counts per check and UTC day, added to in the transaction that
 * appends the result, so uptime over months never scans the results.
 */
export const checkDaily = pgTable(
  'check_daily',
  {
    check: text('check').notNull(),
    /** UTC midnight, epoch ms. */
    day: epochMs('day').notNull(),
    pass: integer('pass').notNull(),
    degraded: integer('degraded').notNull(),
    fail: integer('fail').notNull(),
  },
  (t) => [primaryKey({ columns: [t.check, t.day] })],
);

/** Each check's failure/recovery threshold state, so a restart keeps counting where it stopped. */
export const checkHealth = pgTable('check_health', {
  check: text('check').primaryKey(),
  /** passing | failing */
  state: text('state').notNull(),
  consecutiveFailures: integer('consecutive_failures').notNull(),
  consecutivePasses: integer('consecutive_passes').notNull(),
  since: epochMs('since').notNull(),
  lastResultAt: epochMs('last_result_at'),
});

/** Heartbeat checks: the secret ping key and the latest ping. */
export const heartbeats = pgTable('heartbeats', {
  check: text('check').primaryKey(),
  key: text('key').notNull().unique('heartbeats_key'),
  lastPingAt: epochMs('last_ping_at'),
  pings: integer('pings').notNull().default(0),
});

// ── incidents ─────────────────────────────────────────────────────────────

/**
 * Every alert event the intake accepted, written before it answers 2xx: the
 * durable log. `event_key` (a hash of the sender's event) is unique, so a
 * replayed event is recognised. `applied_at` is set in the transaction that
 * applies the event to the incidents; an event without it (a crash came
 * between) is applied at start-up, by the sweep, or by the sender's replay.
 */
export const alertEventsIn = pgTable(
  'alert_events_in',
  {
    id: serial('id').primaryKey(),
    eventKey: text('event_key').notNull().unique('alert_events_in_event_key'),
    receivedAt: epochMs('received_at').notNull(),
    /** alertmanager | events-v2 | slo | check */
    origin: text('origin').notNull(),
    /** Integration key it came through; null for Ballast's own alerts. */
    integration: text('integration'),
    dedupKey: text('dedup_key').notNull(),
    /** trigger | acknowledge | resolve */
    action: text('action').notNull(),
    /** The normalised event, whole. */
    body: jsonb('body').$type<IncomingAlert>().notNull(),
    /** When the event reached the incidents; null while pending. */
    appliedAt: epochMs('applied_at'),
  },
  (t) => [index('alert_events_in_pending').on(t.dedupKey, t.id).where(sql`${t.appliedAt} is null`)],
);

/** The current state of each dedup key, moved by the events of `alert_events_in` in their transaction. */
export const alerts = pgTable(
  'alerts',
  {
    id: serial('id').primaryKey(),
    dedupKey: text('dedup_key').notNull().unique('alerts_dedup_key'),
    origin: text('origin').notNull(),
    /** firing | acknowledged | resolved */
    status: text('status').notNull(),
    summary: text('summary').notNull(),
    severity: text('severity').notNull(),
    service: text('service'),
    labels: jsonb('labels').$type<Record<string, string>>().notNull(),
    /** Start of the current episode (a re-fire after a resolve starts a new one). */
    firstSeenAt: epochMs('first_seen_at').notNull(),
    /** Time of the newest event applied; an older event does not move the record. */
    lastSeenAt: epochMs('last_seen_at').notNull(),
    resolvedAt: epochMs('resolved_at'),
    /** The incident of the current episode. */
    incidentId: integer('incident_id').references(() => incidents.id, { onDelete: 'set null' }),
  },
  (t) => [
    index('alerts_incident').on(t.incidentId),
    index('alerts_status_last_seen').on(t.status, t.lastSeenAt),
    index('alerts_last_seen').on(t.lastSeenAt),
  ],
);

/**
 * Incidents; their numbers are the ids. The parts only ever read and written
 * whole with the incident (milestones, roles, impact, tasks, public updates)
 * are JSON; lists filter on the columns.
 */
export const incidents = pgTable(
  'incidents',
  {
    id: serial('id').primaryKey(),
    title: text('title').notNull(),
    state: text('state').notNull(),
    severity: text('severity').notNull(),
    /** high | low */
    urgency: text('urgency').notNull(),
    /** The service the incident is routed by. */
    service: text('service'),
    /** Every service affected. */
    services: jsonb('services').$type<string[]>().notNull(),
    escalationPolicy: text('escalation_policy'),
    createdAt: epochMs('created_at').notNull(),
    /** Compared by `updateIncident` for optimistic concurrency. */
    updatedAt: epochMs('updated_at').notNull(),
    milestones: jsonb('milestones').$type<Milestones>().notNull(),
    roles: jsonb('roles').$type<Roles>().notNull(),
    impact: jsonb('impact').$type<BusinessImpact>().notNull(),
    tasks: jsonb('tasks').$type<Task[]>().notNull(),
    mergedInto: integer('merged_into'),
    declaredBy: text('declared_by'),
    /** Markdown. */
    postmortem: text('postmortem'),
    /** Who stored the postmortem by hand and when; null for a generated draft (or none). */
    postmortemEdit: jsonb('postmortem_edit').$type<{ at: number; by: string }>(),
    /** Stored before public updates had titles: those read back with a stand-in title. */
    publicUpdates: jsonb('public_updates').$type<{ at: number; title?: string; body: string }[]>().notNull(),
  },
  (t) => [
    index('incidents_state').on(t.state),
    index('incidents_service_created').on(t.service, t.createdAt),
    index('incidents_created').on(t.createdAt),
  ],
);

/** What happened during an incident, append-only, read in `(at, id)` order. */
export const incidentTimeline = pgTable(
  'incident_timeline',
  {
    id: serial('id').primaryKey(),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    at: epochMs('at').notNull(),
    kind: text('kind').notNull(),
    actor: text('actor').notNull(),
    text: text('text').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>(),
  },
  (t) => [index('incident_timeline_incident_at').on(t.incidentId, t.at, t.id)],
);

/** Intake integrations: the random key in an intake URL or Events v2 `routing_key`, and where its alerts go. */
export const integrations = pgTable('integrations', {
  key: text('key').primaryKey(),
  name: text('name').notNull(),
  /** alertmanager | events-v2 */
  kind: text('kind').notNull(),
  service: text('service'),
  escalationPolicy: text('escalation_policy'),
  createdAt: epochMs('created_at').notNull(),
});

// ── paging ────────────────────────────────────────────────────────────────

/**
 * Every page sent (or tried) about an incident, append-only but for
 * `acknowledged_at`. `user` is null for a channel target (a Slack channel, a
 * webhook). The indexes serve an incident's page log, a user's paging
 * history, and all pages in a time range.
 */
export const pages = pgTable(
  'pages',
  {
    id: serial('id').primaryKey(),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    user: text('user'),
    /** webhook | email | slack */
    channel: text('channel').notNull(),
    /** Where it went, as shown (secrets masked). */
    target: text('target').notNull(),
    at: epochMs('at').notNull(),
    ok: boolean('ok').notNull(),
    attempts: integer('attempts').notNull(),
    error: text('error'),
    /** Escalation step and round (0-based) that sent it. */
    step: integer('step').notNull(),
    round: integer('round').notNull(),
    acknowledgedAt: epochMs('acknowledged_at'),
  },
  (t) => [
    index('pages_incident_at').on(t.incidentId, t.at),
    index('pages_user_at').on(t.user, t.at),
    index('pages_at').on(t.at),
  ],
);

/**
 * Maintenance windows `[start, end)` of a service: alerts during one are
 * recorded but page nobody. Ending one early lowers `end`.
 */
export const maintenanceWindows = pgTable(
  'maintenance_windows',
  {
    id: serial('id').primaryKey(),
    service: text('service').notNull(),
    start: epochMs('start').notNull(),
    end: epochMs('end').notNull(),
    reason: text('reason'),
    /** A user, or e.g. `chaos:EXPERIMENT`. */
    createdBy: text('created_by').notNull(),
  },
  (t) => [index('maintenance_windows_service_start').on(t.service, t.start)],
);

/**
 * Chaos experiment runs. The controller (`ballast chaos run --server`) creates
 * one, streams its journal, and finishes it with the report; `leases` lists
 * the fault daemons' leases it holds, so a halt can release them even when
 * the controller hangs.
 */
export const chaosRuns = pgTable(
  'chaos_runs',
  {
    id: text('id').primaryKey(),
    experiment: text('experiment').notNull(),
    service: text('service').notNull(),
    /** running | held | deviated | aborted | precondition_failed | refused | failed | lost */
    status: text('status').notNull(),
    definition: jsonb('definition').$type<Record<string, unknown>>().notNull(),
    plan: jsonb('plan').$type<string[]>().notNull(),
    guards: jsonb('guards').$type<Record<string, unknown>>().notNull(),
    report: jsonb('report').$type<Record<string, unknown>>(),
    leases: jsonb('leases').$type<{ daemon: string; id: string }[]>().notNull(),
    maintenanceId: integer('maintenance_id'),
    /** Incidents of the service that already got this run's entries on their timeline. */
    incidents: jsonb('incidents').$type<number[]>().notNull(),
    haltRequested: boolean('halt_requested').notNull(),
    controller: text('controller').notNull(),
    startedAt: epochMs('started_at').notNull(),
    lastSeenAt: epochMs('last_seen_at').notNull(),
    finishedAt: epochMs('finished_at'),
  },
  (t) => [
    index('chaos_runs_started').on(t.startedAt),
    index('chaos_runs_service_started').on(t.service, t.startedAt),
  ],
);

/** A run's journal, in the order the controller sent it; (run, seq) makes a resent batch idempotent. */
export const chaosJournal = pgTable(
  'chaos_journal',
  {
    runId: text('run_id')
      .notNull()
      .references(() => chaosRuns.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    entry: jsonb('entry').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);
