/**
 * nftables scripts for packet loss, pure. Loss is dropped at the interface's
 * netdev egress hook: after routing, like a qdisc, so it is per interface as a
 * netem fault is, and the sender's `send()` still succeeds (dropping in the
 * inet output hook instead makes UDP `send()` fail with EPERM, which real loss
 * never does). Each fault owns one table, `ballast_<id>`, so revert deletes
 * exactly what it added and nothing else.
 */
import type { DestinationSpec } from './spec.ts';
import { parseCidr } from './spec.ts';

export { deleteTableCommand } from './kernel-state.ts';

/** `ballast_<id>`: nft names take letters, digits and `_`, and fault ids may carry `-`. */
export function nftTableName(faultId: string): string {
  return `ballast_${faultId.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/**
 * The rule's match: destination address, protocol and port, in nft syntax (empty: all traffic).
 * A port without a protocol matches TCP and UDP (`th` is the transport header either way).
 */
export function destinationMatch(dest: DestinationSpec | undefined): string[] {
  if (dest === undefined) return [];
  const out: string[] = [];
  const cidr = dest.cidr === undefined ? undefined : parseCidr(dest.cidr);
  if (cidr !== undefined) out.push(cidr.family === 4 ? 'ip' : 'ip6', 'daddr', dest.cidr as string);
  if (dest.port !== undefined) {
    if (dest.protocol !== undefined) out.push(dest.protocol, 'dport', String(dest.port));
    else out.push('meta', 'l4proto', '{', 'tcp,', 'udp', '}', 'th', 'dport', String(dest.port));
  } else if (dest.protocol !== undefined) {
    out.push('meta', 'l4proto', dest.protocol);
  }
  return out;
}

/**
 * `numgen random mod 10000 < 2550` keeps 0.01 % resolution; 100 % is an unconditional drop
 * (the comparison cannot express it: the generator's range ends at 9999).
 */
export function lossStatement(lossPct: number): string[] {
  const threshold = Math.round(lossPct * 100);
  if (threshold >= 10_000) return ['counter', 'drop'];
  return ['numgen', 'random', 'mod', '10000', '<', String(threshold), 'counter', 'drop'];
}

/** The script for `nft -f -` that creates the loss table: one transaction, so it applies whole or not at all. */
export function lossTableScript(o: {
  table: string;
  interface: string;
  lossPct: number;
  destination?: DestinationSpec | undefined;
}): string {
  const rule = [...destinationMatch(o.destination), ...lossStatement(o.lossPct)].join(' ');
  return [
    `table netdev ${o.table} {`,
    '  chain egress {',
    `    type filter hook egress device "${o.interface}" priority 0; policy accept;`,
    `    ${rule}`,
    '  }',
    '}',
    '',
  ].join('\n');
}
