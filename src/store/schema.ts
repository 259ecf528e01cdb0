/**
 * The database schema, one definition for both drivers (PGlite and
 * PostgreSQL). drizzle-kit generates the migrations in `drizzle/` from it.
 *
 * Every instant is a `bigint` of epoch milliseconds (mode `number`), because
 * the domain model speaks epoch ms everywhere: no Date round trips, no driver
 * differences in timestamp parsing, and cheap integer range scans. Doubles
 * hold up to 2^53 exactly, which epoch ms will not reach.
 */
import {
  bigint,
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

/** Every alert state change, append-only: the alert history and the incident feed. */
export const alertEvents = pgTable(
  'alert_events',
  {
    id: serial('id').primaryKey(),
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

/** The current alert state per SLO and severity, so a restart resumes where it stopped. */
export const alertState = pgTable(
  'alert_state',
  {
    slo: text('slo').notNull(),
    severity: text('severity').notNull(),
    state: text('state').notNull(),
    since: epochMs('since').notNull(),
    reason: text('reason'),
  },
  (t) => [primaryKey({ columns: [t.slo, t.severity] })],
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
