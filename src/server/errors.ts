import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ApiError } from './schemas.ts';

type Detail = NonNullable<ApiError['details']>[number];

/** An error the API reports as `{error, message, details?}` with an HTTP status. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Detail[] | undefined;
  constructor(status: number, code: string, message: string, details?: Detail[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Renders a zod issue path as a JSON path: `['events', 3, 'good']` → `events[3].good`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(body)' : out;
}

/** Flattens zod issues (including the branches of unions) into field-named details. */
export function zodDetails(error: z.ZodError): Detail[] {
  return flatten(error.issues, []);
}

function flatten(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[]): Detail[] {
  const details: Detail[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that got furthest (fewest problems), so `{timestamp, good: "x", total: 1}`
      // says `good` is wrong rather than listing every variant's complaints.
      const best = [...issue.errors].sort((a, b) => score(a) - score(b))[0] ?? [];
      details.push(...flatten(best, path));
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        details.push({ path: jsonPath([...path, key]), message: `unknown field "${key}"` });
    } else {
      details.push({ path: jsonPath(path), message: issue.message });
    }
  }
  return details;
}

function score(issues: z.core.$ZodIssue[]): number {
  // Unknown keys mean the wrong variant was tried; weigh them heavier than a bad value.
  return issues.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? 10 * i.keys.length : 1), 0);
}

/** Parses `value` with `schema` or throws a 400 naming every bad field. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = zodDetails(result.error);
  const first = details[0];
  const message = first ? `${first.path}: ${first.message}` : `invalid ${what}`;
  throw new HttpError(400, 'bad_request', message, details);
}

/** Installs the JSON error format on every error fastify or a route raises. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      const body: ApiError = { error: err.code, message: err.message };
      if (err.details) body.details = err.details;
      return reply.status(err.status).send(body);
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) request.log.error(err);
    const code = fastifyCode(err.code, status);
    return reply
      .status(status)
      .send({ error: code, message: status >= 500 ? 'internal error' : err.message });
  });
}

function fastifyCode(code: string | undefined, status: number): string {
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'payload_too_large';
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return 'malformed_json';
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'unsupported_media_type';
  if (status === 413) return 'payload_too_large';
  if (status >= 500) return 'internal';
  return 'bad_request';
}
