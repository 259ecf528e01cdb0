/**
 * Rule matching, pure: a rule's `match` compiled once into a predicate over the
 * parts of a request a rule can name (method, path, headers).
 */
import type { HeaderMatch, HttpMatch, PathMatch } from './schema.ts';

/** What matching sees of a request. Header names are lower case (as Node gives them). */
export interface RequestView {
  method: string;
  /** The path without the query string, as sent (not percent-decoded). */
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export type Matcher = (req: RequestView) => boolean;

/**
 * Compiles a validated match. All given conditions must hold; `{}` matches every request.
 *
 * @example compileMatch({ path: '/api/*', method: ['POST', 'put'] })({ method: 'POST', path: '/api/x', headers: {} }) // true
 */
export function compileMatch(match: HttpMatch): Matcher {
  const tests: Matcher[] = [];
  if (match.path !== undefined) {
    const path = compilePath(match.path);
    tests.push((req) => path(req.path));
  }
  if (match.method !== undefined) {
    const methods = new Set(
      (Array.isArray(match.method) ? match.method : [match.method]).map((m) => m.toUpperCase()),
    );
    tests.push((req) => methods.has(req.method.toUpperCase()));
  }
  for (const [name, want] of Object.entries(match.headers ?? {})) {
    const header = compileHeader(want);
    const key = name.toLowerCase();
    tests.push((req) => header(req.headers[key]));
  }
  return (req) => tests.every((t) => t(req));
}

/** `*` any, `/a/*` prefix `/a/`, `{ regex }` unanchored search, anything else exact. */
export function compilePath(path: PathMatch): (path: string) => boolean {
  if (typeof path !== 'string') {
    const re = new RegExp(path.regex);
    return (p) => re.test(p);
  }
  if (path === '*') return () => true;
  if (path.endsWith('*')) {
    const prefix = path.slice(0, -1);
    return (p) => p.startsWith(prefix);
  }
  return (p) => p === path;
}

/**
 * A header condition. Repeated headers (Node joins most with ", "; set-cookie is a
 * list) match when any value does; a missing header matches only `{ present: false }`.
 */
export function compileHeader(want: HeaderMatch): (value: string | string[] | undefined) => boolean {
  if (typeof want !== 'string' && 'present' in want) return (v) => (v !== undefined) === want.present;
  const test: (v: string) => boolean =
    typeof want === 'string'
      ? (v) => v === want
      : (
          (re) => (v: string) =>
            re.test(v)
        )(new RegExp(want.regex));
  return (v) => (v === undefined ? false : Array.isArray(v) ? v.some(test) : test(v));
}
