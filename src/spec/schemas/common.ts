/** Field schemas shared by every spec kind. Field-level rules live here; cross-field rules in the mappers. */
import { z } from 'zod';
import { parseCalendarDuration, parseDuration } from '../duration.ts';

/** Names end up in URLs (`/api/v1/slos/{name}`) and Prometheus labels: RFC 1123-like. */
export const nameSchema = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/, {
    error: 'must be lowercase letters, digits, "-", "." or "_", starting and ending with a letter or digit',
  });

/** OpenSLO labels: a value is a string or a list of strings. */
export const labelsSchema = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean(), z.array(z.string())], {
    error: 'label values must be strings or lists of strings',
  }),
);

export const annotationsSchema = z.record(
  z.string(),
  z.string({ error: 'annotation values must be strings' }),
);

export const metadataSchema = z
  .object({
    name: nameSchema,
    displayName: z.string().optional(),
    labels: labelsSchema.optional(),
    annotations: annotationsSchema.optional(),
  })
  .strict();

/** A fixed-length duration (`5m`, `1h`); zero allowed only where `allowZero`. */
export function durationSchema(allowZero = false) {
  return z.string().refine(
    (s) => {
      const ms = parseDuration(s);
      return ms !== undefined && (allowZero || ms > 0);
    },
    {
      error: (issue) =>
        `malformed duration ${JSON.stringify(issue.input)}: use a whole number and a unit (ms, s, m, h, d, w), e.g. 5m or 1h30m`,
    },
  );
}

/** A window duration: fixed (`28d`) or calendar (`1M`); which one is allowed is checked against `calendar`. */
export const windowDurationSchema = z
  .string()
  .refine((s) => (parseDuration(s) ?? 0) > 0 || parseCalendarDuration(s) !== undefined, {
    error: (issue) =>
      `malformed duration ${JSON.stringify(issue.input)}: use a whole number and a unit (m, h, d, w, or M, Q, Y for calendar windows)`,
  });

/** True when `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

/**
 * Parses an OpenSLO calendar start time (`2024-01-01 00:00:00`, also `T` as
 * separator, seconds or the time optional) into the canonical `YYYY-MM-DD HH:mm:ss`.
 */
export function normalizeStartTime(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h = '00', mi = '00', s = '00'] = m.slice(1);
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  const valid =
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(mo) - 1 &&
    date.getUTCDate() === Number(d) &&
    date.getUTCHours() === Number(h) &&
    date.getUTCMinutes() === Number(mi) &&
    date.getUTCSeconds() === Number(s);
  return valid ? `${y}-${mo}-${d} ${h}:${mi}:${s}` : undefined;
}

/** An http(s) URL. */
export const urlSchema = z.string().refine((s) => /^https?:\/\/[^\s/]+/.test(s) && URL.canParse(s), {
  error: (issue) => `${JSON.stringify(issue.input)} is not an http(s) URL`,
});

/** Why `name` is no Prometheus label (or annotation) name, or undefined when it is one. */
function labelNameProblem(name: string): string | undefined {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) return `${JSON.stringify(name)} is not a Prometheus label name`;
  if (name.startsWith('__')) return `${JSON.stringify(name)}: names starting with __ are reserved`;
  return undefined;
}

/**
 * Labels or annotations of generated Prometheus alerts: Prometheus names,
 * string values. Names are checked in a refinement, not as record keys, so the
 * diagnostic says what is wrong rather than zod's "Invalid key in record".
 */
export const promLabelsSchema = z.record(z.string(), z.string()).superRefine((map, ctx) => {
  for (const name of Object.keys(map)) {
    const message = labelNameProblem(name);
    if (message !== undefined) ctx.addIssue({ code: 'custom', path: [name], message, input: name });
  }
});

/** A generated alert's name, which Prometheus requires to be a valid metric name. */
export const alertNameSchema = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, {
  error: (i) => `${JSON.stringify(i.input)} is not a valid alert name: use letters, digits, _ and :`,
});

/** Ballast's alerting extension on an SLO (`spec.alerting`), documented in src/spec/README.md. */
export const alertingExtensionSchema = z
  .object({
    windows: z
      .array(
        z
          .object({
            severity: z.string().min(1),
            longWindow: durationSchema(),
            shortWindow: durationSchema(),
            burnRate: z.number().positive(),
          })
          .strict(),
      )
      .min(1)
      .optional(),
    minEvents: z.number().int().nonnegative().optional(),
    noDataAfter: durationSchema().optional(),
    severityLabel: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'must be a Prometheus label name' })
      .optional(),
    severityValues: z
      .object({ page: z.string().min(1), ticket: z.string().min(1) })
      .partial()
      .strict()
      .optional(),
    alertmanagerUrl: urlSchema.optional(),
    alertName: alertNameSchema.optional(),
    labels: promLabelsSchema.optional(),
    annotations: promLabelsSchema.optional(),
    severityLabels: z.record(z.string().min(1), promLabelsSchema).optional(),
    severityAnnotations: z.record(z.string().min(1), promLabelsSchema).optional(),
  })
  .strict();
export type AlertingExtension = z.output<typeof alertingExtensionSchema>;
