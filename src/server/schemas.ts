/**
 * API schemas: the one source of truth for request and response shapes.
 * Fastify routes use them (converted to JSON Schema for validation and the
 * OpenAPI document); the web UI and the CLI import the inferred types.
 */
import { z } from 'zod';
import type { LoadSummary, SecondSample } from '../load/types.ts';
import type { CapacityRecord, CapacityStep } from '../store/types.ts';

export const AlertStateSchema = z.enum(['ok', 'firing', 'no_data', 'insufficient_data']);

export const AlertStatusSchema = z.object({
  slo: z.string(),
  severity: z.string(),
  state: AlertStateSchema,
  reason: z.string().optional(),
  since: z.number(),
});

export const SloStatusSchema = z.object({
  slo: z.string(),
  service: z.string(),
  objective: z.number(),
  evaluatedAt: z.number(),
  window: z.object({ start: z.number(), end: z.number() }),
  sli: z.number().nullable(),
  events: z.object({ good: z.number(), total: z.number() }),
  budget: z.object({
    totalRatio: z.number(),
    remainingRatio: z.number().nullable(),
    totalEvents: z.number().nullable(),
    remainingEvents: z.number().nullable(),
  }),
  burnRates: z.record(z.string(), z.number().nullable()),
  exhaustionInMs: z.number().nullable(),
  alerts: z.array(AlertStatusSchema),
});

/** One row of the overview: what an SRE scans first. */
export const SloSummarySchema = z.object({
  name: z.string(),
  displayName: z.string().optional(),
  service: z.string(),
  objective: z.number(),
  budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']),
  /** Human form of the time window, e.g. `30d rolling` or `1 Month calendar (Europe/Berlin)`. */
  window: z.string(),
  source: z.enum(['events', 'check', 'prometheus']),
  status: SloStatusSchema,
  /** The fastest burn among the alert windows, null without data. */
  fastestBurn: z.object({ window: z.string(), rate: z.number() }).nullable(),
  /** The worst firing severity ('page', 'ticket', ...), 'no_data', or 'ok'. */
  alertState: z.string(),
});

export const ServiceSummarySchema = z.object({
  name: z.string(),
  displayName: z.string().optional(),
  description: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  slos: z.array(SloSummarySchema),
});

export const HistoryPointSchema = z.object({
  t: z.number(),
  sli: z.number().nullable(),
  budgetRemaining: z.number().nullable(),
  burnRates: z.record(z.string(), z.number().nullable()),
});

export const AlertEventSchema = z.object({
  id: z.number(),
  /** Absent for SLO alerts; `check` when a check crossed its failure threshold (then `slo` names the check). */
  source: z.enum(['slo', 'check']).optional(),
  slo: z.string(),
  service: z.string(),
  severity: z.string(),
  from: AlertStateSchema,
  to: AlertStateSchema,
  at: z.number(),
  reason: z.string().optional(),
  burnRates: z.record(z.string(), z.number().nullable()),
});

/** Body of `POST /api/v1/slos/{name}/events`. */
export const SliEventSchema = z.union([
  z
    .object({
      timestamp: z.union([z.number(), z.string()]),
      good: z.number().nonnegative(),
      total: z.number().nonnegative(),
    })
    .strict(),
  z.object({ timestamp: z.union([z.number(), z.string()]), success: z.boolean() }).strict(),
  z.object({ timestamp: z.union([z.number(), z.string()]), value: z.number() }).strict(),
]);
export const SliEventBatchSchema = z.object({ events: z.array(SliEventSchema).min(1).max(10_000) }).strict();

export const ApplyRequestSchema = z
  .object({
    documents: z.array(z.object({ file: z.string().optional(), content: z.string() }).strict()).min(1),
  })
  .strict();

export const ApplyResponseSchema = z.object({
  created: z.array(z.string()),
  updated: z.array(z.string()),
  unchanged: z.array(z.string()),
});

export const ErrorSchema = z.object({
  error: z.string(),
  message: z.string(),
  /** Field-level problems: `path` is a JSON path like `events[3].good`, or `file:line:col`. */
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export type SloStatusDto = z.infer<typeof SloStatusSchema>;
export type SloSummary = z.infer<typeof SloSummarySchema>;
export type ServiceSummary = z.infer<typeof ServiceSummarySchema>;
export type HistoryPoint = z.infer<typeof HistoryPointSchema>;
export type AlertEventDto = z.infer<typeof AlertEventSchema>;
export type SliEvent = z.infer<typeof SliEventSchema>;
export type ApiError = z.infer<typeof ErrorSchema>;
export const HealthSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  driver: z.enum(['pglite', 'postgres']),
  slos: z.number(),
});

