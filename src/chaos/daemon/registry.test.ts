import { describe, expect, it } from 'vitest';
import { type FaultManager, FaultRegistry } from './registry.ts';

/** A fault kind kept in a set, so the test can see what is active. */
function setKind(kind: string, failOn?: string) {
  const active = new Set<string>();
  const manager: FaultManager = {
    kind,
    async revert(id) {
      if (id === failOn) throw new Error('device busy');
      active.delete(id);
    },
    list: () => [...active],
  };
  return { active, manager };
}

function setup() {
  const clock = { t: 0 };
  const lines: string[] = [];
  let n = 0;
  const registry = new FaultRegistry({
    now: () => clock.t,
    log: (l) => lines.push(l),
    newId: () => `L${++n}`,
  });
  const toxics = setKind('toxic');
  const hosts = setKind('host', 'stuck');
  registry.register(toxics.manager);
  registry.register(hosts.manager);
  const lease = (ttlMs = 1_000) => {
    const r = registry.createLease({ holder: 'exp', ttlMs });
    if (!r.ok) throw new Error(r.error);
    return r.lease;
  };
  return { clock, lines, registry, toxics, hosts, lease };
}

describe('FaultRegistry', () => {
  it('reverts every fault of a lapsed lease, of every kind, logging one line each', async () => {
    const { clock, lines, registry, toxics, hosts, lease } = setup();
    const l = lease();
    toxics.active.add('pg/lat');
    hosts.active.add('eth0-loss');
    expect(registry.bind(l.id, { kind: 'toxic', id: 'pg/lat' })).toBe(true);
    expect(registry.bind(l.id, { kind: 'host', id: 'eth0-loss' })).toBe(true);
    clock.t = 1_000;
    const swept = await registry.sweep();
    expect(swept.map((s) => s.reverted.length)).toEqual([2]);
    expect(toxics.active.size + hosts.active.size).toBe(0);
    expect(lines).toEqual([
      'lease L1 (exp) lapsed: reverted toxic pg/lat',
      'lease L1 (exp) lapsed: reverted host eth0-loss',
    ]);
  });

  it('sweeps again after a sweep that found nothing to do', async () => {
    const { clock, registry, toxics, lease } = setup();
    expect(await registry.sweep()).toEqual([]);
    const l = lease();
    toxics.active.add('a');
    registry.bind(l.id, { kind: 'toxic', id: 'a' });
    clock.t = 1_000;
    expect((await registry.sweep()).map((s) => s.lease.id)).toEqual([l.id]);
    expect(toxics.active.size).toBe(0);
  });

  it('leaves the faults of a renewed lease alone', async () => {
    const { clock, registry, toxics, lease } = setup();
    const l = lease();
    toxics.active.add('a');
    registry.bind(l.id, { kind: 'toxic', id: 'a' });
    clock.t = 900;
    registry.renewLease(l.id);
    clock.t = 1_500;
    expect(await registry.sweep()).toEqual([]);
    expect(toxics.active.has('a')).toBe(true);
  });

  it('refuses to bind a fault to a lease that is unknown or lapsed', () => {
    const { clock, registry, lease } = setup();
    const l = lease();
    expect(registry.bind('nope', { kind: 'toxic', id: 'a' })).toBe(false);
    clock.t = 1_000;
    expect(registry.bind(l.id, { kind: 'toxic', id: 'a' })).toBe(false);
  });

  it('forgets a fault removed by other means, so the lease does not revert it later', async () => {
    const { registry, toxics, lease } = setup();
    const l = lease();
    registry.bind(l.id, { kind: 'toxic', id: 'a' });
    registry.unbind({ kind: 'toxic', id: 'a' });
    toxics.active.add('a');
    const released = await registry.releaseLease(l.id);
    expect(released?.reverted).toEqual([]);
    expect(toxics.active.has('a')).toBe(true);
  });

  it('reports a fault that would not revert and still releases the lease', async () => {
    const { registry, hosts, lease } = setup();
    const l = lease();
    hosts.active.add('stuck');
    registry.bind(l.id, { kind: 'host', id: 'stuck' });
    const released = await registry.releaseLease(l.id);
    expect(released?.failed).toEqual([{ kind: 'host', id: 'stuck', error: 'device busy' }]);
    expect(registry.lease(l.id)).toBeUndefined();
  });

  it('halts leased faults, then with all every other fault, and a second halt does nothing', async () => {
    const { registry, toxics, lease } = setup();
    const l = lease(60_000);
    toxics.active.add('leased');
    toxics.active.add('plain');
    registry.bind(l.id, { kind: 'toxic', id: 'leased' });
    const first = await registry.halt();
    expect([first.leases, first.reverted.map((r) => r.id)]).toEqual([1, ['leased']]);
    expect(toxics.active.has('plain')).toBe(true);
    const all = await registry.halt({ all: true });
    expect([all.leases, all.reverted.map((r) => r.id)]).toEqual([0, ['plain']]);
    expect(await registry.halt({ all: true })).toEqual({ leases: 0, reverted: [], failed: [] });
  });

  it('refuses a second manager for the same kind', () => {
    const { registry } = setup();
    expect(() => registry.register(setKind('toxic').manager)).toThrow(/already registered/);
  });
});
