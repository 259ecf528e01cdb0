import { describe, expect, it } from 'vitest';
import { destinationMatch, lossStatement, lossTableScript, nftTableName } from './nft.ts';

describe('nftTableName', () => {
  it('turns characters nft names cannot hold into underscores', () => {
    expect(nftTableName('hf-0a1b2c')).toBe('ballast_hf_0a1b2c');
  });
});

describe('destinationMatch', () => {
  it.each([
    ['no destination matches everything', undefined, ''],
    ['an IPv4 network matches ip daddr', { cidr: '10.0.0.0/8' }, 'ip daddr 10.0.0.0/8'],
    ['an IPv6 host matches ip6 daddr', { cidr: '::1' }, 'ip6 daddr ::1'],
    [
      'a port with a protocol uses that protocol',
      { cidr: '10.0.0.1', port: 53, protocol: 'udp' as const },
      'ip daddr 10.0.0.1 udp dport 53',
    ],
    ['a port alone matches TCP and UDP', { port: 8080 }, 'meta l4proto { tcp, udp } th dport 8080'],
    ['a protocol alone matches the protocol', { protocol: 'tcp' as const }, 'meta l4proto tcp'],
  ])('%s', (_name, dest, expected) => {
    expect(destinationMatch(dest).join(' ')).toBe(expected);
  });
});

describe('lossStatement', () => {
  it.each([
    [
      '50 % compares a random number below 10000 with 5000',
      50,
      'numgen random mod 10000 < 5000 counter drop',
    ],
    ['fractions keep 0.01 % resolution', 0.25, 'numgen random mod 10000 < 25 counter drop'],
    ['100 % drops unconditionally (the generator cannot reach 10000)', 100, 'counter drop'],
  ])('%s', (_name, pct, expected) => {
    expect(lossStatement(pct).join(' ')).toBe(expected);
  });
});

describe('lossTableScript', () => {
  it('is one table with an egress chain on the interface and one rule', () => {
    const script = lossTableScript({
      table: 'ballast_hf_1',
      interface: 'veth0',
      lossPct: 30,
      destination: { cidr: '192.0.2.0/24', port: 443, protocol: 'tcp' },
    });
    expect(script).toBe(
      [
        'table netdev ballast_hf_1 {',
        '  chain egress {',
        '    type filter hook egress device "veth0" priority 0; policy accept;',
        '    ip daddr 192.0.2.0/24 tcp dport 443 numgen random mod 10000 < 3000 counter drop',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });
});
