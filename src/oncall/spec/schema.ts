/**
 * The on-call kinds of `apiVersion: ballast.dev/v1`: `User`, `Team`,
 * `Schedule` and `EscalationPolicy`. Strict zod schemas whose messages name the
 * field and show a correct example; everything checkable inside one document
 * (zones, local times, durations, end after start) is checked here, so
 * `ballast validate` reports it. References between documents are the bundle
 * check's job (`register.ts`).
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { durationField, metadataSchema, NAME_PATTERN } from '../../spec/index.ts';
import type { Weekday } from '../types.ts';
import { isValidTimeZone, parseClock, parseLocalDateTime } from '../zone.ts';

export const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** Day-set shorthands a restriction's `days` may give instead of a list. */
export const DAY_SETS: Record<'weekdays' | 'weekends', Weekday[]> = {
  weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  weekends: ['sat', 'sun'],
};
/** Most repeats a policy may ask for: bounds the pages one unacknowledged incident sends. */
export const MAX_REPEAT = 20;

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An ISO 8601 date-time with a zone (`2026-03-01T09:00:00+01:00`, `…Z`) → epoch ms; undefined otherwise. */
export function parseZonedInstant(text: string): number | undefined {
  if (!ISO_WITH_ZONE.test(text)) return undefined;
  const dt = DateTime.fromISO(text, { setZone: true });
  return dt.isValid ? dt.toMillis() : undefined;
}

// Messages leave out the field's name: the loader puts its path in front (`spec.layers[0].start: …`).

const userRef = z.string({ error: 'expected a user name' }).regex(NAME_PATTERN, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a user name (lowercase letters, digits, "-", "." or "_")`,
});

const timeZone = z
  .string({ error: 'expected an IANA zone name such as Europe/Berlin' })
  .refine(isValidTimeZone, {
    error: (issue) =>
      `unknown time zone ${JSON.stringify(issue.input)}: use an IANA name such as Europe/Berlin, America/New_York or UTC`,
  });

const httpUrl = z
  .string({ error: 'expected a URL' })
  .refine((s) => /^https?:\/\/[^/?#\s]+/.test(s) && URL.canParse(s), {
    error: (issue) => `${JSON.stringify(issue.input)} is not an absolute http:// or https:// URL`,
  });

const emailAddress = z
  .string({ error: 'expected an email address' })
  .regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, {
    error: (issue) => `${JSON.stringify(issue.input)} is not an email address such as oncall@example.com`,
  });

const localDateTime = z
  .string({ error: 'expected a local date-time such as 2026-01-05T09:00' })
  .refine((s) => parseLocalDateTime(s) !== undefined, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a local date-time such as 2026-01-05T09:00 (no zone: the schedule's timeZone applies)`,
  });

const clock = z
  .string({ error: 'expected a time of day such as 09:00' })
  .refine((s) => parseClock(s) !== undefined, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a time of day such as 09:00 or 17:30 (HH:MM, 00:00–23:59)`,
  });

const instant = z
  .string({ error: 'expected a date-time with a zone such as 2026-03-01T09:00:00+01:00' })
  .refine((s) => parseZonedInstant(s) !== undefined, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not an ISO 8601 date-time with a zone, such as 2026-03-01T09:00:00+01:00 or 2026-03-01T08:00:00Z`,
  });

/** Exactly one of `keys` is present (the others' values are checked by their own fields). */
function exactlyOne(keys: readonly string[], message: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const given = keys.filter((k) => value[k] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: given.length === 0 ? message : `${message}: give one, not ${given.join(' and ')}`,
      });
  };
}

const CONTACT_KEYS = ['webhook', 'email', 'slack'] as const;
const CONTACT_HINT = 'a contact is {webhook: URL}, {email: ADDRESS} or {slack: URL}';
const contactSchema = z
  .strictObject({
    webhook: httpUrl.optional(),
    email: emailAddress.optional(),
    slack: httpUrl.optional(),
  })
  .superRefine(exactlyOne(CONTACT_KEYS, CONTACT_HINT));

