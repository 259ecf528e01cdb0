/** Small helpers shared by the store modules for ids, limits and optional columns. */

/** The largest `serial` id; a larger number cannot name a row (and PostgreSQL would reject it). */
export const MAX_SERIAL = 2_147_483_647;

export const DEFAULT_LIST_LIMIT = 100;

/** Whether a number can be a `serial` id (a positive 32-bit integer). */
export function isSerial(id: number): boolean {
  return Number.isInteger(id) && id >= 1 && id <= MAX_SERIAL;
}

/** A list limit: the default when absent or not finite, else a non-negative integer. */
export function limitOf(limit: number | undefined): number {
  return limit !== undefined && Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : DEFAULT_LIST_LIMIT;
}

/** `{ [key]: value }` when the value is there, `{}` for undefined or null. */
export function present<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return value === undefined || value === null ? {} : ({ [key]: value } as { [P in K]?: V });
}
