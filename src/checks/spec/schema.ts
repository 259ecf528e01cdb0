/**
 * The `Check` kind (`apiVersion: ballast.dev/v1`): a strict zod schema. The
 * conditions are parsed here, so `ballast validate` points at a broken
 * condition with the check's name and the column inside the condition.
 */
import { z } from 'zod';
import {
  countField,
  durationField,
  metadataSchema,
  parseDuration,
  positiveField,
  regexField,
} from '../../spec/index.ts';
import { parseCondition } from '../conditions/index.ts';
import { cronError } from '../schedule/index.ts';
import { envReferenceErrors } from './env-refs.ts';

const CHECK_TYPES = ['http', 'multistep', 'tcp', 'dns', 'tls', 'browser', 'heartbeat'] as const;
const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT', 'SRV', 'SOA', 'PTR', 'CAA'] as const;
const METHOD = /^[A-Z]+$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const port = z
  .number({ error: 'port must be a number' })
  .int({ error: 'port must be a whole number' })
  .min(1, { error: 'port must be 1-65535' })
  .max(65535, { error: 'port must be 1-65535' });

/** `10%` of the interval, or a duration. */
const jitter = z.string().refine((s) => /^\d+(\.\d+)?%$/.test(s) || parseDuration(s) !== undefined, {
  error: (issue) =>
    `jitter ${JSON.stringify(issue.input)}: give a duration (5s) or a share of the interval (10%)`,
});

/** A byte size: a number of bytes or `512KiB`, `1MiB`, `2MB`. */
const BYTE_SIZE_ERROR = 'maxBodySize is a number of bytes or a size such as 512KiB or 1MiB';
// The regex carries the message too: zod reports a string that fails it with the branch's own error.
const byteSize = z.union(
  [
    positiveField('maxBodySize'),
    z.string().regex(/^\d+(\.\d+)?\s*(B|KB|KiB|MB|MiB)$/, { error: BYTE_SIZE_ERROR }),
  ],
  { error: BYTE_SIZE_ERROR },
);

const tlsSchema = z.strictObject({
  verify: z.boolean().optional(),
  /** File paths, relative to the spec file. */
  ca: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  key: z.string().min(1).optional(),
  servername: z.string().min(1).optional(),
});

const url = z
  .string()
  .regex(/^https?:\/\/[^/?#\s]+/, { error: 'url must be an absolute http:// or https:// URL' });

const requestFields = {
  method: z
    .string()
    .regex(METHOD, { error: 'method must be an upper-case HTTP method such as GET or POST' })
    .optional(),
  url,
  headers: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  body: z.string().optional(),
};

const httpOptions = {
  followRedirects: z.boolean().optional(),
  maxRedirects: z.number().int().nonnegative().optional(),
  tls: tlsSchema.optional(),
  maxBodySize: byteSize.optional(),
};

const extractionSchema = z.union(
  [
    z.strictObject({ json: z.string().min(1) }),
    z.strictObject({ header: z.string().min(1) }),
    z.strictObject({ regex: regexField, group: z.number().int().nonnegative().optional() }),
  ],
  { error: 'an extraction is {json: PATH}, {header: NAME} or {regex: PATTERN, group: N}' },
);

const conditionList = z.array(z.string().min(1, { error: 'a condition must not be empty' }));

const stepSchema = z.strictObject({
  name: z.string().min(1),
  ...requestFields,
  extract: z.record(z.string().regex(VARIABLE_NAME), extractionSchema).optional(),
  conditions: conditionList.optional(),
});

const blocks = {
  http: z.strictObject({ ...requestFields, ...httpOptions }),
  multistep: z.strictObject({ steps: z.array(stepSchema).min(1), ...httpOptions }),
  tcp: z.strictObject({
    host: z.string().min(1),
    port,
    send: z.string().optional(),
    expect: z.string().min(1).optional(),
    maxBodySize: byteSize.optional(),
  }),
  dns: z.strictObject({
    name: z.string().min(1),
    recordType: z
      .enum(RECORD_TYPES, { error: `recordType must be one of ${RECORD_TYPES.join(', ')}` })
      .optional(),
    resolver: z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+)(:\d+)?$/, { error: 'resolver is host or host:port' })
      .optional(),
  }),
  tls: z.strictObject({ host: z.string().min(1), port: port.optional(), ...tlsSchema.shape }),
  browser: z.strictObject({
    script: z.string().min(1).optional(),
    scriptFile: z.string().min(1).optional(),
    viewport: z.strictObject({ width: countField('width'), height: countField('height') }).optional(),
  }),
  heartbeat: z.strictObject({ period: durationField(), grace: durationField(true).optional() }),
};

const retriesSchema = z.union([
  z.number().int().nonnegative({ error: 'retries must be 0 or more' }),
  z.strictObject({
    count: z.number().int().nonnegative({ error: 'retries.count must be 0 or more' }),
    backoff: z.enum(['fixed', 'linear', 'exponential']).optional(),
    delay: durationField(true).optional(),
    onlyNetworkErrors: z.boolean().optional(),
  }),
]);

