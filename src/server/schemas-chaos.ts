/** Route schemas of chaos experiment runs (`ballast chaos run --server`). */
import { z } from 'zod';
import { CHAOS_OUTCOMES, CHAOS_RUN_STATUSES } from './chaos-statuses.ts';

export const GuardReasonSchema = z.object({
  ok: z.boolean(),
  kind: z.enum(['budget', 'freeze', 'incident', 'empty']),
  message: z.string(),
});

export const GuardDecisionSchema = z.object({
  service: z.string(),
  pass: z.boolean(),
  overridden: z.boolean(),
  reasons: z.array(GuardReasonSchema),
});

const LeaseRefSchema = z.strictObject({ daemon: z.string().url(), id: z.string().min(1).max(200) });

export const ChaosRunCreateSchema = z.strictObject({
  experiment: z.string().min(1).max(200),
  service: z.string().min(1).max(200),
  /** The experiment as the controller runs it (its model, JSON). */
  definition: z.record(z.string(), z.unknown()),
  plan: z.array(z.string()).max(1000),
  /** How long the run may take: the maintenance window it opens lasts this long (capped at a day). */
  expectedDurationMs: z.number().int().positive().max(86_400_000),
  /** Start even when the guards refuse (`--override-guards`); the refusal is kept on the run. */
  override: z.boolean().default(false),
  /** Who runs it, e.g. `ballast chaos run on host (pid 123)`. */
  controller: z.string().min(1).max(500),
});

export const ChaosRunCreatedSchema = z.object({
  id: z.string(),
  guards: GuardDecisionSchema,
  maintenanceId: z.number().nullable(),
});

export const ChaosJournalBatchSchema = z.strictObject({
  /** Sequence number of the first entry: a resent batch is idempotent. */
  from: z.number().int().nonnegative(),
  entries: z.array(z.looseObject({ t: z.number(), type: z.string() })).max(10_000),
  leases: z.array(LeaseRefSchema).max(1000).optional(),
});

export const ChaosJournalAnswerSchema = z.object({
  /** True once someone asked to halt: the controller must stop and revert. */
  halt: z.boolean(),
});

export const ChaosFinishSchema = z.strictObject({
  report: z.looseObject({
    outcome: z.enum(CHAOS_OUTCOMES),
    headline: z.string(),
  }),
});

export const ChaosRunSchema = z.object({
  id: z.string(),
  experiment: z.string(),
  service: z.string(),
  status: z.string(),
  plan: z.array(z.string()),
  guards: z.record(z.string(), z.unknown()),
  report: z.record(z.string(), z.unknown()).nullable(),
  leases: z.array(z.object({ daemon: z.string(), id: z.string() })),
  maintenanceId: z.number().nullable(),
  haltRequested: z.boolean(),
  controller: z.string(),
  startedAt: z.number(),
  lastSeenAt: z.number(),
  finishedAt: z.number().nullable(),
});

export const ChaosRunDetailSchema = ChaosRunSchema.extend({
  definition: z.record(z.string(), z.unknown()),
  journal: z.array(z.record(z.string(), z.unknown())),
});

export const ChaosRunsQuerySchema = z.strictObject({
  service: z.string().optional(),
  status: z.enum(CHAOS_RUN_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const ChaosHaltAnswerSchema = z.object({
  runs: z.array(z.string()),
  leasesReleased: z.number(),
  errors: z.array(z.string()),
});

export type ChaosRun = z.infer<typeof ChaosRunSchema>;
export type ChaosRunDetail = z.infer<typeof ChaosRunDetailSchema>;
