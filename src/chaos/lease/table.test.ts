import { describe, expect, it } from 'vitest';
import { checkLeaseRequest, DEFAULT_LEASE_TTL_MS, LeaseTable } from './table.ts';

/** A table on a clock the test moves by hand, with ids L1, L2, ... */
function setup() {
  const clock = { t: 1_000_000 };
  let n = 0;
  const table = new LeaseTable({ now: () => clock.t, newId: () => `L${++n}` });
  return { clock, table };
}

function created(table: LeaseTable, holder: string, ttlMs?: number) {
  const r = table.create({ holder, ttlMs });
  if (!r.ok) throw new Error(r.error);
  return r.lease;
}

describe('LeaseTable', () => {
  it('gives a new lease the default TTL of 15 s when none is asked for', () => {
    const { clock, table } = setup();
    expect(created(table, 'exp')).toEqual({
      id: 'L1',
      holder: 'exp',
      ttlMs: DEFAULT_LEASE_TTL_MS,
      expiresAt: clock.t + 15_000,
    });
  });

  it('extends a live lease by its TTL from the moment of renewal', () => {
    const { clock, table } = setup();
    const lease = created(table, 'exp', 3_000);
    clock.t += 2_000;
    expect(table.renew(lease.id)?.expiresAt).toBe(clock.t + 3_000);
  });

  it('refuses to renew a lease that lapsed even before the sweeper removed it', () => {
    const { clock, table } = setup();
    const lease = created(table, 'exp', 3_000);
    clock.t += 3_000;
    expect(table.renew(lease.id)).toBeUndefined();
    expect(table.get(lease.id)).toBeUndefined();
  });

  it('refuses to renew an unknown or released lease', () => {
    const { table } = setup();
    const lease = created(table, 'exp');
    expect(table.release(lease.id)?.id).toBe(lease.id);
    expect(table.renew(lease.id)).toBeUndefined();
    expect(table.renew('nope')).toBeUndefined();
    expect(table.release(lease.id)).toBeUndefined();
  });

  it('sweeps exactly the lapsed leases, once', () => {
    const { clock, table } = setup();
    const short = created(table, 'a', 1_000);
    const long = created(table, 'b', 10_000);
    clock.t += 1_000;
    expect(table.expired().map((l) => l.id)).toEqual([short.id]);
    expect(table.expired()).toEqual([]);
    expect(table.list().map((l) => l.id)).toEqual([long.id]);
  });

  it('keeps a renewed lease out of the sweep', () => {
    const { clock, table } = setup();
    const lease = created(table, 'a', 1_000);
    for (let i = 0; i < 5; i++) {
      clock.t += 500;
      table.renew(lease.id);
    }
    expect(table.expired()).toEqual([]);
  });

  it('hands out copies, so callers cannot move an expiry by editing a result', () => {
    const { clock, table } = setup();
    const lease = created(table, 'a', 1_000);
    lease.expiresAt += 1_000_000;
    clock.t += 1_000;
    expect(table.expired().map((l) => l.id)).toEqual([lease.id]);
  });
});

describe('checkLeaseRequest', () => {
  const cases: Array<[string, { holder?: unknown; ttlMs?: unknown }, RegExp | null]> = [
    ['a holder and a TTL of one second are fine', { holder: 'x', ttlMs: 1_000 }, null],
    ['a TTL of one hour is fine', { holder: 'x', ttlMs: 3_600_000 }, null],
    ['no TTL is fine (the default applies)', { holder: 'x' }, null],
    ['a TTL under a second is refused', { holder: 'x', ttlMs: 999 }, /ttl_ms must be/],
    ['a TTL over an hour is refused', { holder: 'x', ttlMs: 3_600_001 }, /ttl_ms must be/],
    ['a fractional TTL is refused', { holder: 'x', ttlMs: 1500.5 }, /whole number/],
    ['a TTL given as text is refused', { holder: 'x', ttlMs: '5s' }, /ttl_ms/],
    ['a missing holder is refused', { ttlMs: 5_000 }, /holder/],
    ['a blank holder is refused', { holder: '  ' }, /holder/],
  ];
  it.each(cases)('%s', (_name, req, problem) => {
    const problems = checkLeaseRequest(req);
    if (problem === null) expect(problems).toEqual([]);
    else expect(problems.join('\n')).toMatch(problem);
  });
});
