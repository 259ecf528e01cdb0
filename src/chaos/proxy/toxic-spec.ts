/**
 * Reading toxic bodies as Toxiproxy does (defaults: stream `downstream`,
 * toxicity 1, name `<type>_<stream>`, omitted attributes 0), with stricter
 * checks so a typo or an absurd value is an error instead of a silent no-op:
 * unknown attribute names, negative or non-integer numbers, values past an
 * hour, toxicity outside 0..1. Pure: no sockets, no clock.
 */
import { Errors, type ProxyApiError } from './errors.ts';
import { type Stream, TOXIC_TYPES, type Toxic, type ToxicType } from './types.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: ProxyApiError };

/** One attribute's rule: a whole number in a range (with its unit for messages), a fraction, or a choice. */
type Rule =
  | { kind: 'int'; min: number; max: number; unit: string; required?: boolean }
  | { kind: 'fraction'; default: number }
  | { kind: 'choice'; values: readonly string[] };

const HOUR_MS = 3_600_000;
const ms: Rule = { kind: 'int', min: 0, max: HOUR_MS, unit: 'milliseconds' };

/** Attribute rules per type; the names and units are Toxiproxy's. */
const RULES: Record<ToxicType, Record<string, Rule>> = {
  latency: { latency: ms, jitter: ms },
  // Toxiproxy takes rate 0 and then never sends anything; `timeout` says that on purpose.
  bandwidth: { rate: { kind: 'int', min: 1, max: 10_000_000, unit: 'KB/s', required: true } },
  slow_close: { delay: ms },
  timeout: { timeout: ms },
  reset_peer: { timeout: ms },
  slicer: {
    average_size: { kind: 'int', min: 1, max: 16 * 1024 * 1024, unit: 'bytes', required: true },
    size_variation: { kind: 'int', min: 0, max: 16 * 1024 * 1024, unit: 'bytes' },
    delay: { kind: 'int', min: 0, max: HOUR_MS * 1000, unit: 'microseconds' },
  },
  limit_data: { bytes: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, unit: 'bytes' } },
  loss: {
    mode: { kind: 'choice', values: ['drop', 'stall'] },
    probability: { kind: 'fraction', default: 1 },
  },
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isToxicType(v: unknown): v is ToxicType {
  return typeof v === 'string' && (TOXIC_TYPES as readonly string[]).includes(v);
}

/**
 * Checks `input` against the rules of `type`, on top of `base` (the current
 * attributes on update, none on create). Returns the complete attribute object.
 */
function checkAttributes(
  type: ToxicType,
  input: unknown,
  base: Record<string, unknown> | undefined,
): Checked<Record<string, number | string>> {
  if (input !== undefined && input !== null && !isRecord(input))
    return { ok: false, error: Errors.badBody('attributes must be an object') };
  const given = (input ?? {}) as Record<string, unknown>;
  const rules = RULES[type];
  const unknown = Object.keys(given).filter((k) => !(k in rules));
  if (unknown.length > 0)
    return {
      ok: false,
      error: Errors.badBody(
        `${type} has no attribute ${unknown.map((k) => JSON.stringify(k)).join(', ')} (its attributes: ${Object.keys(rules).join(', ')})`,
      ),
    };
  const out: Record<string, number | string> = {};
  for (const [key, rule] of Object.entries(rules)) {
    const value = key in given ? given[key] : base?.[key];
    const checked = checkOne(type, key, rule, value);
    if (!checked.ok) return checked;
    out[key] = checked.value;
  }
  if (type === 'slicer' && (out.size_variation as number) >= (out.average_size as number))
    return {
      ok: false,
      error: Errors.badBody(
        `slicer size_variation (${out.size_variation}) must be less than average_size (${out.average_size})`,
      ),
    };
  return { ok: true, value: out };
}

