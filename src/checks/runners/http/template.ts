/**
 * `${name}` placeholders in a multistep step's URL, header values and body,
 * filled from variables earlier steps extracted. Values go in as they are
 * (not URL-encoded): a variable may be a whole path or query. Pure.
 */
import type { HttpRequestSpec } from '../../types.ts';

/** Same shape as a spec variable name (`[A-Za-z_][A-Za-z0-9_]*`); anything else stays literal. */
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export type Filled<T> = { value: T } | { missing: string };

/** Fills the placeholders of `text`; the first undefined variable is reported instead. */
export function fillPlaceholders(text: string, variables: ReadonlyMap<string, string>): Filled<string> {
  let missing: string | undefined;
  const value = text.replace(PLACEHOLDER, (whole, name: string) => {
    const v = variables.get(name);
    if (v === undefined) {
      missing ??= name;
      return whole;
    }
    return v;
  });
  return missing === undefined ? { value } : { missing };
}

/** Fills URL, header values and body of a request. */
export function fillRequest(
  request: HttpRequestSpec,
  variables: ReadonlyMap<string, string>,
): Filled<HttpRequestSpec> {
  const url = fillPlaceholders(request.url, variables);
  if ('missing' in url) return url;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const filled = fillPlaceholders(value, variables);
    if ('missing' in filled) return filled;
    headers[name] = filled.value;
  }
  const filled: HttpRequestSpec = { method: request.method, url: url.value, headers };
  if (request.body !== undefined) {
    const body = fillPlaceholders(request.body, variables);
    if ('missing' in body) return body;
    filled.body = body.value;
  }
  return { value: filled };
}
