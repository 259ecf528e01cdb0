/**
 * API schemas of alert intake and incidents (part of `schemas.ts`, which
 * re-exports them: still one source of truth).
 */
import { z } from 'zod';
import { INCIDENT_STATES, SEVERITIES } from '../incidents/index.ts';

export const IncidentStateSchema = z.enum(INCIDENT_STATES);
export const SeveritySchema = z.enum(SEVERITIES);

export const IncidentSchema = z.object({
  id: z.number(),
  title: z.string(),
  state: IncidentStateSchema,
  severity: SeveritySchema,
  urgency: z.enum(['high', 'low']),
  service: z.string().optional(),
  services: z.array(z.string()),
  escalationPolicy: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  milestones: z.object({
    impactStartedAt: z.number().optional(),
    detectedAt: z.number().optional(),
    acknowledgedAt: z.number().optional(),
    mitigatedAt: z.number().optional(),
    resolvedAt: z.number().optional(),
    closedAt: z.number().optional(),
  }),
  roles: z.object({
    commander: z.string().optional(),
    scribe: z.string().optional(),
    communications: z.string().optional(),
  }),
  impact: z.object({
    customersAffected: z.number().optional(),
    failedTransactions: z.number().optional(),
    value: z.number().optional(),
    currency: z.string().optional(),
    notes: z.string().optional(),
  }),
  tasks: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      owner: z.string().optional(),
      status: z.enum(['open', 'done', 'cancelled']),
      kind: z.enum(['task', 'follow-up']),
      actionType: z.enum(['mitigate', 'prevent', 'process']).optional(),
      dueAt: z.number().optional(),
    }),
  ),
  mergedInto: z.number().optional(),
  declaredBy: z.string().optional(),
  postmortem: z.string().optional(),
  /** Set once a person stored the postmortem: a new draft then needs `force`. */
  postmortemEdit: z.object({ at: z.number(), by: z.string() }).optional(),
  /** Each with the title the status page shows (the incident's own title stays internal). */
  publicUpdates: z.array(z.object({ at: z.number(), title: z.string(), body: z.string() })),
});
export type IncidentBody = z.infer<typeof IncidentSchema>;

