/**
 * The network fault driver: netem and tbf through `tc`, and packet loss through
 * nftables when the kernel has no netem. It reads the root qdisc first, refuses
 * to clobber one Ballast did not create (unless `replace`), and pushes the undo
 * of each change as soon as the change is made.
 */
import { HostFaultError, isAlreadyGone, NETEM_MISSING } from './errors.ts';
import { CommandError, type CommandRunner, runOrExplain } from './exec.ts';
import { deleteTableCommand, lossTableScript, nftTableName } from './nft.ts';
import type { NetemSpec, NetworkSpec } from './spec.ts';
import {
  deleteRootCommand,
  faultQdiscArgs,
  installCommands,
  parseQdiscs,
  ROOT_HANDLE,
  rootOwner,
  rootQdisc,
  showQdiscsCommand,
} from './tc.ts';
import type { AppliedState, FaultContext, NetworkDetails } from './types.ts';
import { transact, type UndoStack } from './undo.ts';

/** The netem fields nftables cannot stand in for. */
const NETEM_ONLY = [
  'delayMs',
  'jitterMs',
  'duplicatePct',
  'corruptPct',
  'reorderPct',
  'limitPackets',
] as const;

/** True when a netem spec asks for nothing but loss, which nftables can do instead. */
export function lossOnly(s: NetemSpec): boolean {
  return (s.lossPct ?? 0) > 0 && NETEM_ONLY.every((f) => s[f] === undefined || s[f] === 0);
}

/**
 * Applies a netem or bandwidth fault. A netem spec with only `lossPct` falls back to
 * nftables when the kernel lacks netem (and says so in `details.note`); any other netem
 * spec on such a kernel fails with {@link NETEM_MISSING}, naming the fields that need it.
 */
export async function applyNetwork(spec: NetworkSpec, ctx: FaultContext): Promise<AppliedState> {
  try {
    return await applyQdisc(spec, ctx);
  } catch (err) {
    if (!(spec.kind === 'netem' && err instanceof HostFaultError && err.message === NETEM_MISSING)) throw err;
    if (lossOnly(spec)) {
      return applyNftLoss(spec, ctx, `${NETEM_MISSING}: lossPct applied with nftables instead`);
    }
    const fields = NETEM_ONLY.filter((f) => spec[f] !== undefined && spec[f] !== 0);
    throw new HostFaultError('unsupported', `${NETEM_MISSING}; ${fields.join(', ')} need netem`, {
      field: fields[0],
      cause: err,
    });
  }
}

async function applyQdisc(spec: NetworkSpec, ctx: FaultContext): Promise<AppliedState> {
  const dev = spec.interface;
  const sh = (argv: string[]) => runOrExplain(ctx.run, { argv, netns: spec.netns });
  const commands: string[][] = [];
  const { value: details, undo } = await transact(async (undo) => {
    const mtu = await interfaceMtu(ctx.run, spec);
    const release = ctx.claim(`tc:${spec.netns ?? ''}:${dev}`, `the root qdisc of ${where(spec)}`);
    undo.push(`release the claim on ${where(spec)}`, async () => release());
    const prior = rootQdisc(parseQdiscs((await sh(showQdiscsCommand(dev))).stdout));
    const owner = rootOwner(prior);
    if (owner === 'foreign' && !spec.replace) {
      throw new HostFaultError(
        'conflict',
        `${where(spec)} already has a root qdisc Ballast did not create (${prior?.kind} ${prior?.handle}); pass replace: true to replace it (revert then leaves the kernel default, not the old qdisc)`,
        { field: 'replace' },
      );
    }
    const notes: string[] = [];
    if (owner !== 'default') {
      // A leftover Ballast root (a crashed run) or a foreign one the caller agreed to replace.
      await sh(deleteRootCommand(dev));
      commands.push(deleteRootCommand(dev));
      notes.push(
        owner === 'ballast'
          ? `removed a leftover Ballast root qdisc (${prior?.kind} ${ROOT_HANDLE})`
          : `replaced root qdisc ${prior?.kind} ${prior?.handle}; revert leaves the kernel default`,
      );
    }
    const [root, ...rest] = installCommands(dev, faultQdiscArgs(spec, mtu), spec.destination) as [
      string[],
      ...string[][],
    ];
    await sh(root);
    commands.push(root);
    // Deleting the root takes the classes, filters and fault qdisc under it along.
    undo.push(`delete root qdisc ${ROOT_HANDLE} of ${where(spec)}`, () => deleteOurRoot(ctx.run, spec));
    for (const argv of rest) {
      await sh(argv);
      commands.push(argv);
    }
    const d: NetworkDetails = {
      backend: 'tc',
      interface: dev,
      ...(spec.netns === undefined ? {} : { netns: spec.netns }),
      commands,
      ...(prior === undefined ? {} : { priorRoot: { kind: prior.kind, handle: prior.handle, owner } }),
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    };
    return d;
  });
  return { details, undo };
}

async function applyNftLoss(spec: NetemSpec, ctx: FaultContext, note: string): Promise<AppliedState> {
  const table = nftTableName(ctx.id);
  const argv = ['nft', '-f', '-'];
  const { undo } = await transact(async (undo: UndoStack) => {
    await interfaceMtu(ctx.run, spec);
    const input = lossTableScript({
      table,
      interface: spec.interface,
      lossPct: spec.lossPct as number,
      destination: spec.destination,
    });
    await runOrExplain(ctx.run, { argv, netns: spec.netns, input });
    undo.push(`delete nftables table netdev ${table} in ${where(spec)}`, () =>
      ignoreGone(ctx.run, deleteTableCommand(table), spec.netns),
    );
  });
  const details: NetworkDetails = {
    backend: 'nftables',
    interface: spec.interface,
    ...(spec.netns === undefined ? {} : { netns: spec.netns }),
    commands: [argv],
    table,
    note,
  };
  return { details, undo };
}

/** The interface's MTU; also the check that it exists, so every later error is about the fault. */
async function interfaceMtu(run: CommandRunner, spec: NetworkSpec): Promise<number> {
  const out = await runOrExplain(run, {
    argv: ['ip', '-j', 'link', 'show', 'dev', spec.interface],
    netns: spec.netns,
  });
  const mtu = (JSON.parse(out.stdout) as { mtu?: number }[])[0]?.mtu;
  return typeof mtu === 'number' && mtu > 0 ? mtu : 1500;
}

/**
 * Deletes the root qdisc only while it is still Ballast's: if somebody replaced it since,
 * theirs stays. A vanished namespace or interface took the qdisc with it: nothing to do.
 */
async function deleteOurRoot(run: CommandRunner, spec: NetworkSpec): Promise<void> {
  let out: string;
  try {
    out = (await run({ argv: showQdiscsCommand(spec.interface), netns: spec.netns })).stdout;
  } catch (err) {
    if (err instanceof CommandError && isAlreadyGone(err.stderr)) return;
    throw err;
  }
  if (rootQdisc(parseQdiscs(out))?.handle !== ROOT_HANDLE) return;
  await ignoreGone(run, deleteRootCommand(spec.interface), spec.netns);
}

async function ignoreGone(run: CommandRunner, argv: string[], netns: string | undefined): Promise<void> {
  try {
    await run({ argv, netns });
  } catch (err) {
    if (err instanceof CommandError && isAlreadyGone(err.stderr)) return;
    throw err;
  }
}

function where(spec: NetworkSpec): string {
  return spec.netns === undefined
    ? `interface ${spec.interface}`
    : `interface ${spec.interface} in netns ${spec.netns}`;
}
