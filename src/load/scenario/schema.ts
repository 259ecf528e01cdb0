/**
 * The `LoadTest` kind (`apiVersion: ballast.dev/v1`): a strict zod schema.
 * Field rules (durations, threshold expressions, placeholders naming declared
 * variables) are checked here so `ballast validate` points at the exact value.
 */
import { z } from 'zod';
import {
  countField,
  durationField,
  metadataSchema,
  nonNegativeField,
  positiveField,
  regexField,
} from '../../spec/index.ts';
import { parseThreshold } from '../thresholds/index.ts';
import { findPlaceholders } from './placeholders.ts';

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const duration = durationField;
const positive = positiveField;
const nonNegative = nonNegativeField;
const count = countField;

const stagesSchema = z
  .array(z.strictObject({ duration: duration(), target: nonNegative('target') }))
  .min(1, { error: 'at least one stage is required' });

const executorSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('constant-arrival-rate'),
      rate: positive('rate'),
      timeUnit: duration().optional(),
      duration: duration(),
    }),
    z.strictObject({
      type: z.literal('ramping-arrival-rate'),
      startRate: nonNegative('startRate').optional(),
      timeUnit: duration().optional(),
      stages: stagesSchema,
    }),
    z.strictObject({ type: z.literal('constant-vus'), vus: count('vus'), duration: duration() }),
    z.strictObject({
      type: z.literal('ramping-vus'),
      startVUs: z.number().int().nonnegative({ error: 'startVUs must not be negative' }).optional(),
      stages: stagesSchema,
    }),
    z.strictObject({
      type: z.literal('iterations'),
      vus: count('vus').optional(),
      iterations: count('iterations'),
      maxDuration: duration().optional(),
    }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union' && issue.note === 'No matching discriminator'
        ? `unknown executor type ${JSON.stringify((issue.input as { type?: unknown } | undefined)?.type)}: expected one of constant-arrival-rate, ramping-arrival-rate, constant-vus, ramping-vus, iterations`
        : undefined,
  },
);

const httpSchema = z.strictObject({
  maxConnections: count('maxConnections').optional(),
  pipelining: count('pipelining').optional(),
  timeout: duration().optional(),
  insecureSkipVerify: z.boolean().optional(),
  keepAlive: z.boolean().optional(),
});

const limitsSchema = z.strictObject({
  maxRate: positive('maxRate').optional(),
  maxDuration: duration().optional(),
  maxVUs: count('maxVUs').optional(),
});

const order = z.enum(['sequential', 'random']).optional();
const SOURCES = ['csv', 'json', 'sequence', 'randomInt', 'uuid'] as const;

const variableSchema = z
  .strictObject({
    name: z
      .string()
      .regex(VARIABLE_NAME, { error: 'a variable name is letters, digits and _, not starting with a digit' }),
    csv: z.string().min(1).optional(),
    json: z.string().min(1).optional(),
    order,
    sequence: z.strictObject({ start: z.number().int().optional() }).optional(),
    randomInt: z
      .strictObject({ min: z.number().int(), max: z.number().int() })
      .refine((r) => r.min <= r.max, { error: 'randomInt needs min <= max' })
      .optional(),
    uuid: z.strictObject({}).optional(),
  })
  .superRefine((v, ctx) => {
    const given = SOURCES.filter((s) => v[s] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `give exactly one source (${SOURCES.join(', ')}), got ${given.length === 0 ? 'none' : given.join(' and ')}`,
      });
    }
    if (v.order !== undefined && v.csv === undefined && v.json === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['order'],
        message: 'order applies only to csv and json variables',
      });
    }
  });

const regex = regexField;

const checkSchema = z.union(
  [
    z.strictObject({ status: z.union([z.number().int(), z.array(z.number().int()).min(1)]) }),
    z.strictObject({ bodyContains: z.string().min(1) }),
    z.strictObject({ bodyMatches: regex }),
    z.strictObject({ header: z.string().min(1), equals: z.string().optional(), matches: regex.optional() }),
    z.strictObject({ maxLatency: duration() }),
  ],
  {
    error:
      'a check is one of {status}, {bodyContains}, {bodyMatches}, {header, equals|matches} or {maxLatency}',
  },
);

const METHOD = /^[A-Z]+$/;

