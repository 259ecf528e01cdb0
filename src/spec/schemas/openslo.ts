/**
 * Zod schemas for OpenSLO v1 documents (https://github.com/OpenSLO/OpenSLO, v1).
 * Every object is strict: a misspelt field is an error, not silently ignored.
 */
import { z } from 'zod';
import {
  alertingExtensionSchema,
  durationSchema,
  isTimeZone,
  metadataSchema,
  nameSchema,
  normalizeStartTime,
  windowDurationSchema,
} from './common.ts';

const description = z.string().max(1050).optional();

/** Chooses the schema by the shape of the input, so errors speak about the branch the user meant. */
function oneOf<A extends z.ZodType, B extends z.ZodType>(
  isB: (input: unknown) => boolean,
  a: A,
  b: B,
): z.ZodType<z.output<A> | z.output<B>> {
  return z.unknown().transform((input, ctx) => {
    const result = (isB(input) ? b : a).safeParse(input, { reportInput: true });
    if (result.success) return result.data as z.output<A> | z.output<B>;
    for (const issue of result.error.issues) ctx.issues.push({ ...issue, input } as never);
    return z.NEVER;
  }) as never;
}
const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

export const metricSourceSchema = z
  .object({
    metricSourceRef: nameSchema.optional(),
    type: z.string().min(1).optional(),
    spec: z.record(z.string(), z.unknown()).nullish(),
  })
  .strict();
const metricSpecSchema = z.object({ metricSource: metricSourceSchema.optional() }).strict();
export type MetricSpec = z.output<typeof metricSpecSchema>;

