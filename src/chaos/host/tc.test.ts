import { describe, expect, it } from 'vitest';
import type { BandwidthSpec, NetemSpec } from './spec.ts';
import {
  defaultBurstBytes,
  installCommands,
  netemArgs,
  parseQdiscs,
  rootOwner,
  rootQdisc,
  tbfArgs,
  u32Filters,
} from './tc.ts';

const netem = (extra: Partial<NetemSpec>): NetemSpec => ({
  kind: 'netem',
  interface: 'lo',
  replace: false,
  ...extra,
});
const bandwidth = (extra: Partial<BandwidthSpec>): BandwidthSpec => ({
  kind: 'bandwidth',
  interface: 'lo',
  rate: '8mbit',
  replace: false,
  ...extra,
});

describe('netemArgs', () => {
  it.each([
    ['a delay alone is one value', { delayMs: 100 }, ['netem', 'delay', '100ms']],
    [
      'jitter and correlation follow the delay',
      { delayMs: 100, jitterMs: 10, correlationPct: 25 },
      ['netem', 'delay', '100ms', '10ms', '25%'],
    ],
    ['loss alone is a percentage', { lossPct: 2.5 }, ['netem', 'loss', '2.5%']],
    [
      'every effect at once keeps tc order',
      { delayMs: 50, lossPct: 1, duplicatePct: 2, corruptPct: 3, reorderPct: 4, limitPackets: 5000 },
      [
        'netem',
        'limit',
        '5000',
        'delay',
        '50ms',
        'loss',
        '1%',
        'duplicate',
        '2%',
        'corrupt',
        '3%',
        'reorder',
        '4%',
      ],
    ],
    ['effects at zero are left out', { delayMs: 10, lossPct: 0 }, ['netem', 'delay', '10ms']],
  ])('%s', (_name, extra, expected) => {
    expect(netemArgs(netem(extra))).toEqual(expected);
  });
});

describe('tbfArgs', () => {
  it.each([
    [
      'the default burst is a 100 Hz tick of the rate and the default latency is 50 ms',
      {},
      1500,
      ['tbf', 'rate', '8000000bit', 'burst', '10000', 'latency', '50ms'],
    ],
    [
      'a loopback MTU makes the default burst 128 KiB',
      {},
      65536,
      ['tbf', 'rate', '8000000bit', 'burst', '131072', 'latency', '50ms'],
    ],
    [
      'a given burst and limit are used as they are',
      { burstBytes: 10_000, limitBytes: 50_000 },
      1500,
      ['tbf', 'rate', '8000000bit', 'burst', '10000', 'limit', '50000'],
    ],
    [
      'a slow rate still gets a burst of two MTU-sized packets, and a given latency is used',
      { rate: 64_000, latencyMs: 200 },
      1500,
      ['tbf', 'rate', '64000bit', 'burst', '3000', 'latency', '200ms'],
    ],
  ])('%s', (_name, extra, mtu, expected) => {
    expect(tbfArgs(bandwidth(extra), mtu)).toEqual(expected);
  });

  it('the default burst grows with the rate to a 100 Hz tick of it', () => {
    expect(defaultBurstBytes(1_000_000_000, 1500)).toBe(1_250_000);
  });
});