const requestSchema = z.strictObject({
  name: z.string().min(1).optional(),
  weight: positive('weight').optional(),
  method: z
    .string()
    .regex(METHOD, { error: 'method must be an upper-case HTTP method such as GET or POST' })
    .optional(),
  url: z
    .string()
    .regex(/^https?:\/\/[^/?#\s]+/, { error: 'url must be an absolute http:// or https:// URL' }),
  headers: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  body: z.string().optional(),
  checks: z.array(checkSchema).optional(),
  tags: z.record(z.string(), z.string()).optional(),
});

const expression = z.string().superRefine((s, ctx) => {
  const r = parseThreshold(s);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: `threshold ${JSON.stringify(s)}: ${r.error}` });
});

const thresholdCommon = {
  abortOnFail: z.boolean().optional(),
  window: duration().optional(),
  delayAbortEval: duration(true).optional(),
};

const thresholdSchema = z.union(
  [
    expression,
    z.strictObject({ expr: expression, ...thresholdCommon }),
    z.strictObject({
      slo: z.string().min(1),
      maxBurnRate: positive('maxBurnRate').optional(),
      ...thresholdCommon,
    }),
  ],
  {
    error:
      'a threshold is an expression such as "p(99) < 300ms", {expr, abortOnFail, window, delayAbortEval} or {slo, maxBurnRate}',
  },
);

const specSchema = z
  .strictObject({
    service: z.string().min(1).optional(),
    executor: executorSchema,
    http: httpSchema.optional(),
    limits: limitsSchema.optional(),
    allowHosts: z.array(z.string().min(1)).optional(),
    variables: z.array(variableSchema).optional(),
    requests: z.array(requestSchema).min(1, { error: 'at least one request is required' }),
    thresholds: z.array(thresholdSchema).optional(),
    tags: z.record(z.string(), z.string()).optional(),
    workers: count('workers').optional(),
  })
  .superRefine(checkPlaceholders);

/** The whole document. */
export const loadTestSchema = z.strictObject({
  apiVersion: z.literal('ballast.dev/v1'),
  kind: z.literal('LoadTest'),
  metadata: metadataSchema,
  spec: specSchema,
});

export type LoadTestDocument = z.infer<typeof loadTestSchema>;
export type LoadTestSpec = LoadTestDocument['spec'];

type Spec = z.infer<typeof specSchema>;

/** Placeholders must name declared variables; file variables need `.field`, generators must not have one. */
function checkPlaceholders(spec: Spec, ctx: z.RefinementCtx): void {
  const vars = new Map(
    (spec.variables ?? []).map((v) => [v.name, v.csv !== undefined || v.json !== undefined]),
  );
  const names = new Map<string, number>();
  (spec.variables ?? []).forEach((v, i) => {
    if (names.has(v.name))
      ctx.addIssue({
        code: 'custom',
        path: ['variables', i, 'name'],
        message: `duplicate variable "${v.name}"`,
      });
    names.set(v.name, i);
  });
  spec.requests.forEach((r, i) => {
    const fields: [PropertyKey[], string][] = [[['url'], r.url]];
    for (const [k, v] of Object.entries(r.headers ?? {})) fields.push([['headers', k], String(v)]);
    if (r.body !== undefined) fields.push([['body'], r.body]);
    for (const [path, text] of fields) {
      for (const p of findPlaceholders(text)) {
        const message = placeholderProblem(p, vars);
        if (message) ctx.addIssue({ code: 'custom', path: ['requests', i, ...path], message });
      }
    }
  });
}

function placeholderProblem(
  p: ReturnType<typeof findPlaceholders>[number],
  vars: Map<string, boolean>,
): string | undefined {
  if (!p.wellFormed) return `malformed placeholder \${${p.raw}}: write \${name} or \${name.field}`;
  const fromFile = vars.get(p.variable);
  if (fromFile === undefined) {
    const known = [...vars.keys()];
    return `unknown variable "${p.variable}" in \${${p.raw}}: ${known.length ? `declared variables are ${known.join(', ')}` : 'declare it under spec.variables'}`;
  }
  if (fromFile && p.field === undefined) return `\${${p.raw}} needs a column: write \${${p.variable}.COLUMN}`;
  if (!fromFile && p.field !== undefined)
    return `\${${p.raw}}: variable "${p.variable}" is a generator and has no fields`;
  return undefined;
}
