/**
 * API schemas: the one source of truth for request and response shapes.
 * Fastify routes use them (converted to JSON Schema for validation and the
 * OpenAPI document); the web UI and the CLI import the inferred types.
 */
import { z } from 'zod';

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