describe('installCommands', () => {
  it("an unscoped fault is the root qdisc itself, with Ballast's handle", () => {
    expect(installCommands('eth0', ['netem', 'delay', '10ms'])).toEqual([
      ['tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'handle', 'ba11:', 'netem', 'delay', '10ms'],
    ]);
  });

  it('a scoped fault is an HTB root, one shaped class holding the fault qdisc, and a filter', () => {
    expect(installCommands('eth0', ['netem', 'delay', '10ms'], { cidr: '10.0.0.0/8' })).toEqual([
      ['tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'handle', 'ba11:', 'htb', 'default', '0'],
      [
        'tc',
        'class',
        'add',
        'dev',
        'eth0',
        'parent',
        'ba11:',
        'classid',
        'ba11:1',
        'htb',
        'rate',
        '100gbit',
        'quantum',
        '200000',
      ],
      ['tc', 'qdisc', 'add', 'dev', 'eth0', 'parent', 'ba11:1', 'handle', 'ba12:', 'netem', 'delay', '10ms'],
      [
        'tc',
        'filter',
        'add',
        'dev',
        'eth0',
        'parent',
        'ba11:',
        'protocol',
        'ip',
        'prio',
        '1',
        'u32',
        'match',
        'ip',
        'dst',
        '10.0.0.0/8',
        'flowid',
        'ba11:1',
      ],
    ]);
  });
});

describe('u32Filters', () => {
  const tail = (argv: string[]) => argv.slice(argv.indexOf('protocol'));
  it.each([
    [
      'an IPv4 host and port match the address and the port',
      { cidr: '192.0.2.7', port: 5432 },
      [
        [
          'protocol',
          'ip',
          'prio',
          '1',
          'u32',
          'match',
          'ip',
          'dst',
          '192.0.2.7',
          'match',
          'ip',
          'dport',
          '5432',
          '0xffff',
          'flowid',
          'ba11:1',
        ],
      ],
    ],
    [
      'an IPv6 network uses the ip6 selectors',
      { cidr: '2001:db8::/32', protocol: 'udp' as const },
      [
        [
          'protocol',
          'ipv6',
          'prio',
          '1',
          'u32',
          'match',
          'ip6',
          'dst',
          '2001:db8::/32',
          'match',
          'ip6',
          'protocol',
          '17',
          '0xff',
          'flowid',
          'ba11:1',
        ],
      ],
    ],
    [
      'a port without an address gets one filter per family',
      { port: 80, protocol: 'tcp' as const },
      [
        [
          'protocol',
          'ip',
          'prio',
          '1',
          'u32',
          'match',
          'ip',
          'protocol',
          '6',
          '0xff',
          'match',
          'ip',
          'dport',
          '80',
          '0xffff',
          'flowid',
          'ba11:1',
        ],
        [
          'protocol',
          'ipv6',
          'prio',
          '2',
          'u32',
          'match',
          'ip6',
          'protocol',
          '6',
          '0xff',
          'match',
          'ip6',
          'dport',
          '80',
          '0xffff',
          'flowid',
          'ba11:1',
        ],
      ],
    ],
  ])('%s', (_name, dest, expected) => {
    expect(u32Filters('eth0', dest).map(tail)).toEqual(expected);
  });
});

describe('reading tc -j qdisc show', () => {
  // Printed by iproute2 6.1 in a fresh namespace, then after Ballast's scoped fault.
  const fresh = '[{"kind":"noqueue","handle":"0:","root":true,"refcnt":2,"options":{}}]\n';
  const ours =
    '[{"kind":"htb","handle":"ba11:","root":true,"refcnt":2,"options":{"r2q":10,"default":"0"}},' +
    '{"kind":"tbf","handle":"ba12:","parent":"ba11:1","options":{"rate":125000}},' +
    '{"kind":"ingress","handle":"ffff:","parent":"ffff:fff1","options":{}}]';

  it('parses each qdisc with its kind, handle and parent', () => {
    expect(parseQdiscs(ours)).toEqual([
      { kind: 'htb', handle: 'ba11:', root: true },
      { kind: 'tbf', handle: 'ba12:', root: false, parent: 'ba11:1' },
      { kind: 'ingress', handle: 'ffff:', root: false, parent: 'ffff:fff1' },
    ]);
  });

  it('empty output is no qdiscs', () => {
    expect(parseQdiscs('')).toEqual([]);
  });

  it.each([
    ["the kernel default root (handle 0:) is nobody's", fresh, 'default'],
    ["a root with handle ba11: is Ballast's", ours, 'ballast'],
    ['a root somebody added is foreign', '[{"kind":"pfifo","handle":"1:","root":true}]', 'foreign'],
    [
      'a root added without a handle is foreign too',
      '[{"kind":"fq_codel","handle":"8001:","root":true}]',
      'foreign',
    ],
    ['no root shown counts as the default', '[]', 'default'],
  ])('%s', (_name, json, owner) => {
    expect(rootOwner(rootQdisc(parseQdiscs(json)))).toBe(owner);
  });

  it('output that is not a list is an error', () => {
    expect(() => parseQdiscs('{"kind":"noqueue"}')).toThrow('JSON array');
  });
});