// ── User, Team ──────────────────────────────────────────────────────────────

export const userDocumentSchema = z.strictObject({
  apiVersion: z.literal('ballast.dev/v1'),
  kind: z.literal('User'),
  metadata: metadataSchema,
  spec: z.strictObject({
    displayName: z.string().min(1).optional(),
    timeZone: timeZone.optional(),
    contacts: z
      .array(contactSchema, { error: `contacts must be a list: ${CONTACT_HINT}` })
      .min(1, { error: `give at least one way to page this user (${CONTACT_HINT})` }),
  }),
});

export const teamDocumentSchema = z.strictObject({
  apiVersion: z.literal('ballast.dev/v1'),
  kind: z.literal('Team'),
  metadata: metadataSchema,
  spec: z.strictObject({
    members: z
      .array(userRef, { error: 'members must be a list of user names' })
      .min(1, { error: 'list at least one user' }),
  }),
});

// ── Schedule ────────────────────────────────────────────────────────────────

const SHIFT_TEXT = /^([1-9]\d*)([hdw])$/;
const SHIFT_HINT = 'a shift is a length such as 12h, 1d or 1w, or {hours: N}, {days: N} or {weeks: N}';
const shiftCount = z
  .number({ error: 'expected a whole number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be at least 1' });

const shiftSchema = z.union(
  [
    z.string().regex(SHIFT_TEXT, { error: (issue) => `${JSON.stringify(issue.input)}: ${SHIFT_HINT}` }),
    z
      .strictObject({
        hours: shiftCount.optional(),
        days: shiftCount.optional(),
        weeks: shiftCount.optional(),
      })
      .superRefine(exactlyOne(['hours', 'days', 'weeks'], SHIFT_HINT)),
  ],
  { error: SHIFT_HINT },
);

const restrictionSchema = z.strictObject({
  days: z
    .union(
      [
        z.enum(['weekdays', 'weekends']),
        z
          .array(z.enum(WEEKDAY_NAMES, { error: `a weekday is one of ${WEEKDAY_NAMES.join(', ')}` }))
          .min(1, { error: 'list at least one weekday' }),
      ],
      { error: `days is weekdays, weekends or a list of ${WEEKDAY_NAMES.join(', ')}` },
    )
    .optional(),
  start: clock,
  end: clock,
});

const layerSchema = z
  .strictObject({
    name: z.string({ error: 'a layer needs a name' }).min(1, { error: 'a layer needs a name' }),
    start: localDateTime,
    end: localDateTime.optional(),
    shift: shiftSchema,
    participants: z
      .array(userRef, { error: 'participants must be a list of user names' })
      .min(1, { error: 'list at least one user' }),
    restrictions: z
      .array(restrictionSchema)
      .min(1, { error: 'list at least one restriction, or leave restrictions out (always on duty)' })
      .optional(),
  })
  .superRefine((layer, ctx) => {
    if (layer.end === undefined) return;
    const start = parseLocalDateTime(layer.start);
    const end = parseLocalDateTime(layer.end);
    if (start !== undefined && end !== undefined && end <= start)
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `must be after the layer's start (${layer.start})`,
      });
  });

const overrideSchema = z
  .strictObject({
    user: userRef,
    start: instant,
    end: instant,
    reason: z.string().min(1).optional(),
  })
  .superRefine((o, ctx) => {
    const start = parseZonedInstant(o.start);
    const end = parseZonedInstant(o.end);
    if (start !== undefined && end !== undefined && end <= start)
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `must be after the override's start (${o.start})`,
      });
  });

