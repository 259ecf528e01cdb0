/**
 * Reading the values of placeholders, `len(...)` and `has(...)` from what a
 * check observed. A value that is not there comes back as a `problem` (the
 * words shown in place of the value), never as an exception.
 */
import type { ConditionContext } from '../types.ts';
import type { PlaceholderOperand, ValueOperand } from './ast.ts';
import { displayDuration, displayValue } from './display.ts';
import { type JsonValue, walkPath } from './json-path.ts';

/** A value and how to show it, or why there is none. */
export type Resolution = { value: JsonValue; shown: string } | { problem: string };

/** Said when the check type does not provide the placeholder (no body, no TLS, not DNS...). */
export const NO_VALUE = 'no value';
/** Said when the JSON path or header is absent. */
export const MISSING = 'missing';
export const NOT_JSON = 'body is not JSON';

type ParsedBody = { ok: true; value: JsonValue } | { ok: false };

/**
 * The parsed body, per context: a check evaluates several conditions on one
 * body, and a large body should be parsed once. The body text is kept to
 * notice a context whose body was replaced afterwards.
 */
const parsedBodies = new WeakMap<ConditionContext, { body: string; parsed: ParsedBody }>();

function parsedBody(ctx: ConditionContext, body: string): ParsedBody {
  const cached = parsedBodies.get(ctx);
  if (cached && cached.body === body) return cached.parsed;
  let parsed: ParsedBody;
  try {
    parsed = { ok: true, value: JSON.parse(body) as JsonValue };
  } catch {
    parsed = { ok: false };
  }
  parsedBodies.set(ctx, { body, parsed });
  return parsed;
}

/** What `operand` reads in `ctx`. */
export function resolve(operand: ValueOperand, ctx: ConditionContext): Resolution {
  switch (operand.kind) {
    case 'placeholder':
      return resolvePlaceholder(operand, ctx);
    case 'has': {
      const found = !('problem' in resolvePlaceholder(operand.target, ctx));
      return { value: found, shown: String(found) };
    }
    case 'len': {
      const target = resolvePlaceholder(operand.target, ctx);
      if ('problem' in target) return target;
      const length = lengthOf(target.value);
      return length === undefined
        ? { problem: `${target.shown} has no length` }
        : { value: length, shown: String(length) };
    }
  }
}

/** Characters of a string, items of an array, keys of an object; undefined for the rest. */
function lengthOf(value: JsonValue): number | undefined {
  if (typeof value === 'string') return Array.from(value).length;
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return undefined;
}

const plain = (value: JsonValue): Resolution => ({ value, shown: displayValue(value) });
const optional = (value: JsonValue | undefined): Resolution =>
  value === undefined ? { problem: NO_VALUE } : plain(value);

function resolvePlaceholder(operand: PlaceholderOperand, ctx: ConditionContext): Resolution {
  switch (operand.name) {
    case 'STATUS':
      return optional(ctx.status);
    case 'RESPONSE_TIME':
      return { value: ctx.responseTimeMs, shown: String(Math.round(ctx.responseTimeMs)) };
    case 'CERTIFICATE_EXPIRATION': {
      const ms = ctx.certificateExpirationMs;
      return ms === undefined ? { problem: NO_VALUE } : { value: ms, shown: displayDuration(ms) };
    }
    case 'CONNECTED':
      return optional(ctx.connected);
    case 'IP':
      return optional(ctx.ip);
    case 'DNS_RCODE':
      return optional(ctx.dnsRcode);
    case 'HEADER':
      return resolveHeader(ctx.headers, operand.header ?? '');
    case 'BODY':
      return resolveBody(operand, ctx);
  }
}

function resolveHeader(headers: Record<string, string> | undefined, name: string): Resolution {
  if (headers === undefined) return { problem: NO_VALUE };
  if (Object.hasOwn(headers, name)) return plain(headers[name] as string);
  // Runners store lower-case names; tolerate one that did not.
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? { problem: MISSING } : plain(headers[key] as string);
}

function resolveBody(operand: PlaceholderOperand, ctx: ConditionContext): Resolution {
  const body = ctx.body;
  if (body === undefined) return { problem: NO_VALUE };
  if (operand.path.length === 0) return plain(body);
  const parsed = parsedBody(ctx, body);
  if (!parsed.ok) return { problem: NOT_JSON };
  const found = walkPath(parsed.value, operand.path);
  return found.found ? plain(found.value) : { problem: MISSING };
}
