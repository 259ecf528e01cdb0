/**
 * `tc` argument vectors for network faults and the reading of `tc -j qdisc show`,
 * all pure. Ballast's qdiscs carry fixed handles (`ba11:` at the root, `ba12:`
 * under the shaped class) so a root Ballast created is recognisable later, by
 * this process or the next one after a crash.
 */

import { ROOT_HANDLE } from './kernel-state.ts';
import { type BandwidthSpec, type DestinationSpec, type NetemSpec, parseCidr, parseRate } from './spec.ts';

export {
  deleteRootCommand,
  parseQdiscs,
  type QdiscInfo,
  ROOT_HANDLE,
  type RootOwner,
  rootOwner,
  rootQdisc,
  showQdiscsCommand,
} from './kernel-state.ts';

/** The fault qdisc's handle under the shaped class, when scoped to a destination. */
export const LEAF_HANDLE = 'ba12:';
/** The HTB class holding the fault qdisc. */
export const SHAPED_CLASS = 'ba11:1';
/**
 * The shaped class's own parameters: a rate no interface reaches, so only the fault qdisc
 * inside shapes; the quantum is set because HTB's default (rate / r2q) would be huge.
 */
const UNCAPPED_CLASS = ['htb', 'rate', '100gbit', 'quantum', '200000'];
/** tbf queues at most this long by default (tc-tbf's examples use 50–70 ms). */
export const DEFAULT_TBF_LATENCY_MS = 50;

/** `netem delay 100ms 10ms 25% loss 1% …`: the qdisc part of a `tc qdisc add`. */
export function netemArgs(s: NetemSpec): string[] {
  const out = ['netem'];
  if (s.limitPackets !== undefined) out.push('limit', String(s.limitPackets));
  if (s.delayMs !== undefined && s.delayMs > 0) {
    out.push('delay', `${s.delayMs}ms`);
    if (s.jitterMs !== undefined) {
      out.push(`${s.jitterMs}ms`);
      if (s.correlationPct !== undefined) out.push(`${s.correlationPct}%`);
    }
  }
  const pcts: [keyof NetemSpec, string][] = [
    ['lossPct', 'loss'],
    ['duplicatePct', 'duplicate'],
    ['corruptPct', 'corrupt'],
    ['reorderPct', 'reorder'],
  ];
  for (const [field, word] of pcts) {
    const v = s[field] as number | undefined;
    if (v !== undefined && v > 0) out.push(word, `${v}%`);
  }
  return out;
}

/**
 * tbf's burst unless the spec sets one: a 100 Hz tick's worth of the rate, and at least two
 * packets of the interface's MTU (tbf drops a packet larger than its burst outright).
 */
export function defaultBurstBytes(rateBitsPerSecond: number, mtu: number): number {
  return Math.max(Math.ceil(rateBitsPerSecond / 8 / 100), 2 * mtu, 3000);
}

/** `tbf rate 8000000bit burst 131072 latency 50ms`: the qdisc part of a `tc qdisc add`. */
export function tbfArgs(s: BandwidthSpec, mtu: number): string[] {
  const rate = parseRate(s.rate) as number;
  const burst = s.burstBytes ?? defaultBurstBytes(rate, mtu);
  const queue =
    s.limitBytes !== undefined
      ? ['limit', String(s.limitBytes)]
      : ['latency', `${s.latencyMs ?? DEFAULT_TBF_LATENCY_MS}ms`];
  return ['tbf', 'rate', `${rate}bit`, 'burst', String(burst), ...queue];
}

/** The qdisc part for either network fault kind. */
export function faultQdiscArgs(s: NetemSpec | BandwidthSpec, mtu: number): string[] {
  return s.kind === 'netem' ? netemArgs(s) : tbfArgs(s, mtu);
}

/**
 * The `tc` commands that install a fault qdisc, in order. Unscoped: the fault qdisc is the
 * root. Scoped: an HTB root whose `default 0` sends unmatched packets through HTB's direct
 * queue (no class, so no rate cap at all), one class `ba11:1` holding the fault qdisc, and
 * u32 filters steering the destination into it.
 */
export function installCommands(dev: string, qdisc: readonly string[], dest?: DestinationSpec): string[][] {
  if (dest === undefined) return [tcAdd('qdisc', dev, 'root', 'handle', ROOT_HANDLE, ...qdisc)];
  return [
    tcAdd('qdisc', dev, 'root', 'handle', ROOT_HANDLE, 'htb', 'default', '0'),
    tcAdd('class', dev, 'parent', ROOT_HANDLE, 'classid', SHAPED_CLASS, ...UNCAPPED_CLASS),
    tcAdd('qdisc', dev, 'parent', SHAPED_CLASS, 'handle', LEAF_HANDLE, ...qdisc),
    ...u32Filters(dev, dest),
  ];
}

/**
 * One u32 filter per address family the destination covers (both when no CIDR is given).
 * u32 reads the port at a fixed offset, so packets with IPv4 options or IPv6 extension
 * headers are not matched by a port.
 */
export function u32Filters(dev: string, dest: DestinationSpec): string[][] {
  const cidr = dest.cidr === undefined ? undefined : parseCidr(dest.cidr);
  const families: (4 | 6)[] = cidr === undefined ? [4, 6] : [cidr.family];
  return families.map((family, i) => {
    const sel = family === 4 ? 'ip' : 'ip6';
    const match: string[] = [];
    if (dest.cidr !== undefined) match.push('match', sel, 'dst', dest.cidr);
    if (dest.protocol !== undefined) {
      match.push('match', sel, 'protocol', dest.protocol === 'tcp' ? '6' : '17', '0xff');
    }
    if (dest.port !== undefined) match.push('match', sel, 'dport', String(dest.port), '0xffff');
    const protocol = family === 4 ? 'ip' : 'ipv6';
    return tcAdd(
      'filter',
      dev,
      'parent',
      ROOT_HANDLE,
      'protocol',
      protocol,
      'prio',
      String(i + 1),
      'u32',
      ...match,
    ).concat(['flowid', SHAPED_CLASS]);
  });
}

/** `tc <object> add dev <dev> …` */
function tcAdd(object: 'qdisc' | 'class' | 'filter', dev: string, ...rest: string[]): string[] {
  return ['tc', object, 'add', 'dev', dev, ...rest];
}
