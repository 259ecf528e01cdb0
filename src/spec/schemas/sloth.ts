/** Zod schemas for Sloth `prometheus/v1` specs: the plain file form and the Kubernetes CRD form. */
import { z } from 'zod';
import { alertNameSchema, annotationsSchema, labelsSchema, nameSchema, promLabelsSchema } from './common.ts';

const stringMap = z.record(z.string(), z.string());
const alertSchema = z
  .object({
    disable: z.boolean().optional(),
    labels: promLabelsSchema.optional(),
    annotations: promLabelsSchema.optional(),
  })
  .strict();

const slothSloSchema = z
  .object({
    name: nameSchema,
    objective: z.number().refine((p) => p > 0 && p < 100, {
      error: (i) => `objective is a percentage in (0, 100), got ${i.input}`,
    }),
    description: z.string().optional(),
    labels: stringMap.optional(),
    sli: z
      .object({
        events: z
          .object({ errorQuery: z.string().min(1), totalQuery: z.string().min(1) })
          .strict()
          .optional(),
        raw: z
          .object({ errorRatioQuery: z.string().min(1) })
          .strict()
          .optional(),
        plugin: z
          .object({ id: z.string(), options: z.record(z.string(), z.unknown()).optional() })
          .strict()
          .optional(),
      })
      .strict(),
    alerting: z
      .object({
        name: alertNameSchema.optional(),
        labels: promLabelsSchema.optional(),
        annotations: promLabelsSchema.optional(),
        pageAlert: alertSchema.optional(),
        ticketAlert: alertSchema.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type SlothSlo = z.output<typeof slothSloSchema>;

const slothSpec = {
  service: nameSchema,
  labels: stringMap.optional(),
  slos: z.array(slothSloSchema).min(1, { error: 'a Sloth spec needs at least one SLO' }),
};

/** `version: "prometheus/v1"` files. */
export const slothFileSchema = z.object({ version: z.literal('prometheus/v1'), ...slothSpec }).strict();

/** `apiVersion: sloth.slok.dev/v1`, `kind: PrometheusServiceLevel`. */
export const slothK8sSchema = z
  .object({
    apiVersion: z.literal('sloth.slok.dev/v1'),
    kind: z.literal('PrometheusServiceLevel'),
    metadata: z
      .object({
        name: nameSchema,
        namespace: z.string().optional(),
        labels: labelsSchema.optional(),
        annotations: annotationsSchema.optional(),
      })
      .strict(),
    spec: z.object(slothSpec).strict(),
  })
  .strict();

/** The service-level part both forms share. */
export interface SlothServiceLevel {
  service: string;
  labels?: Record<string, string>;
  slos: SlothSlo[];
}
