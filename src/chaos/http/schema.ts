/**
 * The JSON shapes of the HTTP fault mode (camelCase, unknown keys rejected), one
 * source of truth for the programmatic API, the daemon's routes and their OpenAPI.
 * The schemas carry no transforms so they convert to JSON Schema as they are;
 * defaults (match `{}`, percentage 100) are filled by `validate.ts`.
 */
import { z } from 'zod';
import { parseListen, parseUpstream } from './address.ts';

/** The longest delay a rule may ask for: ten minutes. Longer stalls are better modelled as a reset. */
export const MAX_DELAY_MS = 600_000;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Ids and proxy names end up in a response header and in URLs, so they stay plain. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Set by Node from the body, or hop-by-hop: an abort may not set them. */
const FRAMING_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
]);

const HeaderName = z
  .string()
  .regex(TOKEN, "must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)");
const HeaderValue = z.string().refine((v) => !/[\r\n\0]/.test(v), 'must not contain CR, LF or NUL');

/** A JavaScript regular expression source, checked by compiling it. */
const RegexSource = z
  .string()
  .min(1, 'must not be empty')
  .max(1000, 'must be at most 1000 characters')
  .superRefine((source, ctx) => {
    try {
      new RegExp(source);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid regular expression: ${(err as Error).message}`,
      });
    }
  });

const RegexMatch = z.strictObject({ regex: RegexSource });

/** `/health` (exact), `/api/*` (prefix `/api/`), `*` (any) or `{ regex }` (unanchored, path without query). */
export const PathMatchSchema = z.union([
  z
    .string()
    .refine((p) => p === '*' || p.startsWith('/'), 'must start with "/" (or be "*" for any path)')
    .refine(
      (p) => !p.slice(0, -1).includes('*'),
      '"*" is allowed only at the end (a prefix); use { "regex": "..." } for patterns',
    ),
  RegexMatch,
]);

/** A value (exact, case-sensitive), `{ regex }`, or `{ present: true | false }`. */
export const HeaderMatchSchema = z.union([z.string(), RegexMatch, z.strictObject({ present: z.boolean() })]);

const Method = z.string().regex(/^[A-Za-z]+$/, 'must be an HTTP method such as GET or POST');

/** Which requests a rule applies to; every given condition must hold, `{}` matches all. */
export const HttpMatchSchema = z.strictObject({
  path: PathMatchSchema.optional(),
  method: z.union([Method, z.array(Method).min(1, 'must list at least one method')]).optional(),
  headers: z.record(HeaderName, HeaderMatchSchema).optional(),
});

const Ms = z
  .number()
  .int('must be a whole number of milliseconds')
  .min(0, 'must be at least 0')
  .max(MAX_DELAY_MS, `must be at most ${MAX_DELAY_MS} (10 minutes)`);

/** `ms` ± `jitter` (uniform), never below 0. */
export const DelaySchema = z.strictObject({ ms: Ms, jitter: Ms.optional() });

/** The response sent instead of forwarding. */
export const AbortSchema = z.strictObject({
  // 1xx are interim responses: a client would keep waiting for the final one.
  status: z
    .number()
    .int('must be a whole number')
    .min(200, 'must be an HTTP status from 200 to 599')
    .max(599, 'must be an HTTP status from 200 to 599'),
  body: z.string().max(1_000_000, 'must be at most 1 MB').optional(),
  headers: z
    .record(HeaderName, HeaderValue)
    .refine(
      (h) => Object.keys(h).every((k) => !FRAMING_HEADERS.has(k.toLowerCase())),
      'must not set content-length, transfer-encoding, connection, keep-alive or upgrade',
    )
    .optional(),
});

const ruleShape = {
  /** Optional; generated (`rule-1`, `rule-2`, ...) when absent. */
  id: z
    .string()
    .regex(NAME, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  match: HttpMatchSchema,
  /** Share (0..100) of matching requests that get the faults; one roll per request for all of them. */
  percentage: z.number().min(0, 'must be at least 0').max(100, 'must be at most 100 (a percentage)'),
  /** Wait before forwarding (or before the abort or reset). */
  delay: DelaySchema,
  abort: AbortSchema,
  /** Reset the client's connection (TCP RST) without any response. */
  reset: z.boolean(),
  /** Wait after the upstream's response headers arrive, before passing them on. */
  responseDelay: DelaySchema,
};

interface FaultFields {
  delay?: unknown;
  abort?: unknown;
  reset?: boolean;
  responseDelay?: unknown;
}

/** The combinations that make sense: at least one fault; abort xor reset; responseDelay only when forwarding. */
function checkFaults(rule: FaultFields, ctx: z.RefinementCtx): void {
  const reset = rule.reset === true;
  if (rule.delay === undefined && rule.abort === undefined && !reset && rule.responseDelay === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'a rule needs at least one fault: delay, abort, reset or responseDelay',
    });
  }
  if (rule.abort !== undefined && reset) {
    ctx.addIssue({
      code: 'custom',
      path: ['reset'],
      message: 'cannot be combined with abort: a request gets either a response or a reset',
    });
  }
  if (rule.responseDelay !== undefined && (rule.abort !== undefined || reset)) {
    ctx.addIssue({
      code: 'custom',
      path: ['responseDelay'],
      message: 'applies to forwarded responses, so it cannot be combined with abort or reset',
    });
  }
}

/** A rule as a client sends it: `match` defaults to all requests, `percentage` to 100. */
export const HttpFaultRuleInputSchema = z
  .strictObject({
    id: ruleShape.id.optional(),
    match: ruleShape.match.optional(),
    percentage: ruleShape.percentage.optional(),
    delay: ruleShape.delay.optional(),
    abort: ruleShape.abort.optional(),
    reset: ruleShape.reset.optional(),
    responseDelay: ruleShape.responseDelay.optional(),
  })
  .superRefine(checkFaults);

/** A rule as the proxy holds and reports it: id, match and percentage always present. */
export const HttpFaultRuleSchema = z
  .strictObject({
    id: ruleShape.id,
    match: ruleShape.match,
    percentage: ruleShape.percentage,
    delay: ruleShape.delay.optional(),
    abort: ruleShape.abort.optional(),
    reset: ruleShape.reset.optional(),
    responseDelay: ruleShape.responseDelay.optional(),
  })
  .superRefine(checkFaults);

/** What creates a proxy from JSON; `rules` are added in order. */
export const HttpFaultProxyConfigSchema = z.strictObject({
  name: z
    .string()
    .regex(NAME, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  /** `host:port`, port 0 for any free port. */
  listen: z.string().superRefine((text, ctx) => {
    const r = parseListen(text);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
  }),
  /** `http://host:port` or `https://host:port`. */
  upstream: z.string().superRefine((text, ctx) => {
    const r = parseUpstream(text);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
  }),
  /** With an https upstream: accept any certificate (self-signed test services). */
  insecureSkipVerify: z.boolean().optional(),
  /** Upstream timeout for the response headers and between body chunks; default 30 000. Then 504. */
  timeoutMs: z
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(3_600_000, 'must be at most 3 600 000 (1 hour)')
    .optional(),
  rules: z.array(HttpFaultRuleInputSchema).optional(),
});

/** Counters of one rule. */
export const HttpFaultRuleStatsSchema = z.object({
  id: z.string(),
  /** Requests the rule's match selected. */
  matched: z.number(),
  /** Of those, the ones the percentage roll chose to fault. */
  injected: z.number(),
});

/** Counters of one proxy since it started; removed rules keep no counters. */
export const HttpFaultProxyStatsSchema = z.object({
  requests: z.number(),
  inFlight: z.number(),
  /** Requests a rule faulted (delay, abort, reset or responseDelay). */
  injected: z.number(),
  /** Upstream unreachable or broke the connection: 502 (or a cut response once headers were sent). */
  upstreamErrors: z.number(),
  /** Upstream did not answer within timeoutMs: 504. */
  upstreamTimeouts: z.number(),
  /** Clients that went away before their response was complete. */
  clientAborts: z.number(),
  rules: z.array(HttpFaultRuleStatsSchema),
});

/** What an API shows about a proxy. */
export const HttpFaultProxyInfoSchema = z.object({
  name: z.string(),
  listen: z.string(),
  url: z.string(),
  upstream: z.string(),
  rules: z.array(HttpFaultRuleSchema),
});

export type HttpMatch = z.infer<typeof HttpMatchSchema>;
export type PathMatch = z.infer<typeof PathMatchSchema>;
export type HeaderMatch = z.infer<typeof HeaderMatchSchema>;
export type HttpDelay = z.infer<typeof DelaySchema>;
export type HttpAbort = z.infer<typeof AbortSchema>;
export type HttpFaultRuleInput = z.infer<typeof HttpFaultRuleInputSchema>;
export type HttpFaultRule = z.infer<typeof HttpFaultRuleSchema>;
export type HttpFaultProxyConfig = z.infer<typeof HttpFaultProxyConfigSchema>;
export type HttpFaultRuleStats = z.infer<typeof HttpFaultRuleStatsSchema>;
export type HttpFaultProxyStats = z.infer<typeof HttpFaultProxyStatsSchema>;
export type HttpFaultProxyInfo = z.infer<typeof HttpFaultProxyInfoSchema>;
