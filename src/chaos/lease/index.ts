/** Fault leases' public face: the pure lease table and its limits. */
export * from './table.ts';
