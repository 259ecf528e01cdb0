/**
 * Glob matching for `pat(...)`, as Gatus does it: `*` matches any run of
 * characters (also none), `?` exactly one, everything else itself, case-sensitive.
 */

/**
 * Whether the whole of `text` matches `glob`. Linear-time backtracking to the
 * last `*` only, so a large body and a glob like `*a*a*a*b` cannot blow up.
 *
 * @example matchGlob('application/json*', 'application/json; charset=utf-8') // true
 */
export function matchGlob(glob: string, text: string): boolean {
  // Code points, so `?` matches one character even outside the BMP.
  const g = Array.from(glob);
  const t = Array.from(text);
  let gi = 0;
  let ti = 0;
  let starAt = -1; // position in g just after the last `*` seen
  let starText = 0; // where in t that `*` currently ends
  while (ti < t.length) {
    const c = g[gi];
    if (c === '*') {
      starAt = ++gi;
      starText = ti;
    } else if (c !== undefined && (c === '?' || c === t[ti])) {
      gi++;
      ti++;
    } else if (starAt !== -1) {
      // Let the last `*` swallow one more character and retry from there.
      gi = starAt;
      ti = ++starText;
    } else {
      return false;
    }
  }
  while (g[gi] === '*') gi++;
  return gi === g.length;
}
