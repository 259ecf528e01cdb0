/**
 * API schemas of synthetic checks, the deploy gate and status pages (part of
 * `schemas.ts`, which re-exports them: still one source of truth).
 */
import { z } from 'zod';

export const CheckStatusSchema = z.enum(['pass', 'degraded', 'fail']);
export const CheckTypeSchema = z.enum(['http', 'multistep', 'tcp', 'dns', 'tls', 'browser', 'heartbeat']);

const PhasesSchema = z.object({
  resolve: z.number().optional(),
  connect: z.number().optional(),
  tls: z.number().optional(),
  processing: z.number().optional(),
  transfer: z.number().optional(),
});

const CheckErrorSchema = z.object({ kind: z.string(), message: z.string() });

const ConditionOutcomeSchema = z.object({
  condition: z.string(),
  ok: z.boolean(),
  shown: z.string(),
  degraded: z.boolean().optional(),
});

export const CheckResultSchema = z.object({
  id: z.number(),
  check: z.string(),
  service: z.string(),
  type: CheckTypeSchema,
  location: z.string(),
  startedAt: z.number(),
  durationMs: z.number(),
  status: CheckStatusSchema,
  reason: z.string().optional(),
  error: CheckErrorSchema.optional(),
  conditions: z.array(ConditionOutcomeSchema),
  phases: PhasesSchema,
  httpStatus: z.number().optional(),
  /** Earliest expiry (epoch ms) in the certificate chain the server presented. */
  certificateNotAfter: z.number().optional(),
  /** The presented chain, leaf first. */
  certificateChain: z
    .array(z.object({ subject: z.string(), issuer: z.string(), notAfter: z.number() }))
    .optional(),
  attempts: z.number(),
  steps: z
    .array(
      z.object({
        name: z.string(),
        status: z.number().optional(),
        durationMs: z.number(),
        error: CheckErrorSchema.optional(),
        failed: z.array(ConditionOutcomeSchema).optional(),
        extracted: z.record(z.string(), z.string()).optional(),
      }),
    )
    .optional(),
  artifacts: z.object({ screenshot: z.string().optional(), trace: z.string().optional() }).optional(),
});
export type CheckResultItem = z.infer<typeof CheckResultSchema>;

export const CheckHealthSchema = z.object({
  state: z.enum(['passing', 'failing']),
  consecutiveFailures: z.number(),
  consecutivePasses: z.number(),
  since: z.number(),
  lastResultAt: z.number().nullable(),
});

/** A row of the checks list. */
export const CheckSummarySchema = z.object({
  name: z.string(),
  displayName: z.string().optional(),
  service: z.string(),
  type: CheckTypeSchema,
  tags: z.array(z.string()),
  enabled: z.boolean(),
  /** `every 30s`, `cron 0 9 * * 1 (UTC)` or `heartbeat every 5m + 1m`. */
  schedule: z.string(),
  health: CheckHealthSchema.nullable(),
  latest: CheckResultSchema.nullable(),
  /** Share of runs that did not fail over the last 30 days, null without runs. */
  uptime30d: z.number().nullable(),
  /** Daily uptime of the last 30 days, oldest first (null: no runs that day). */
  daily: z.array(z.number().nullable()),
});
export type CheckSummary = z.infer<typeof CheckSummarySchema>;

export const CheckDetailSchema = CheckSummarySchema.extend({
  description: z.string().optional(),
  timeoutMs: z.number(),
  failAfter: z.number(),
  recoverAfter: z.number(),
  conditions: z.array(z.string()),
  degradedConditions: z.array(z.string()),
  alertSeverity: z.string().optional(),
  locations: z.array(z.string()),
  /** What the check does, for display (URL, host:port, record, steps); never secrets. */
  target: z.string(),
});

export const CheckResultsQuerySchema = z
  .object({
    since: z.coerce.number().int().optional(),
    until: z.coerce.number().int().optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    status: CheckStatusSchema.optional(),
  })
  .strict();

export const UptimeQuerySchema = z
  .object({ days: z.coerce.number().int().min(1).max(366).optional() })
  .strict();

export const CheckDailySchema = z.object({
  day: z.number(),
  pass: z.number(),
  degraded: z.number(),
  fail: z.number(),
});

export const HeartbeatInfoSchema = z.object({
  check: z.string(),
  /** Path to ping (GET or POST), relative to the server. */
  pingPath: z.string(),
  lastPingAt: z.number().nullable(),
});

export const PingResponseSchema = z.object({ check: z.string(), at: z.number() });

export const GateQuerySchema = z.object({ service: z.string().min(1) }).strict();

export const GateDecisionSchema = z.object({
  service: z.string(),
  pass: z.boolean(),
  minBudgetRemaining: z.number(),
  reasons: z.array(
    z.object({ ok: z.boolean(), kind: z.enum(['check', 'budget', 'freeze', 'empty']), message: z.string() }),
  ),
});
export type GateDecisionBody = z.infer<typeof GateDecisionSchema>;

const ComponentStatusSchema = z.enum([
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
]);

export const StatusPageSchema = z.object({
  page: z.object({ kind: z.enum(['service', 'team']), name: z.string(), updatedAt: z.number() }),
  status: z.object({
    indicator: z.enum(['none', 'minor', 'major', 'critical', 'maintenance']),
    description: z.string(),
  }),
  components: z.array(
    z.object({
      name: z.string(),
      displayName: z.string(),
      kind: z.enum(['check', 'slo', 'service']),
      status: ComponentStatusSchema,
      description: z.string().optional(),
      /** While its service is in a maintenance window: when the window ends (epoch ms). */
      maintenanceUntil: z.number().optional(),
      uptime: z.object({
        days: z.array(
          z.object({ date: z.string(), uptime: z.number().nullable(), fail: z.number(), total: z.number() }),
        ),
        ratio: z.number().nullable(),
      }),
    }),
  ),
  incidents: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      impact: z.string(),
      updatedAt: z.number(),
      notes: z.array(z.object({ at: z.number(), body: z.string() })),
    }),
  ),
});

export const CheckResultEventSchema = z.object({ result: CheckResultSchema, health: CheckHealthSchema });
export type CheckDetailBody = z.infer<typeof CheckDetailSchema>;
export type CheckHealthBody = z.infer<typeof CheckHealthSchema>;
export type CheckDailyBody = z.infer<typeof CheckDailySchema>;
export type CheckResultEventBody = z.infer<typeof CheckResultEventSchema>;
export type StatusPageBody = z.infer<typeof StatusPageSchema>;
