/**
 * Walking a parsed JSON body along a path like `.data[0].id`.
 */
import type { PathSegment } from './ast.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The value at `path` inside `root`, or `found: false` when a step does not
 * exist (a key on a non-object, an index past the end or on a non-array).
 * Only own keys count: `.constructor` is not found on a plain object.
 */
export function walkPath(
  root: JsonValue,
  path: readonly PathSegment[],
): { found: true; value: JsonValue } | { found: false } {
  let current: JsonValue = root;
  for (const segment of path) {
    if ('index' in segment) {
      if (!Array.isArray(current) || segment.index >= current.length) return { found: false };
      current = current[segment.index] as JsonValue;
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return { found: false };
      if (!Object.hasOwn(current, segment.key)) return { found: false };
      current = current[segment.key] as JsonValue;
    }
  }
  return { found: true, value: current };
}