const specSchema = z
  .strictObject({
    service: z.string().min(1),
    type: z.enum(CHECK_TYPES, { error: `type must be one of ${CHECK_TYPES.join(', ')}` }),
    description: z.string().optional(),
    every: durationField().optional(),
    cron: z.string().min(1).optional(),
    timeZone: z.string().min(1).optional(),
    jitter: jitter.optional(),
    timeout: durationField().optional(),
    retries: retriesSchema.optional(),
    failAfter: countField('failAfter').optional(),
    recoverAfter: countField('recoverAfter').optional(),
    conditions: conditionList.optional(),
    degradedConditions: conditionList.optional(),
    degradedResponseTime: durationField().optional(),
    alert: z
      .union([z.literal(false), z.strictObject({ severity: z.string().min(1) })], {
        error: 'alert is false (no alert) or {severity: NAME}',
      })
      .optional(),
    enabled: z.boolean().optional(),
    tags: z.array(z.string().min(1)).optional(),
    locations: z.array(z.string().min(1)).min(1).optional(),
    ...Object.fromEntries(Object.entries(blocks).map(([k, v]) => [k, v.optional()])),
  })
  .superRefine(checkShape);

/** The whole document. */
export const checkDocumentSchema = z
  .strictObject({
    apiVersion: z.literal('ballast.dev/v1'),
    kind: z.literal('Check'),
    metadata: metadataSchema,
    spec: specSchema,
  })
  .superRefine(checkConditions)
  .superRefine((doc, ctx) => {
    for (const e of envReferenceErrors(doc.spec as Record<string, unknown>))
      ctx.addIssue({ code: 'custom', path: e.path, message: e.message });
  });

export type CheckDocument = {
  apiVersion: 'ballast.dev/v1';
  kind: 'Check';
  metadata: z.infer<typeof metadataSchema>;
  spec: CheckSpecBody;
};

type BlockBodies = { [K in keyof typeof blocks]?: z.infer<(typeof blocks)[K]> };

/** The validated `spec` of a Check. */
export type CheckSpecBody = Omit<z.infer<typeof specSchema>, keyof typeof blocks> & BlockBodies;

/** The block for the check's type is present, no other type's block is, and the schedule is one of every/cron. */
function checkShape(spec: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const type = spec.type as (typeof CHECK_TYPES)[number];
  for (const t of CHECK_TYPES) {
    if (t !== type && spec[t] !== undefined)
      ctx.addIssue({ code: 'custom', path: [t], message: `a ${type} check takes no ${t} block` });
  }
  if (spec[type] === undefined)
    ctx.addIssue({ code: 'custom', path: [], message: `a ${type} check needs a ${type} block` });
  if (type === 'heartbeat') {
    for (const f of ['every', 'cron', 'retries', 'timeout'] as const) {
      if (spec[f] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [f],
          message: `${f} does not apply to a heartbeat check: the monitored job pings, Ballast only waits (set heartbeat.period and grace)`,
        });
    }
  } else if (spec.every !== undefined && spec.cron !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give either every or cron, not both' });
  }
  if (typeof spec.cron === 'string') {
    const problem = cronError(spec.cron, (spec.timeZone as string | undefined) ?? 'UTC');
    if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
  }
  if (spec.timeZone !== undefined && spec.cron === undefined)
    ctx.addIssue({ code: 'custom', path: ['timeZone'], message: 'timeZone applies only to cron schedules' });
  const browser = spec.browser as { script?: string; scriptFile?: string } | undefined;
  if (browser && (browser.script === undefined) === (browser.scriptFile === undefined))
    ctx.addIssue({ code: 'custom', path: ['browser'], message: 'give either script or scriptFile' });
  const tls = (spec.http ?? spec.multistep ?? spec.tls) as
    | { cert?: string; key?: string; tls?: object }
    | undefined;
  const certs = (tls?.tls ?? tls) as { cert?: string; key?: string } | undefined;
  if (certs && (certs.cert === undefined) !== (certs.key === undefined))
    ctx.addIssue({
      code: 'custom',
      path: [type, ...(tls?.tls ? ['tls'] : [])],
      message: 'a client certificate needs both cert and key',
    });
}

/** Every condition parses; a problem names the check, the condition and the column. */
function checkConditions(
  doc: { metadata: { name: string }; spec: CheckSpecBody },
  ctx: z.RefinementCtx,
): void {
  const check = (list: string[] | undefined, path: PropertyKey[]) => {
    list?.forEach((text, i) => {
      const r = parseCondition(text);
      if ('error' in r)
        ctx.addIssue({
          code: 'custom',
          path: [...path, i],
          message: `check ${doc.metadata.name}: condition ${JSON.stringify(text)}: ${r.error.message}`,
        });
    });
  };
  check(doc.spec.conditions, ['spec', 'conditions']);
  check(doc.spec.degradedConditions, ['spec', 'degradedConditions']);
  doc.spec.multistep?.steps.forEach((s, i) => {
    check(s.conditions, ['spec', 'multistep', 'steps', i, 'conditions']);
  });
}