export const TimelineEntrySchema = z.object({
  id: z.number(),
  incidentId: z.number(),
  at: z.number(),
  kind: z.string(),
  actor: z.string(),
  text: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const AlertRecordSchema = z.object({
  id: z.number(),
  dedupKey: z.string(),
  origin: z.enum(['alertmanager', 'events-v2', 'slo', 'check']),
  status: z.enum(['firing', 'acknowledged', 'resolved']),
  summary: z.string(),
  severity: z.enum(['critical', 'error', 'warning', 'info']),
  service: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  firstSeenAt: z.number(),
  lastSeenAt: z.number(),
  resolvedAt: z.number().optional(),
  incidentId: z.number().optional(),
});

export const IncidentDetailSchema = z.object({
  incident: IncidentSchema,
  alerts: z.array(AlertRecordSchema),
  timeline: z.array(TimelineEntrySchema),
  /** Where the incident may move from its state. */
  allowedMoves: z.array(IncidentStateSchema),
});

export const IncidentsQuerySchema = z
  .object({
    state: z.string().optional(),
    severity: SeveritySchema.optional(),
    service: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

export const DeclareIncidentSchema = z
  .object({
    title: z.string().min(1).max(500),
    severity: SeveritySchema,
    service: z.string().min(1).optional(),
    summary: z.string().max(10_000).optional(),
  })
  .strict();

export const TransitionSchema = z
  .object({ to: IncidentStateSchema, mergedInto: z.number().int().positive().optional() })
  .strict();

export const NoteSchema = z.object({ text: z.string().min(1).max(10_000) }).strict();

export const IntegrationCreateSchema = z
  .object({
    name: z.string().min(1).max(200),
    kind: z.enum(['alertmanager', 'events-v2']),
    service: z.string().min(1).optional(),
    escalationPolicy: z.string().min(1).optional(),
  })
  .strict();

export const IntegrationSchema = z.object({
  key: z.string(),
  name: z.string(),
  kind: z.enum(['alertmanager', 'events-v2']),
  service: z.string().optional(),
  escalationPolicy: z.string().optional(),
  createdAt: z.number(),
  /** Where to send alerts: the Alertmanager webhook URL path, or the Events v2 path (with the key as routing_key). */
  path: z.string(),
});

export const EventsV2ResponseSchema = z.object({
  status: z.string(),
  message: z.string(),
  dedup_key: z.string().optional(),
  errors: z.array(z.string()).optional(),
});

export const IncidentPatchSchema = z
  .object({
    title: z.string().min(1).max(500).optional(),
    severity: SeveritySchema.optional(),
    services: z.array(z.string().min(1)).max(50).optional(),
    roles: z
      .object({
        commander: z.string().min(1).nullable().optional(),
        scribe: z.string().min(1).nullable().optional(),
        communications: z.string().min(1).nullable().optional(),
      })
      .strict()
      .optional(),
    impact: z
      .object({
        customersAffected: z.number().int().nonnegative().nullable().optional(),
        failedTransactions: z.number().int().nonnegative().nullable().optional(),
        value: z.number().nonnegative().nullable().optional(),
        currency: z
          .string()
          .regex(/^[A-Z]{3}$/, { error: 'currency is an ISO 4217 code such as EUR' })
          .nullable()
          .optional(),
        notes: z.string().max(10_000).nullable().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const TaskCreateSchema = z
  .object({
    title: z.string().min(1).max(500),
    owner: z.string().min(1).optional(),
    kind: z.enum(['task', 'follow-up']).optional(),
    actionType: z.enum(['mitigate', 'prevent', 'process']).optional(),
    dueAt: z.number().int().optional(),
  })
  .strict();

export const TaskPatchSchema = z
  .object({
    title: z.string().min(1).max(500).optional(),
    owner: z.string().min(1).optional(),
    status: z.enum(['open', 'done', 'cancelled']).optional(),
    actionType: z.enum(['mitigate', 'prevent', 'process']).optional(),
    dueAt: z.number().int().optional(),
  })
  .strict();

export const MilestoneCorrectionSchema = z
  .object({
    milestone: z.enum([
      'impactStartedAt',
      'detectedAt',
      'acknowledgedAt',
      'mitigatedAt',
      'resolvedAt',
      'closedAt',
    ]),
    at: z.number().int(),
  })
  .strict();

/** A public update; `title` is what the status page calls the incident (required on the first update). */
export const PublicUpdateSchema = z
  .object({ title: z.string().trim().min(1).max(200).optional(), body: z.string().min(1).max(5_000) })
  .strict();

export const PostmortemPutSchema = z.object({ markdown: z.string().min(1).max(1_000_000) }).strict();

/** `force: true` replaces a postmortem a person edited (refused with 409 otherwise). */
export const PostmortemGenerateSchema = z.object({ force: z.boolean().optional() }).strict();

/** The most shift rows one metrics answer carries; page through more with `shiftOffset`. */
export const MAX_SHIFT_ROWS = 5_000;

export const IncidentMetricsQuerySchema = z
  .object({
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    service: z.string().min(1).optional(),
    team: z.string().min(1).optional(),
    timeZone: z.string().optional(),
    shiftOffset: z.coerce.number().int().min(0).optional(),
    shiftLimit: z.coerce.number().int().min(1).max(MAX_SHIFT_ROWS).optional(),
  })
  .strict();

/** `GET /oncall/shifts`: the shifts of every schedule (or one) in a range of at most 62 days. */
export const OnCallShiftsQuerySchema = z
  .object({
    from: z.coerce.number().int().min(0),
    to: z.coerce.number().int().min(0),
    schedule: z.string().min(1).optional(),
  })
  .strict();

export const OnCallShiftsSchema = z.array(
  z.object({
    schedule: z.string(),
    timeZone: z.string(),
    shifts: z.array(z.object({ user: z.string(), start: z.number(), end: z.number(), source: z.string() })),
  }),
);
export type OnCallShiftsBody = z.infer<typeof OnCallShiftsSchema>;

export const MaintenanceCreateSchema = z
  .object({
    start: z.number().int().optional(),
    end: z.number().int(),
    reason: z.string().max(1_000).optional(),
  })
  .strict()
  .refine((m) => m.start === undefined || m.start < m.end, {
    error: 'end must be after start',
    path: ['end'],
  });

export const MaintenanceSchema = z.object({
  id: z.number(),
  service: z.string(),
  start: z.number(),
  end: z.number(),
  reason: z.string().optional(),
  createdBy: z.string(),
});

/** `GET /oncall`: every schedule, who is on call now and the next shifts. */
export const OnCallNowSchema = z.array(
  z.object({
    schedule: z.string(),
    now: z.object({ user: z.string(), start: z.number(), end: z.number(), source: z.string() }).nullable(),
    next: z.array(z.object({ user: z.string(), start: z.number(), end: z.number() })),
  }),
);
export type OnCallNowBody = z.infer<typeof OnCallNowSchema>;
