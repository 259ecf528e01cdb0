/**
 * Taking a variable out of a multistep step's response: a JSON path into the
 * body, a header (any case), or a regex capture group. Pure.
 */
import type { Extraction } from '../../types.ts';

export type Extracted = { value: string } | { error: string };

/** The parts of a response an extraction reads. */
export interface ExtractionSource {
  headers: Record<string, string>;
  body: string;
}

/** Applies one extraction; a value that is not there is an error saying what was looked for. */
export function extractValue(extraction: Extraction, source: ExtractionSource): Extracted {
  switch (extraction.from) {
    case 'header': {
      const value = source.headers[extraction.name.toLowerCase()];
      return value === undefined ? { error: `no ${extraction.name} header in the response` } : { value };
    }
    case 'regex':
      return extractByRegex(extraction.pattern, extraction.group, source.body);
    case 'json':
      return extractByJsonPath(extraction.path, source.body);
  }
}

function extractByRegex(pattern: string, group: number, body: string): Extracted {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (err) {
    return { error: `invalid regex ${pattern}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const match = re.exec(body);
  if (match === null) return { error: `regex ${pattern} does not match the body` };
  const value = match[group];
  return value === undefined ? { error: `regex ${pattern} has no group ${group} in its match` } : { value };
}

function extractByJsonPath(path: string, body: string): Extracted {
  const segments = parseJsonPath(path);
  if ('error' in segments) return segments;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { error: `body is not JSON (looking for ${path})` };
  }
  let node: unknown = doc;
  for (const segment of segments.path) {
    node = step(node, segment);
    if (node === undefined) return { error: `${path} is not in the JSON body` };
  }
  if (typeof node === 'string') return { value: node };
  return { value: JSON.stringify(node) };
}

function step(node: unknown, segment: string | number): unknown {
  if (typeof segment === 'number') return Array.isArray(node) ? node[segment] : undefined;
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  return Object.hasOwn(node, segment) ? (node as Record<string, unknown>)[segment] : undefined;
}

/**
 * Parses a simple JSON path: `token`, `data.items[0].id`, `$.data.id`,
 * `$['odd.key']`. Keys are separated by dots, array indexes are `[n]`,
 * bracketed quotes allow any key; a leading `$` or `$.` is the root.
 */
export function parseJsonPath(path: string): { path: (string | number)[] } | { error: string } {
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  if (rest.startsWith('.')) rest = rest.slice(1);
  const out: (string | number)[] = [];
  const invalid = { error: `invalid JSON path ${JSON.stringify(path)}` };
  // Bounded: every pass consumes at least one character of `rest`.
  while (rest.length > 0) {
    const bracket = /^\[(?:(\d+)|'([^']*)'|"([^"]*)")\]/.exec(rest);
    if (bracket !== null) {
      out.push(bracket[1] !== undefined ? Number(bracket[1]) : (bracket[2] ?? bracket[3] ?? ''));
      rest = rest.slice(bracket[0].length);
      continue;
    }
    const key = /^\.?([^.[\]]+)/.exec(rest);
    // A key needs its dot unless it starts the path.
    if (key === null || (out.length > 0 && !key[0].startsWith('.'))) return invalid;
    out.push(key[1] as string);
    rest = rest.slice(key[0].length);
  }
  return { path: out };
}

/** A value short enough to show in a result (extracted tokens are often secrets and always long). */
export function shortenForDisplay(value: string, max = 24): string {
  if (value.length <= max) return value;
  return `${value.slice(0, 12)}… (${value.length} chars)`;
}