export const IngestResponseSchema = z.object({
  slo: z.string(),
  accepted: z.number(),
  buckets: z.number(),
});

export const SloDetailSchema = z.object({
  /** The stored SloDefinition (src/slo/model.ts), as JSON. */
  definition: z.record(z.string(), z.unknown()),
  summary: SloSummarySchema,
});

export const TokenRequestSchema = z
  .object({ name: z.string().min(1).max(200), role: z.enum(['viewer', 'responder', 'admin']) })
  .strict();

export const TokenRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['viewer', 'responder', 'admin']),
  createdAt: z.number(),
});

export const TokenRevokedSchema = z.object({ revoked: TokenRecordSchema });

export const TokenResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['viewer', 'responder', 'admin']),
  createdAt: z.number(),
  /** Shown once; only its hash is stored. */
  token: z.string(),
});

export const HistoryQuerySchema = z
  .object({
    from: z.union([z.coerce.number(), z.string()]).optional(),
    to: z.union([z.coerce.number(), z.string()]).optional(),
    step: z.string().optional(),
  })
  .strict();

export const AlertsQuerySchema = z
  .object({
    since: z.coerce.number().optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

export type Health = z.infer<typeof HealthSchema>;
export type IngestResponse = z.infer<typeof IngestResponseSchema>;
export type SloDetail = z.infer<typeof SloDetailSchema>;
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

// ---------------------------------------------------------------------------
// Load tests: runs sent with `ballast load run --server`, and measured capacity.
// The zod schemas mirror the TS types of src/load/types.ts; the checks at the
// end of this block fail to compile when the two drift apart.

export const LatencySummarySchema = z.object({
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
  mean: z.number(),
});

export const ErrorKindSchema = z.enum([
  'connect_refused',
  'dns',
  'tls',
  'timeout',
  'reset',
  'closed_mid_response',
  'bad_response',
  'status',
  'check',
  'dropped',
  'other',
]);

export const ExecutorNameSchema = z.enum([
  'constant-arrival-rate',
  'ramping-arrival-rate',
  'constant-vus',
  'ramping-vus',
  'iterations',
]);

/** One second of a run; `t` is whole seconds since the run started. */
export const SecondSampleSchema = z.object({
  t: z.number().int().nonnegative().max(86_400),
  targetRate: z.number().nonnegative(),
  achievedRate: z.number().nonnegative(),
  ok: z.number().nonnegative(),
  failed: z.number().nonnegative(),
  inFlight: z.number().nonnegative(),
  latency_ms: LatencySummarySchema,
  service_time_ms: LatencySummarySchema,
  lag_ms: z.number(),
});

export const LoadSummarySchema = z.object({
  name: z.string(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  executor: ExecutorNameSchema,
  requests: z.object({ total: z.number(), ok: z.number(), failed: z.number() }),
  errors: z.partialRecord(ErrorKindSchema, z.number()),
  rate: z.object({ target: z.number(), achieved: z.number() }),
  latency_ms: LatencySummarySchema,
  service_time_ms: LatencySummarySchema,
  dropped: z.number().nonnegative(),
  valid: z.boolean(),
  invalid_reasons: z.array(z.string()),
  thresholds: z.array(
    z.object({
      expr: z.string(),
      ok: z.boolean(),
      value: z.number().optional(),
      abortedRun: z.boolean().optional(),
    }),
  ),
  aborted: z.boolean(),
  abortReason: z.string().optional(),
  perRequest: z.record(
    z.string(),
    z.object({ total: z.number(), failed: z.number(), latency_ms: LatencySummarySchema }),
  ),
  series: z.array(SecondSampleSchema).max(86_400),
  spectrum: z.array(z.object({ percentile: z.number(), latency_ms: z.number() })).max(10_000),
});

export const LoadRunStatusSchema = z.enum(['running', 'finished', 'aborted', 'failed']);

/** Body of `POST /api/v1/load/runs`: the plan as the CLI built it (a LoadPlan, stored as sent). */
export const LoadRunCreateSchema = z
  .object({
    name: z.string().min(1).max(200),
    plan: z.record(z.string(), z.unknown()),
    service: z.string().min(1).max(200).optional(),
  })
  .strict();

export const LoadRunCreatedSchema = z.object({ id: z.string() });

/** Body of `POST /api/v1/load/runs/{id}/seconds`. */
export const LoadSecondsBatchSchema = z
  .object({ samples: z.array(SecondSampleSchema).min(1).max(3_600) })
  .strict();

/** Body of `POST /api/v1/load/runs/{id}/fail`: a run that could not finish (crash, bad target). */
export const LoadRunFailSchema = z.object({ message: z.string().max(2_000).optional() }).strict();

/** The numbers a list of runs shows; null while the run has no summary. */
export const LoadRunKeyNumbersSchema = z.object({
  durationMs: z.number(),
  executor: z.string(),
  requests: z.number(),
  failed: z.number(),
  /** failed / requests, 0 without requests. */
  errorRate: z.number(),
  targetRate: z.number(),
  achievedRate: z.number(),
  p50_ms: z.number(),
  p99_ms: z.number(),
  valid: z.boolean(),
  aborted: z.boolean(),
  thresholdsPassed: z.number(),
  thresholdsTotal: z.number(),
});

export const LoadRunListItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  service: z.string().nullable(),
  status: LoadRunStatusSchema,
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  key: LoadRunKeyNumbersSchema.nullable(),
});

export const LoadRunsQuerySchema = z
  .object({
    service: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const LoadRunDetailSchema = z.object({
  run: LoadRunListItemSchema.extend({ plan: z.record(z.string(), z.unknown()) }),
  summary: LoadSummarySchema.optional(),
  seconds: z.array(SecondSampleSchema),
});

/** One step of a capacity search. */
export const CapacityStepSchema = z.object({
  /** Target arrival rate, requests/s. */
  rate: z.number().nonnegative(),
  /** p99 latency (from intended start), ms. */
  p99: z.number().nonnegative(),
  /** Latency at the judged percentile, ms. */
  latencyMs: z.number().nonnegative(),
  /** Failed / total requests, 0..1. */
  errorRate: z.number().min(0).max(1),
  achievedRate: z.number().nonnegative(),
  /** Latency and error objectives met and the run valid. */
  held: z.boolean(),
  valid: z.boolean(),
  reason: z.string().optional(),
});

/** Body of `PUT /api/v1/services/{name}/capacity`; `measuredAt` is epoch ms or an ISO time. */
export const CapacityPutSchema = z
  .object({
    ratePerSecond: z.number().nonnegative(),
    measuredAt: z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]),
    slo: z.string().min(1).optional(),
    steps: z.array(CapacityStepSchema).max(1_000),
  })
  .strict();

export const CapacitySchema = z.object({
  service: z.string(),
  measuredAt: z.number(),
  ratePerSecond: z.number(),
  slo: z.string().nullable(),
  steps: z.array(CapacityStepSchema),
});

export const CapacityResponseSchema = z.object({
  latest: CapacitySchema.nullable(),
  /** Newest first. */
  history: z.array(CapacitySchema),
});

/** SSE `load-second` data. */
export const LoadSecondEventSchema = z.object({ runId: z.string(), samples: z.array(SecondSampleSchema) });
/** SSE `load-started` and `load-finished` data. */
export const LoadRunEventSchema = z.object({ run: LoadRunListItemSchema });

export type LoadRunListItem = z.infer<typeof LoadRunListItemSchema>;
export type LoadRunKeyNumbers = z.infer<typeof LoadRunKeyNumbersSchema>;
export type LoadRunDetail = z.infer<typeof LoadRunDetailSchema>;
export type CapacityDto = z.infer<typeof CapacitySchema>;
export type CapacityResponse = z.infer<typeof CapacityResponseSchema>;
export type LoadSecondEvent = z.infer<typeof LoadSecondEventSchema>;
export type LoadRunEvent = z.infer<typeof LoadRunEventSchema>;

/** True when A and B are assignable to each other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Fails to compile when the load schemas drift from src/load/types.ts or the store's types. */
export type LoadSchemasMatchTypes = [
  Assert<Same<z.infer<typeof SecondSampleSchema>, SecondSample>>,
  Assert<Same<z.infer<typeof LoadSummarySchema>, LoadSummary>>,
  Assert<Same<z.infer<typeof CapacityStepSchema>, CapacityStep>>,
  Assert<Same<z.infer<typeof CapacitySchema>, CapacityRecord>>,
];

export * from './schemas-checks.ts';
export * from './schemas-incidents.ts';
