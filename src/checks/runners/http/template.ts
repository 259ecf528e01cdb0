/**
 * `${name}` placeholders in a multistep step's URL, header values and body,
 * filled from variables earlier steps extracted, and `${env.NAME}` from the
 * environment, in one pass: a value that came from a response is never
 * scanned again, so a server cannot make a step send `${env.SECRET}`. Values
 * go in as they are (not URL-encoded): a variable may be a whole path or query. Pure.
 */
import type { HttpRequestSpec } from '../../types.ts';

/** Same shape as a spec variable name (`[A-Za-z_][A-Za-z0-9_]*`), `env.` for the environment; anything else stays literal. */
const PLACEHOLDER = /\$\{(env\.)?([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `missing` names the variable, `env.NAME` for an environment variable. */
export type Filled<T> = { value: T } | { missing: string };

const NO_ENV: ReadonlyMap<string, string> = new Map();

/** Fills the placeholders of `text`; the first undefined variable is reported instead. */
export function fillPlaceholders(
  text: string,
  variables: ReadonlyMap<string, string>,
  env: ReadonlyMap<string, string> = NO_ENV,
): Filled<string> {
  let missing: string | undefined;
  const value = text.replace(PLACEHOLDER, (whole, fromEnv: string | undefined, name: string) => {
    const v = fromEnv ? env.get(name) : variables.get(name);
    if (v === undefined) {
      missing ??= fromEnv ? `env.${name}` : name;
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
  env: ReadonlyMap<string, string> = NO_ENV,
): Filled<HttpRequestSpec> {
  const url = fillPlaceholders(request.url, variables, env);
  if ('missing' in url) return url;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const filled = fillPlaceholders(value, variables, env);
    if ('missing' in filled) return filled;
    headers[name] = filled.value;
  }
  const filled: HttpRequestSpec = { method: request.method, url: url.value, headers };
  if (request.body !== undefined) {
    const body = fillPlaceholders(request.body, variables, env);
    if ('missing' in body) return body;
    filled.body = body.value;
  }
  return { value: filled };
}
