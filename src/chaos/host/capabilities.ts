/**
 * What this kernel can do for network faults, found by trying: each qdisc,
 * classifier and nftables hook is added once inside a scratch network namespace
 * that is deleted afterwards, so the probe never touches a real interface.
 * Kernel modules load on demand, so reading /proc or /sys would not tell.
 */
import { randomBytes } from 'node:crypto';
import { explainCommandFailure } from './errors.ts';
import { CommandError, type CommandRunner, systemRunner } from './exec.ts';

/** Each capability: available, or the reason it is not (the tool's own words, mapped). */
export interface NetworkCapabilities {
  netem: Capability;
  tbf: Capability;
  htb: Capability;
  u32: Capability;
  /** nftables with a netdev egress hook (what loss without netem uses). */
  nftEgress: Capability;
}

export type Capability = { available: true } | { available: false; reason: string };

/**
 * Probes the kernel; needs root (it creates a network namespace). Takes well under a second.
 *
 * @example const caps = await probeNetworkCapabilities(); if (!caps.netem.available) console.log(caps.netem.reason);
 */
export async function probeNetworkCapabilities(
  run: CommandRunner = systemRunner,
): Promise<NetworkCapabilities> {
  const netns = `ballast-probe-${process.pid}-${randomBytes(3).toString('hex')}`;
  const tryIn = async (argv: string[], input?: string): Promise<Capability> => {
    try {
      await run({ argv, netns, ...(input === undefined ? {} : { input }) });
      return { available: true };
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      return { available: false, reason: explain(err).message };
    }
  };
  // Each probe starts from the default root: tc cannot change a qdisc's kind in place.
  const qdisc = async (kind: string[]) => {
    await run({ argv: ['tc', 'qdisc', 'del', 'dev', 'lo', 'root'], netns }).catch(() => undefined);
    return tryIn(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', ...kind]);
  };
  await run({ argv: ['ip', 'netns', 'add', netns] }).catch((err: unknown) => {
    throw err instanceof CommandError ? explain(err) : err;
  });
  try {
    await run({ argv: ['ip', 'link', 'set', 'lo', 'up'], netns });
    const netem = await qdisc(['netem', 'delay', '1ms']);
    const tbf = await qdisc(['tbf', 'rate', '1mbit', 'burst', '32kb', 'latency', '50ms']);
    const htb = await qdisc(['htb', 'default', '0']);
    const u32 = htb.available
      ? await tryIn(
          ['tc', 'filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1'].concat([
            'u32',
            'match',
            'ip',
            'dst',
            '127.0.0.2/32',
            'flowid',
            '1:1',
          ]),
        )
      : { available: false as const, reason: 'needs htb to attach to' };
    const nftEgress = await tryIn(
      ['nft', '-f', '-'],
      'table netdev ballast_probe {\n  chain egress {\n    type filter hook egress device "lo" priority 0; policy accept;\n  }\n}\n',
    );
    return { netem, tbf, htb, u32, nftEgress };
  } finally {
    await run({ argv: ['ip', 'netns', 'del', netns] });
  }
}

function explain(err: CommandError) {
  return explainCommandFailure({
    argv: err.argv,
    netns: err.netns,
    stderr: err.stderr,
    missing: err.missing,
  });
}
