import { describe, expect, it } from 'vitest';
import { explainCommandFailure, isAlreadyGone, NETEM_MISSING } from './errors.ts';

const ADD_NETEM = ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'handle', 'ba11:', 'netem', 'delay', '10ms'];
const ADD_TBF = [
  'tc',
  'qdisc',
  'add',
  'dev',
  'lo',
  'parent',
  'ba11:1',
  'handle',
  'ba12:',
  'tbf',
  'rate',
  '1000bit',
];

describe('explainCommandFailure', () => {
  // The stderr texts are what iproute2 6.x and nftables 1.0 print on this kind of failure.
  it.each([
    [
      'an unknown netem qdisc says netem is missing and what works instead',
      { argv: ADD_NETEM, stderr: 'Error: Specified qdisc kind is unknown.\n' },
      'unsupported',
      NETEM_MISSING,
    ],
    [
      'an unknown qdisc other than netem names its kernel option',
      { argv: ADD_TBF, stderr: 'Error: Specified qdisc kind is unknown.\n' },
      'unsupported',
      'the tbf qdisc is not available in this kernel (CONFIG_NET_SCH_TBF)',
    ],
    [
      'tc without privilege says it needs root or CAP_NET_ADMIN',
      { argv: ADD_NETEM, stderr: 'RTNETLINK answers: Operation not permitted\n' },
      'permission',
      'tc needs root or CAP_NET_ADMIN',
    ],
    [
      'nft without privilege says it needs root or CAP_NET_ADMIN',
      {
        argv: ['nft', '-f', '-'],
        stderr: 'netlink: Error: cache initialization failed: Operation not permitted\n',
      },
      'permission',
      'nft needs root or CAP_NET_ADMIN',
    ],
    [
      'entering a namespace without privilege names the namespace',
      {
        argv: ['tc', '-j', 'qdisc', 'show', 'dev', 'lo'],
        netns: 'blue',
        stderr: 'setting the network namespace "blue" failed: Operation not permitted\n',
      },
      'permission',
      'entering network namespace "blue" needs root',
    ],
    [
      'a missing namespace says so',
      {
        argv: ['tc'],
        netns: 'blue',
        stderr: 'Cannot open network namespace "blue": No such file or directory\n',
      },
      'not_found',
      'network namespace "blue" does not exist',
    ],
    [
      'a missing interface (tc) names it',
      { argv: ADD_NETEM, stderr: 'Cannot find device "eth9"\n' },
      'not_found',
      'interface "eth9" does not exist',
    ],
    [
      'a missing interface (ip link) names it',
      { argv: ['ip', '-j', 'link', 'show', 'dev', 'eth9'], stderr: 'Device "eth9" does not exist.\n' },
      'not_found',
      'interface "eth9" does not exist',
    ],
    [
      'a missing u32 classifier says destination scoping needs it',
      {
        argv: ['tc', 'filter', 'add'],
        stderr: 'Error: TC classifier not found.\nWe have an error talking to the kernel\n',
      },
      'unsupported',
      'u32 classifier is not available',
    ],
    [
      'a tool that is not installed names its package',
      { argv: ['nft', '-f', '-'], stderr: '', missing: true },
      'not_found',
      'nft is not installed: install nftables',
    ],
    [
      'anything else shows the command and what it printed',
      { argv: ['tc', 'qdisc', 'add'], stderr: 'Error: Exclusivity flag on, cannot modify.\n' },
      'failed',
      'tc qdisc add failed: Error: Exclusivity flag on, cannot modify.',
    ],
  ])('%s', (_name, failure, code, message) => {
    const err = explainCommandFailure(failure);
    expect(err.code).toBe(code);
    expect(err.message).toContain(message);
  });

  it('a missing interface names the interface field, a missing namespace the netns field', () => {
    expect(explainCommandFailure({ argv: ['tc'], stderr: 'Cannot find device "x"' }).field).toBe('interface');
    expect(
      explainCommandFailure({ argv: ['tc'], netns: 'n', stderr: 'Cannot open network namespace "n"' }).field,
    ).toBe('netns');
  });
});

describe('isAlreadyGone', () => {
  it.each([
    ['a deleted nft table is gone', 'Error: Could not process rule: No such file or directory', true],
    ['a default root qdisc means ours is gone', 'Error: Cannot delete qdisc with handle of zero.', true],
    [
      'a vanished namespace took everything with it',
      'Cannot open network namespace "x": No such file or directory',
      true,
    ],
    ['a vanished interface took its qdiscs with it', 'Cannot find device "veth0"', true],
    ['a permission problem is not gone', 'RTNETLINK answers: Operation not permitted', false],
  ])('%s', (_name, stderr, gone) => {
    expect(isAlreadyGone(stderr)).toBe(gone);
  });
});
