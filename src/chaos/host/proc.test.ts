import { describe, expect, it } from 'vitest';
import { cmdlineText, type ProcessInfo, parseStat, selectTargets } from './proc.ts';

describe('parseStat', () => {
  it('reads the fields after a command name holding spaces and parentheses', () => {
    const line =
      '4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 120 0 0 0 250 30 0 0 20 0 1 0 98765 1000000 200 ' +
      '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';
    expect(parseStat(line)).toEqual({
      pid: 4242,
      comm: 'my (odd) name',
      state: 'S',
      ppid: 17,
      utime: 250,
      stime: 30,
      startTime: 98765,
    });
  });

  it('a line without a command name is an error', () => {
    expect(() => parseStat('garbage')).toThrow('not a /proc/PID/stat line');
  });
});

describe('cmdlineText', () => {
  it.each([
    ['arguments are joined by spaces', 'node\0server.js\0--port=80\0', 'node server.js --port=80'],
    ['an argument with a space stays as it is', 'sh\0-c\0sleep 300\0', 'sh -c sleep 300'],
    ['kernel threads have no command line', '', ''],
  ])('%s', (_name, raw, expected) => {
    expect(cmdlineText(raw)).toBe(expected);
  });
});

describe('selectTargets', () => {
  const proc = (pid: number, cmdline: string): ProcessInfo => ({
    pid,
    ppid: 1,
    state: 'S',
    startTime: pid * 10,
    cmdline,
  });
  const all = [
    proc(1, '/sbin/init'),
    proc(2, ''),
    proc(100, 'node ballast serve'),
    proc(200, 'worker --queue=jobs'),
    proc(201, 'worker --queue=mail'),
    proc(300, 'postgres: checkpointer'),
  ];
  const guarded = new Set([1, 100]);
  const pick = (q: Parameters<typeof selectTargets>[1]) => selectTargets(all, q, guarded).map((p) => p.pid);
  const refusal = (q: Parameters<typeof selectTargets>[1]) => {
    try {
      selectTargets(all, q, guarded);
    } catch (err) {
      return err as { code: string; field: string; message: string };
    }
    throw new Error('expected a refusal');
  };

  it.each([
    ['a pid picks that process', { pid: 300, maxTargets: 1 }, [300]],
    ['a substring picks every process containing it', { cmdline: '--queue=', maxTargets: 2 }, [200, 201]],
    [
      'a regex is tested against the joined command line',
      { cmdlineRegex: '^postgres: ', maxTargets: 1 },
      [300],
    ],
    [
      'a match skips Ballast itself and pid 1',
      { cmdlineRegex: 'ballast|init|checkpointer', maxTargets: 1 },
      [300],
    ],
    [
      'kernel threads never match, even an empty-matching regex',
      { cmdlineRegex: '^$|postgres', maxTargets: 1 },
      [300],
    ],
  ])('%s', (_name, q, pids) => {
    expect(pick(q)).toEqual(pids);
  });

  it.each([
    ['pid 1 is refused by pid', { pid: 1, maxTargets: 1 }, 'refused', 'pid', 'init (pid 1)'],
    [
      'a protected pid is refused by pid',
      { pid: 100, maxTargets: 1 },
      'refused',
      'pid',
      'Ballast never signals it',
    ],
    [
      'an unknown pid is not found',
      { pid: 999, maxTargets: 1 },
      'not_found',
      'pid',
      'no process has pid 999',
    ],
    [
      'no match is not found',
      { cmdline: 'nginx', maxTargets: 1 },
      'not_found',
      'cmdline',
      'no process matches cmdline "nginx"',
    ],
    [
      'matching only protected processes says so',
      { cmdline: 'ballast', maxTargets: 1 },
      'not_found',
      'cmdline',
      'only protected processes match: 100',
    ],
    [
      'more matches than maxTargets are refused and listed',
      { cmdline: 'worker', maxTargets: 1 },
      'refused',
      'maxTargets',
      '2 processes match cmdline "worker", more than maxTargets 1: 200 (worker --queue=jobs), 201',
    ],
  ])('%s', (_name, q, code, field, message) => {
    const err = refusal(q);
    expect(err.code).toBe(code);
    expect(err.field).toBe(field);
    expect(err.message).toContain(message);
  });
});
