/**
 * The kernel state Ballast leaves and takes away: root qdiscs (read with
 * `tc -j`, deleted whole) and nftables tables. No spec or zod imports: the
 * watchdog process (watchdog-main.ts) loads this and should stay small.
 */

/** The root qdisc handle of every Ballast network fault. */
export const ROOT_HANDLE = 'ba11:';

/** One qdisc as `tc -j qdisc show` reports it. */
export interface QdiscInfo {
  kind: string;
  handle: string;
  root: boolean;
  parent?: string;
}

/**
 * Who owns the root qdisc: `default` (the kernel's, handle `0:`, or none shown), `ballast`
 * (handle `ba11:`), or `foreign` (anything else: somebody configured it; do not clobber it).
 */
export type RootOwner = 'default' | 'ballast' | 'foreign';

/** Parses `tc -j qdisc show dev X`; throws on anything but a JSON array of qdiscs. */
export function parseQdiscs(json: string): QdiscInfo[] {
  const data: unknown = JSON.parse(json.trim() === '' ? '[]' : json);
  if (!Array.isArray(data)) throw new Error('tc -j qdisc show did not print a JSON array');
  return data.map((q: Record<string, unknown>) => ({
    kind: String(q.kind),
    handle: String(q.handle),
    root: q.root === true,
    ...(typeof q.parent === 'string' ? { parent: q.parent } : {}),
  }));
}

/** The root qdisc of a parsed listing (undefined when the device shows none). */
export function rootQdisc(qdiscs: readonly QdiscInfo[]): QdiscInfo | undefined {
  return qdiscs.find((q) => q.root);
}

/** Kernel-attached roots have handle `0:`; a qdisc somebody added gets `ba11:`, `1:`, `8001:`… */
export function rootOwner(root: QdiscInfo | undefined): RootOwner {
  if (root === undefined || root.handle === '0:') return 'default';
  return root.handle === ROOT_HANDLE ? 'ballast' : 'foreign';
}

/** Lists the qdiscs of a device as JSON. */
export function showQdiscsCommand(dev: string): string[] {
  return ['tc', '-j', 'qdisc', 'show', 'dev', dev];
}

/** Deletes the root qdisc (with its classes, filters and children); the kernel reattaches its default. */
export function deleteRootCommand(dev: string): string[] {
  return ['tc', 'qdisc', 'del', 'dev', dev, 'root'];
}

/** Deletes a fault's table (and so its chain and rule). */
export function deleteTableCommand(table: string): string[] {
  return ['nft', 'delete', 'table', 'netdev', table];
}
