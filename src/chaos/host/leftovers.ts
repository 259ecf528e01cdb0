/**
 * Finding and removing network faults a crashed Ballast left behind: root
 * qdiscs with Ballast's handle and nftables tables named `ballast_*`. Child
 * processes need no sweeping (they die with their parent); kernel state does.
 */
import { isAlreadyGone } from './errors.ts';
import { CommandError, type CommandRunner, runOrExplain } from './exec.ts';
import { deleteTableCommand } from './nft.ts';
import { deleteRootCommand, parseQdiscs, ROOT_HANDLE, rootQdisc, showQdiscsCommand } from './tc.ts';

/** What a sweep removed (or, with `dryRun`, would remove). */
export interface Leftovers {
  /** Interfaces whose `ba11:` root qdisc was deleted. */
  qdiscs: string[];
  /** nftables tables (family netdev) that were deleted. */
  tables: string[];
}

/** Names of the netdev tables a `nft -j list tables` lists that look like Ballast's. */
export function ballastTables(json: string): string[] {
  const data = JSON.parse(json) as { nftables?: { table?: { family: string; name: string } }[] };
  return (data.nftables ?? [])
    .map((e) => e.table)
    .filter(
      (t): t is { family: string; name: string } => t?.family === 'netdev' && t.name.startsWith('ballast_'),
    )
    .map((t) => t.name);
}

/**
 * Removes Ballast's leftovers in one network namespace (the host's when `netns` is
 * undefined), except those in `keep` (interface names and table names of faults still
 * active). Only the process that owns every Ballast fault there may call this: another
 * live manager's faults look exactly like leftovers.
 */
export async function sweepLeftovers(
  run: CommandRunner,
  o: { netns?: string | undefined; keep?: ReadonlySet<string>; dryRun?: boolean } = {},
): Promise<Leftovers> {
  const sh = (argv: string[]) => runOrExplain(run, { argv, netns: o.netns });
  const keep = o.keep ?? new Set<string>();
  const out: Leftovers = { qdiscs: [], tables: [] };
  const links = JSON.parse((await sh(['ip', '-j', 'link', 'show'])).stdout) as { ifname: string }[];
  for (const { ifname } of links) {
    if (keep.has(ifname)) continue;
    const root = rootQdisc(parseQdiscs((await sh(showQdiscsCommand(ifname))).stdout));
    if (root?.handle !== ROOT_HANDLE) continue;
    if (!o.dryRun) await ignoreGone(run, deleteRootCommand(ifname), o.netns);
    out.qdiscs.push(ifname);
  }
  const tables = ballastTables((await sh(['nft', '-j', 'list', 'tables', 'netdev'])).stdout);
  for (const table of tables) {
    if (keep.has(table)) continue;
    if (!o.dryRun) await ignoreGone(run, deleteTableCommand(table), o.netns);
    out.tables.push(table);
  }
  return out;
}

async function ignoreGone(run: CommandRunner, argv: string[], netns: string | undefined): Promise<void> {
  try {
    await run({ argv, netns });
  } catch (err) {
    if (!(err instanceof CommandError && isAlreadyGone(err.stderr))) throw err;
  }
}