export const scheduleDocumentSchema = z.strictObject({
  apiVersion: z.literal('ballast.dev/v1'),
  kind: z.literal('Schedule'),
  metadata: metadataSchema,
  spec: z
    .strictObject({
      description: z.string().optional(),
      timeZone: timeZone,
      layers: z
        .array(layerSchema, { error: 'layers must be a list' })
        .min(1, { error: 'a schedule needs at least one layer' }),
      overrides: z.array(overrideSchema).optional(),
    })
    .superRefine((spec, ctx) => {
      const seen = new Set<string>();
      spec.layers.forEach((layer, i) => {
        if (seen.has(layer.name))
          ctx.addIssue({
            code: 'custom',
            path: ['layers', i, 'name'],
            message: `duplicate layer name "${layer.name}": layer names must be unique within a schedule`,
          });
        seen.add(layer.name);
      });
    }),
});

// ── EscalationPolicy ────────────────────────────────────────────────────────

const TARGET_KEYS = ['user', 'schedule', 'team', 'slack', 'webhook', 'email'] as const;
const TARGET_HINT =
  'a target is {user: NAME}, {schedule: NAME}, {team: NAME}, {slack: URL}, {webhook: URL} or {email: ADDRESS}';

const targetSchema = z
  .strictObject({
    user: userRef.optional(),
    schedule: z
      .string({ error: 'expected a schedule name' })
      .regex(NAME_PATTERN, { error: (issue) => `${JSON.stringify(issue.input)} is not a schedule name` })
      .optional(),
    /** Every member of the team is paged. */
    team: z
      .string({ error: 'expected a team name' })
      .regex(NAME_PATTERN, { error: (issue) => `${JSON.stringify(issue.input)} is not a team name` })
      .optional(),
    slack: httpUrl.optional(),
    webhook: httpUrl.optional(),
    email: emailAddress.optional(),
  })
  .superRefine(exactlyOne(TARGET_KEYS, TARGET_HINT));

/** Equal text, or `{regex: ...}` matched against the whole value (as Alertmanager's `=~`). */
const matcherSchema = z.union(
  [
    z.string(),
    z.strictObject({
      regex: z.string().refine(
        (r) => {
          try {
            new RegExp(r);
            return true;
          } catch {
            return false;
          }
        },
        { error: (issue) => `invalid regular expression ${JSON.stringify(issue.input)}` },
      ),
    }),
  ],
  { error: 'a matcher is a text or {regex: PATTERN}' },
);

/** Alerts this policy takes: all conditions must hold. */
const routeSchema = z.strictObject({
  service: matcherSchema.optional(),
  labels: z.record(z.string(), matcherSchema).optional(),
  origin: z.enum(['alertmanager', 'events-v2', 'slo', 'check']).optional(),
  urgency: z.enum(['high', 'low']).optional(),
  severity: z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4']).optional(),
});

export const escalationPolicyDocumentSchema = z.strictObject({
  apiVersion: z.literal('ballast.dev/v1'),
  kind: z.literal('EscalationPolicy'),
  metadata: metadataSchema,
  spec: z.strictObject({
    description: z.string().optional(),
    steps: z
      .array(
        z.strictObject({
          delay: durationField().optional(),
          targets: z
            .array(targetSchema, { error: `targets must be a list: ${TARGET_HINT}` })
            .min(1, { error: `a step pages at least one target (${TARGET_HINT})` }),
        }),
        { error: 'steps must be a list' },
      )
      .min(1, { error: 'a policy needs at least one step' }),
    repeat: z
      .number({ error: 'expected a whole number' })
      .int({ error: 'must be a whole number' })
      .min(0, { error: 'must be 0 or more' })
      .max(MAX_REPEAT, { error: `must be at most ${MAX_REPEAT} (each round pages every step again)` })
      .optional(),
    ackTimeout: durationField().optional(),
    routes: z.array(routeSchema, { error: 'routes must be a list' }).optional(),
  }),
});

export type UserDocument = z.infer<typeof userDocumentSchema>;
export type TeamDocument = z.infer<typeof teamDocumentSchema>;
export type ScheduleDocument = z.infer<typeof scheduleDocumentSchema>;
export type EscalationPolicyDocument = z.infer<typeof escalationPolicyDocumentSchema>;
export type ContactBody = z.infer<typeof contactSchema>;
