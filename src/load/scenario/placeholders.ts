/**
 * `${name}` and `${name.field}` placeholders in URLs, headers and bodies:
 * split once into literal and variable parts, rendered per iteration.
 */

/** A template string split at its placeholders. */
export type TemplatePart = string | { variable: string; field?: string };

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const REF = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z0-9_-]+))?$/;

/** A placeholder found in a string, with its offset (for diagnostics). */
export interface PlaceholderRef {
  variable: string;
  field?: string;
  /** The text inside `${}`. */
  raw: string;
  offset: number;
  /** False when the text inside `${}` is not `name` or `name.field`. */
  wellFormed: boolean;
}

/** Every placeholder in `text`, in order. */
export function findPlaceholders(text: string): PlaceholderRef[] {
  const out: PlaceholderRef[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const raw = m[1] as string;
    const ref = REF.exec(raw.trim());
    out.push({
      variable: ref?.[1] ?? raw,
      ...(ref?.[2] !== undefined ? { field: ref[2] } : {}),
      raw,
      offset: m.index,
      wellFormed: ref !== null,
    });
  }
  return out;
}

/** Splits `text` into parts; a string without placeholders is one literal part. */
export function splitTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const p of findPlaceholders(text)) {
    if (p.offset > last) parts.push(text.slice(last, p.offset));
    parts.push(p.field === undefined ? { variable: p.variable } : { variable: p.variable, field: p.field });
    last = p.offset + p.raw.length + 3;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** True when `text` has at least one placeholder. */
export function hasPlaceholders(text: string): boolean {
  return text.includes('${') && findPlaceholders(text).length > 0;
}