function checkOne(type: ToxicType, key: string, rule: Rule, value: unknown): Checked<number | string> {
  const where = `${type} ${key}`;
  if (rule.kind === 'choice') {
    if (typeof value === 'string' && rule.values.includes(value)) return { ok: true, value };
    return {
      ok: false,
      error: Errors.badBody(
        `${where} must be one of ${rule.values.map((v) => `"${v}"`).join(', ')}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`,
      ),
    };
  }
  if (rule.kind === 'fraction') {
    if (value === undefined || value === null) return { ok: true, value: rule.default };
    if (typeof value === 'number' && value >= 0 && value <= 1) return { ok: true, value };
    return {
      ok: false,
      error: Errors.badBody(`${where} must be a number from 0 to 1 (got ${JSON.stringify(value)})`),
    };
  }
  if (value === undefined || value === null) {
    if (rule.required)
      return { ok: false, error: Errors.missingField(`attributes.${key} (${type}, in ${rule.unit})`) };
    return { ok: true, value: 0 };
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < rule.min || value > rule.max)
    return {
      ok: false,
      error: Errors.badBody(
        `${where} must be a whole number of ${rule.unit} from ${rule.min} to ${rule.max} (got ${JSON.stringify(value)})`,
      ),
    };
  return { ok: true, value };
}

function checkToxicity(value: unknown, fallback: number): Checked<number> {
  if (value === undefined || value === null) return { ok: true, value: fallback };
  if (typeof value === 'number' && value >= 0 && value <= 1) return { ok: true, value };
  return {
    ok: false,
    error: Errors.badBody(`toxicity must be a number from 0 to 1 (got ${JSON.stringify(value)})`),
  };
}

/**
 * Reads the body of `POST /proxies/{proxy}/toxics`. Fields other than Toxiproxy's
 * (`name`, `type`, `stream`, `toxicity`, `attributes`) are ignored here; the
 * daemon reads `lease` itself.
 *
 * @example parseNewToxic({ type: 'latency', attributes: { latency: 200 } })
 * // { ok: true, value: { name: 'latency_downstream', type: 'latency', stream: 'downstream',
 * //   toxicity: 1, attributes: { latency: 200, jitter: 0 } } }
 */
export function parseNewToxic(body: unknown): Checked<Toxic> {
  if (!isRecord(body)) return { ok: false, error: Errors.badBody('expected a JSON object') };
  const stream = body.stream ?? 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') return { ok: false, error: Errors.invalidStream() };
  if (!isToxicType(body.type)) return { ok: false, error: Errors.invalidToxicType(body.type, TOXIC_TYPES) };
  const type = body.type;
  if (
    body.name !== undefined &&
    body.name !== null &&
    (typeof body.name !== 'string' || body.name.length > 256)
  )
    return { ok: false, error: Errors.badBody('name must be a string of at most 256 characters') };
  const name = typeof body.name === 'string' && body.name !== '' ? body.name : `${type}_${stream}`;
  const toxicity = checkToxicity(body.toxicity, 1);
  if (!toxicity.ok) return toxicity;
  const attributes = checkAttributes(type, body.attributes, undefined);
  if (!attributes.ok) return attributes;
  return {
    ok: true,
    value: {
      name,
      type,
      stream: stream as Stream,
      toxicity: toxicity.value,
      attributes: attributes.value,
    } as Toxic,
  };
}

/**
 * Applies the body of `POST /proxies/{proxy}/toxics/{toxic}` to `current`:
 * attributes are merged over the current ones and toxicity kept unless given,
 * as Toxiproxy does; name, type and stream cannot change. Returns the new toxic.
 */
export function parseToxicUpdate(current: Toxic, body: unknown): Checked<Toxic> {
  if (!isRecord(body)) return { ok: false, error: Errors.badBody('expected a JSON object') };
  const toxicity = checkToxicity(body.toxicity, current.toxicity);
  if (!toxicity.ok) return toxicity;
  const attributes = checkAttributes(current.type, body.attributes, current.attributes);
  if (!attributes.ok) return attributes;
  return { ok: true, value: { ...current, toxicity: toxicity.value, attributes: attributes.value } as Toxic };
}
