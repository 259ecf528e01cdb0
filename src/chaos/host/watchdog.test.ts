import { describe, expect, it } from 'vitest';
import { targetsAfterApply, targetsBeforeApply } from '../plugins/host-watchdog.ts';
import type { AppliedFault } from './types.ts';
import { WatchdogState } from './watchdog.ts';

const line = (m: unknown) => JSON.stringify(m);

describe('WatchdogState', () => {
  it('undoes the newest fault first, each fault in reverse, and forgets disarmed ones', () => {
    const s = new WatchdogState(0);
    s.take(
      line({
        op: 'arm',
        id: 'a',
        targets: [
          { kind: 'qdisc', dev: 'lo' },
          { kind: 'nft', table: 't_a' },
        ],
      }),
      1,
    );
    s.take(line({ op: 'arm', id: 'b', targets: [{ kind: 'qdisc', dev: 'eth0', netns: 'n' }] }), 2);
    s.take(line({ op: 'arm', id: 'c', targets: [{ kind: 'resume', pid: 9, startTime: 5 }] }), 3);
    s.take(line({ op: 'arm', id: 'a', targets: [{ kind: 'resume', pid: 7, startTime: 1 }] }), 4);
    s.take(line({ op: 'disarm', id: 'c' }), 5);
    expect(s.armed).toBe(2);
    expect(s.undoOrder()).toEqual([
      { kind: 'qdisc', dev: 'eth0', netns: 'n' },
      { kind: 'resume', pid: 7, startTime: 1 },
      { kind: 'nft', table: 't_a' },
      { kind: 'qdisc', dev: 'lo' },
    ]);
  });

  it.each([
    [[], 1_000, 500, true],
    [[{ at: 900, m: { op: 'beat' } }], 1_000, 500, false],
    [[{ at: 100, m: { op: 'beat' } }], 1_000, 500, true],
    [[{ at: 600, m: 'not json' }], 1_000, 500, true],
  ])('after %j, at %d with ttl %d, silent is %s', (msgs, now, ttl, silent) => {
    const s = new WatchdogState(0);
    for (const { at, m } of msgs as { at: number; m: unknown }[])
      s.take(typeof m === 'string' ? m : line(m), at);
    expect(s.silent(now, ttl)).toBe(silent);
  });

  it('takes exit as a clean stop', () => {
    const s = new WatchdogState(0);
    expect(s.exitRequested).toBe(false);
    s.take(line({ op: 'exit' }), 1);
    expect(s.exitRequested).toBe(true);
  });
});

describe('what a host fault arms', () => {
  it.each([
    [{ kind: 'bandwidth', interface: 'eth0', rate: '1mbit' }, [{ kind: 'qdisc', dev: 'eth0' }]],
    [
      { kind: 'netem', interface: 'lo', netns: 'ns1', lossPct: 5 },
      [
        { kind: 'qdisc', dev: 'lo', netns: 'ns1' },
        { kind: 'nft', table: 'ballast_host_1', netns: 'ns1' },
      ],
    ],
    [{ kind: 'pause', pid: 1 }, []],
    [{ kind: 'netem' }, []],
    [undefined, []],
  ])('before apply, %j arms %j', (fault, targets) => {
    expect(targetsBeforeApply('host-1', fault)).toEqual(targets);
  });

  it('after apply, a pause arms a resume per stopped process; other kinds nothing', () => {
    const pause = {
      kind: 'pause',
      details: { signal: 'SIGSTOP', targets: [{ pid: 42, cmdline: 'sleep 9', startTime: 1234 }] },
    } as unknown as AppliedFault;
    expect(targetsAfterApply(pause)).toEqual([{ kind: 'resume', pid: 42, startTime: 1234 }]);
    expect(targetsAfterApply({ kind: 'kill' } as unknown as AppliedFault)).toEqual([]);
  });
});
