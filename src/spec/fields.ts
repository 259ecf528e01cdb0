/**
 * Zod field builders shared by the `ballast.dev/v1` kinds, so every kind words
 * the same mistake the same way (durations, counts, names, regular expressions).
 */
import { z } from 'zod';
import { parseDuration } from './duration.ts';

/** Names of Ballast documents: lower-case, digits, `-`, `.`, `_`. */
export const NAME_PATTERN = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;

/** `metadata` of a `ballast.dev/v1` document. */
export const metadataSchema = z.strictObject({
  name: z.string().regex(NAME_PATTERN, {
    error: 'must be lowercase letters, digits, "-", "." or "_", starting and ending with a letter or digit',
  }),
  displayName: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** A duration string such as `30s`, `5m` or `1h30m`; greater than zero unless `allowZero`. */
export const durationField = (allowZero = false) =>
  z.string({ error: 'expected a duration such as 30s, 5m or 1h30m' }).refine(
    (s) => {
      const ms = parseDuration(s);
      return ms !== undefined && (allowZero || ms > 0);
    },
    {
      error: (issue) =>
        `malformed duration ${JSON.stringify(issue.input)}: use a whole number and a unit (ms, s, m, h), e.g. 30s or 1m30s${allowZero ? '' : ', greater than zero'}`,
    },
  );

export const positiveField = (what: string) =>
  z.number({ error: `${what} must be a number` }).positive({ error: `${what} must be greater than 0` });

export const nonNegativeField = (what: string) =>
  z.number({ error: `${what} must be a number` }).nonnegative({ error: `${what} must not be negative` });

/** A whole number of at least 1. */
export const countField = (what: string) =>
  z
    .number({ error: `${what} must be a whole number` })
    .int({ error: `${what} must be a whole number` })
    .positive({ error: `${what} must be at least 1` });

/** A string that compiles as a JavaScript regular expression. */
export const regexField = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { error: (issue) => `invalid regular expression ${JSON.stringify(issue.input)}` },
);
