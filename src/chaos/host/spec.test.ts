import { describe, expect, it } from 'vitest';
import { parseCidr, parseRate, validateFaultSpec } from './spec.ts';

function issues(input: unknown) {
  const r = validateFaultSpec(input);
  if (r.ok) throw new Error(`expected issues for ${JSON.stringify(input)}`);
  return r.issues;
}

describe('validateFaultSpec', () => {
  it.each([
    [
      'a netem spec gets replace: false',
      { kind: 'netem', interface: 'eth0', delayMs: 100, jitterMs: 10, correlationPct: 25 },
      { kind: 'netem', interface: 'eth0', delayMs: 100, jitterMs: 10, correlationPct: 25, replace: false },
    ],
    [
      'a scoped bandwidth spec in a namespace keeps its fields',
      {
        kind: 'bandwidth',
        interface: 'veth0',
        netns: 'blue',
        rate: '8mbit',
        destination: { cidr: '10.0.0.0/8', port: 443, protocol: 'tcp' },
        duration: '30s',
      },
      {
        kind: 'bandwidth',
        interface: 'veth0',
        netns: 'blue',
        rate: '8mbit',
        destination: { cidr: '10.0.0.0/8', port: 443, protocol: 'tcp' },
        duration: '30s',
        replace: false,
      },
    ],
    [
      'a kill by command line defaults to SIGKILL and one target',
      { kind: 'kill', cmdline: 'worker --queue=jobs' },
      { kind: 'kill', cmdline: 'worker --queue=jobs', signal: 'SIGKILL', maxTargets: 1 },
    ],
    [
      'a pause by regex keeps its blast radius',
      { kind: 'pause', cmdlineRegex: '^postgres: ', maxTargets: 4 },
      { kind: 'pause', cmdlineRegex: '^postgres: ', maxTargets: 4 },
    ],
    [
      'a cpu spec defaults to one worker at 100 %',
      { kind: 'cpu' },
      { kind: 'cpu', workers: 1, loadPct: 100 },
    ],
    ['a memory spec is its size', { kind: 'memory', mb: 256 }, { kind: 'memory', mb: 256 }],
  ])('%s', (_name, input, expected) => {
    expect(validateFaultSpec(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    [
      'a missing kind names the kinds',
      { interface: 'lo' },
      'kind',
      'must be one of netem, bandwidth, kill, pause, cpu, memory',
    ],
    ['an unknown kind is named', { kind: 'dns' }, 'kind', 'got "dns"'],
    [
      'a loss above 100 % names lossPct',
      { kind: 'netem', interface: 'lo', lossPct: 150 },
      'lossPct',
      'at most 100',
    ],
    [
      'netem with no effect names delayMs',
      { kind: 'netem', interface: 'lo' },
      'delayMs',
      'give at least one of',
    ],
    [
      'jitter without a delay names jitterMs',
      { kind: 'netem', interface: 'lo', lossPct: 1, jitterMs: 5 },
      'jitterMs',
      'needs delayMs',
    ],
    [
      'correlation without jitter names correlationPct',
      { kind: 'netem', interface: 'lo', delayMs: 5, correlationPct: 5 },
      'correlationPct',
      'needs jitterMs',
    ],
    [
      'reordering without a delay names reorderPct',
      { kind: 'netem', interface: 'lo', reorderPct: 25 },
      'reorderPct',
      'needs delayMs',
    ],
    [
      'a delay past ten minutes names delayMs',
      { kind: 'netem', interface: 'lo', delayMs: 700_000 },
      'delayMs',
      'at most 600000',
    ],
    [
      'an interface name with a quote is refused',
      { kind: 'netem', interface: 'lo"', lossPct: 1 },
      'interface',
      'interface name',
    ],
    [
      'an interface name longer than 15 characters is refused',
      { kind: 'netem', interface: 'a'.repeat(16), lossPct: 1 },
      'interface',
      'at most 15',
    ],
    ['a missing interface is required', { kind: 'bandwidth', rate: '1mbit' }, 'interface', 'is required'],
    [
      'a bad CIDR names destination.cidr',
      { kind: 'netem', interface: 'lo', lossPct: 1, destination: { cidr: '10.0.0.0/33' } },
      'destination.cidr',
      'CIDR',
    ],
    [
      'a port out of range names destination.port',
      { kind: 'netem', interface: 'lo', lossPct: 1, destination: { port: 70000 } },
      'destination.port',
      'at most 65535',
    ],
    [
      'an empty destination says what to give',
      { kind: 'netem', interface: 'lo', lossPct: 1, destination: {} },
      'destination',
      'at least one of cidr, port or protocol',
    ],
    [
      'an unknown field is named',
      { kind: 'netem', interface: 'lo', lossPct: 1, delay: 5 },
      'delay',
      'unknown field',
    ],
    [
      'tc byte units are refused with the reason',
      { kind: 'bandwidth', interface: 'lo', rate: '1mbps' },
      'rate',
      'bps" means bytes',
    ],
    [
      'a rate under 1kbit is refused',
      { kind: 'bandwidth', interface: 'lo', rate: 500 },
      'rate',
      'at least 1kbit',
    ],
    [
      'latency and limit together name limitBytes',
      { kind: 'bandwidth', interface: 'lo', rate: '1mbit', latencyMs: 50, limitBytes: 10000 },
      'limitBytes',
      'not both',
    ],
    [
      'a process fault without a target names pid',
      { kind: 'kill' },
      'pid',
      'exactly one of pid, cmdline or cmdlineRegex',
    ],
    [
      'a process fault with two targets names the second',
      { kind: 'pause', pid: 10, cmdline: 'x' },
      'cmdline',
      'got pid, cmdline',
    ],
    [
      'a regex that does not compile names cmdlineRegex',
      { kind: 'kill', cmdlineRegex: '(' },
      'cmdlineRegex',
      'not a valid regular expression',
    ],
    ['an unknown signal names signal', { kind: 'kill', pid: 10, signal: 'SIGFOO' }, 'signal', 'signal name'],
    ['SIGSTOP is not a kill', { kind: 'kill', pid: 10, signal: 'SIGSTOP' }, 'signal', 'use kind "pause"'],
    ['a CPU load of zero names loadPct', { kind: 'cpu', loadPct: 0 }, 'loadPct', 'at least 1'],
    ['too many CPU workers names workers', { kind: 'cpu', workers: 1000 }, 'workers', 'at most 256'],
    ['a fractional memory size names mb', { kind: 'memory', mb: 1.5 }, 'mb', 'whole number'],
    [
      'a malformed duration names duration',
      { kind: 'memory', mb: 1, duration: '5 minutes' },
      'duration',
      'such as 30s',
    ],
  ])('%s', (_name, input, path, message) => {
    const found = issues(input);
    expect(found).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('a spec that is not an object is one issue about the spec', () => {
    expect(issues('netem')).toEqual([{ path: '(spec)', message: 'must be an object with a "kind"' }]);
  });
});

describe('parseCidr', () => {
  it.each([
    ['an IPv4 address is one host', '192.0.2.7', { family: 4, address: '192.0.2.7', prefix: 32 }],
    ['an IPv4 network keeps its prefix', '10.0.0.0/8', { family: 4, address: '10.0.0.0', prefix: 8 }],
    ['an IPv6 address is one host', '::1', { family: 6, address: '::1', prefix: 128 }],
    ['an IPv6 network keeps its prefix', '2001:db8::/32', { family: 6, address: '2001:db8::', prefix: 32 }],
    ['a prefix past the family length is refused', '10.0.0.0/33', undefined],
    ['a host name is refused', 'example.com', undefined],
    ['two slashes are refused', '10.0.0.0/8/8', undefined],
  ])('%s', (_name, text, expected) => {
    expect(parseCidr(text)).toEqual(expected);
  });
});

describe('parseRate', () => {
  it.each([
    ['megabits are millions of bits per second', '8mbit', 8_000_000],
    ['units are case-insensitive and may be fractional', '1.5Gbit', 1_500_000_000],
    ['kilobits are thousands', '512kbit', 512_000],
    ['a number is bits per second', 64_000, 64_000],
    ['byte units are not rates here', '1mbps', undefined],
    ['a rate needs a unit', '100', undefined],
  ])('%s', (_name, rate, expected) => {
    expect(parseRate(rate)).toBe(expected);
  });
});
