/**
 * The `ErrorBudgetPolicy` kind (`apiVersion: ballast.dev/v1`): how much error
 * budget a service must have left for changes to go out, and the freeze
 * windows in which none may. `ballast gate` reads it (later, chaos experiments too).
 */
import { z } from 'zod';
import { metadataSchema } from '../../spec/index.ts';

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T.*(?:Z|[+-]\d{2}:\d{2})$/;
const PERCENT = /^\d+(\.\d+)?%$/;

// The zone is required: without one Date.parse reads local time, so a freeze would move with the server's zone.
const instant = z.string().refine((s) => ISO_WITH_ZONE.test(s) && !Number.isNaN(Date.parse(s)), {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not an ISO 8601 date-time with a zone, such as 2026-12-20T00:00:00Z`,
});

/** `10%` or a ratio in [0, 1). */
const share = z.union([
  z
    .number()
    .min(0, { error: 'must be 0 or more' })
    .lt(1, { error: 'must be below 1 (a ratio) — or write 10%' }),
  z
    .string()
    .regex(PERCENT, { error: 'a share is a ratio such as 0.1 or a percentage such as 10%' })
    // Only a well-formed percentage is compared: anything else already has its error.
    .refine((s) => !PERCENT.test(s) || Number(s.slice(0, -1)) < 100, { error: 'must be below 100%' }),
]);

export const errorBudgetPolicySchema = z.strictObject({
  apiVersion: z.literal('ballast.dev/v1'),
  kind: z.literal('ErrorBudgetPolicy'),
  metadata: metadataSchema,
  spec: z.strictObject({
    service: z.string().min(1),
    minBudgetRemaining: share.optional(),
    /** An SLO without data: `fail` (the default) closes the gate, `pass` does not judge it. */
    whenNoData: z.enum(['pass', 'fail']).optional(),
    freezes: z
      .array(
        z
          .strictObject({ start: instant, end: instant, reason: z.string().min(1).optional() })
          // A malformed start or end already has its error; only compare two real instants.
          .refine((f) => !bothInstants(f) || Date.parse(f.start) < Date.parse(f.end), {
            error: 'a freeze must end after it starts',
            path: ['end'],
          }),
      )
      .optional(),
  }),
});

function bothInstants(f: { start: string; end: string }): boolean {
  return instant.safeParse(f.start).success && instant.safeParse(f.end).success;
}

/** A policy as the gate uses it. */
export interface ErrorBudgetPolicy {
  name: string;
  service: string;
  /** The gate passes only when every SLO has more than this share of its budget left. */
  minBudgetRemaining: number;
  /** An SLO without data: `fail` closes the gate, `pass` lets it through; unset means fail unless another policy says pass. */
  whenNoData?: 'pass' | 'fail';
  freezes: { start: number; end: number; reason?: string }[];
}

/** A stored policy document → policy; undefined when the document does not validate. */
export function policyFromBody(body: unknown): ErrorBudgetPolicy | undefined {
  const r = errorBudgetPolicySchema.safeParse(body);
  if (!r.success) return undefined;
  const { metadata, spec } = r.data;
  const min = spec.minBudgetRemaining;
  return {
    name: metadata.name,
    service: spec.service,
    minBudgetRemaining: typeof min === 'string' ? Number(min.slice(0, -1)) / 100 : (min ?? 0),
    ...(spec.whenNoData !== undefined ? { whenNoData: spec.whenNoData } : {}),
    freezes: (spec.freezes ?? []).map((f) => {
      const out: { start: number; end: number; reason?: string } = {
        start: Date.parse(f.start),
        end: Date.parse(f.end),
      };
      if (f.reason !== undefined) out.reason = f.reason;
      return out;
    }),
  };
}