export const sliSpecSchema = z
  .object({
    description,
    thresholdMetric: metricSpecSchema.optional(),
    ratioMetric: z
      .object({
        counter: z.boolean().optional(),
        good: metricSpecSchema.optional(),
        bad: metricSpecSchema.optional(),
        total: metricSpecSchema.optional(),
        rawType: z.enum(['success', 'failure']).optional(),
        raw: metricSpecSchema.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type SliSpec = z.output<typeof sliSpecSchema>;

const inlineIndicatorSchema = z
  .object({ metadata: metadataSchema.partial({ name: true }).optional(), spec: sliSpecSchema })
  .strict();

const timeWindowSchema = z
  .object({
    duration: windowDurationSchema,
    isRolling: z.boolean().optional(),
    calendar: z
      .object({
        startTime: z.string().refine((s) => normalizeStartTime(s) !== undefined, {
          error: (i) =>
            `calendar startTime ${JSON.stringify(i.input)} is not a date-time like "2024-01-01 00:00:00"`,
        }),
        timeZone: z.string().refine(isTimeZone, {
          error: (i) =>
            `unknown IANA time zone ${JSON.stringify(i.input)} (e.g. Europe/Berlin, America/New_York, UTC)`,
        }),
      })
      .strict()
      .optional(),
  })
  .strict();
export type TimeWindowSpec = z.output<typeof timeWindowSchema>;

const objectiveSchema = z
  .object({
    displayName: z.string().optional(),
    op: z.enum(['lt', 'lte', 'gt', 'gte']).optional(),
    value: z.number().optional(),
    target: z
      .number()
      .refine((t) => t > 0 && t < 1, { error: (i) => `target must be in (0, 1), got ${i.input}` })
      .optional(),
    targetPercent: z
      .number()
      .refine((t) => t > 0 && t < 100, { error: (i) => `targetPercent must be in (0, 100), got ${i.input}` })
      .optional(),
    timeSliceTarget: z
      .number()
      .refine((t) => t > 0 && t <= 1, { error: (i) => `timeSliceTarget must be in (0, 1], got ${i.input}` })
      .optional(),
    timeSliceWindow: z
      .union([z.number(), z.string()], { error: 'expected minutes or a duration like 5m' })
      .optional(),
  })
  .strict();
export type ObjectiveSpec = z.output<typeof objectiveSchema>;

const alertConditionSpecSchema = z
  .object({
    description,
    severity: z.string().min(1).optional(),
    condition: z
      .object({
        kind: z.literal('burnrate', { error: 'Ballast supports condition kind "burnrate" only' }),
        op: z.enum(['lt', 'lte', 'gt', 'gte']).optional(),
        threshold: z.number().positive(),
        lookbackWindow: durationSchema(),
        alertAfter: durationSchema(true).optional(),
      })
      .strict(),
  })
  .strict();
export type AlertConditionSpec = z.output<typeof alertConditionSpecSchema>;

const inlineCondition = z
  .object({ kind: z.literal('AlertCondition'), metadata: metadataSchema, spec: alertConditionSpecSchema })
  .strict();
const inlineTarget = z
  .object({
    kind: z.literal('AlertNotificationTarget'),
    metadata: metadataSchema,
    spec: z.object({ description, target: z.string().min(1) }).strict(),
  })
  .strict();

const alertPolicySpecSchema = z
  .object({
    description,
    alertWhenNoData: z.boolean().optional(),
    alertWhenResolved: z.boolean().optional(),
    alertWhenBreaching: z.boolean().optional(),
    conditions: z
      .array(
        oneOf(
          (v) => isObject(v) && 'kind' in (v as object),
          z.object({ conditionRef: nameSchema }).strict(),
          inlineCondition,
        ),
      )
      .min(1, { error: 'an alert policy needs at least one condition' }),
    notificationTargets: z
      .array(
        oneOf(
          (v) => isObject(v) && 'kind' in (v as object),
          z.object({ targetRef: nameSchema }).strict(),
          inlineTarget,
        ),
      )
      .optional(),
  })
  .strict();
export type AlertPolicySpec = z.output<typeof alertPolicySpecSchema>;

const inlineAlertPolicy = z
  .object({ kind: z.literal('AlertPolicy'), metadata: metadataSchema, spec: alertPolicySpecSchema })
  .strict();

const sloSpecSchema = z
  .object({
    description,
    service: nameSchema,
    indicator: inlineIndicatorSchema.optional(),
    indicatorRef: nameSchema.optional(),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']),
    timeWindow: z
      .array(timeWindowSchema)
      .length(1, { error: 'timeWindow takes exactly one item' })
      .optional(),
    objectives: z.array(objectiveSchema).min(1, { error: 'an SLO needs an objective' }),
    alertPolicies: z
      .array(
        oneOf(
          (v) => isObject(v) && 'kind' in (v as object),
          z.union([nameSchema, z.object({ alertPolicyRef: nameSchema }).strict()], {
            error: 'expected an AlertPolicy name, {alertPolicyRef: NAME} or an inline AlertPolicy',
          }),
          inlineAlertPolicy,
        ),
      )
      .optional(),
    /** Ballast extension, see README.md. */
    alerting: alertingExtensionSchema.optional(),
  })
  .strict();
export type SloSpec = z.output<typeof sloSpecSchema>;

function document<S extends z.ZodType>(kind: string, spec: S) {
  return z
    .object({ apiVersion: z.literal('openslo/v1'), kind: z.literal(kind), metadata: metadataSchema, spec })
    .strict();
}

export const openSloSchemas = {
  Service: document(
    'Service',
    z
      .object({
        description,
        /**
         * Ballast extension: hosts besides loopback that load tests (and, later,
         * checks and faults) may target for this service.
         */
        allowedHosts: z
          .array(
            z
              .string()
              .min(1)
              .regex(/^[A-Za-z0-9.:[\]-]+$/, 'a host name or IP address, without scheme or port'),
          )
          .optional(),
      })
      .strict()
      .optional(),
  ),
  SLO: document('SLO', sloSpecSchema),
  SLI: document('SLI', sliSpecSchema),
  DataSource: document(
    'DataSource',
    z.object({ description, type: z.string().min(1), connectionDetails: z.unknown().optional() }).strict(),
  ),
  AlertPolicy: document('AlertPolicy', alertPolicySpecSchema),
  AlertCondition: document('AlertCondition', alertConditionSpecSchema),
  AlertNotificationTarget: document(
    'AlertNotificationTarget',
    z.object({ description, target: z.string().min(1) }).strict(),
  ),
};
export type OpenSloKind = keyof typeof openSloSchemas;
export type OpenSloDoc<K extends OpenSloKind> = z.output<(typeof openSloSchemas)[K]>;
