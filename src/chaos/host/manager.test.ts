/**
 * The manager's own logic (ids, states, concurrency, ordering, retries) with
 * drivers that only log: the real drivers are exercised in test/chaos-host*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { HostFaultError } from './errors.ts';
import { HostFaultManager } from './manager.ts';
import { hostFaultRejection, rejectionOf } from './testing.ts';
import type { FaultDriver } from './types.ts';
import { UndoStack } from './undo.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A driver that logs apply and undo by the spec's `workers` (used as a label) and holds an optional gate. */
function loggingDriver(
  log: string[],
  opts: { gate?: Promise<void>; failApply?: boolean; failUndoTimes?: number } = {},
) {
  let undoFailures = opts.failUndoTimes ?? 0;
  const driver: FaultDriver = async (spec, ctx) => {
    const label = `${ctx.id}`;
    log.push(`apply ${label}`);
    await opts.gate;
    if (opts.failApply) throw new HostFaultError('failed', `apply of ${spec.kind} failed`);
    const undo = new UndoStack();
    undo.push(`undo ${label}`, async () => {
      if (undoFailures-- > 0) throw new Error('device busy');
      log.push(`undo ${label}`);
    });
    return { details: { pids: [1234] }, undo };
  };
  return driver;
}

describe('HostFaultManager', () => {
  it('add validates, fills defaults, and lists the fault as active with what it did', async () => {
    const m = new HostFaultManager({ drivers: { cpu: loggingDriver([]) } });
    const f = await m.add({ kind: 'cpu', loadPct: 50 });
    expect(f).toEqual({
      id: expect.stringMatching(/^hf-[0-9a-f]{12}$/),
      kind: 'cpu',
      spec: { kind: 'cpu', workers: 1, loadPct: 50 },
      appliedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      details: { pids: [1234] },
    });
    expect(m.list()).toEqual([{ ...f, state: 'active' }]);
    expect(m.get(f.id)?.state).toBe('active');
  });

  it('an invalid spec is refused with every bad field named', async () => {
    const m = new HostFaultManager();
    const err = await hostFaultRejection(m.add({ kind: 'cpu', workers: 0, loadPct: 500 }));
    expect(err).toBeInstanceOf(HostFaultError);
    expect(err.code).toBe('invalid_spec');
    expect(err.issues.map((i) => i.path)).toEqual(['workers', 'loadPct']);
    expect(err.message).toBe(
      'invalid fault spec: workers: must be at least 1; loadPct: must be at most 100 (a percentage of one core)',
    );
    expect(m.list()).toEqual([]);
  });

  it('revert undoes the fault once; reverting again is a no-op that says false', async () => {
    const log: string[] = [];
    const m = new HostFaultManager({ drivers: { cpu: loggingDriver(log) } });
    const f = await m.add({ kind: 'cpu' }, { id: 'a' });
    expect(await m.revert(f.id)).toBe(true);
    expect(await m.revert(f.id)).toBe(false);
    expect(await m.revert('never-added')).toBe(false);
    expect(log).toEqual(['apply a', 'undo a']);
    expect(m.list()).toEqual([]);
  });

  it('concurrent reverts of one fault share one revert', async () => {
    const log: string[] = [];
    const m = new HostFaultManager({ drivers: { cpu: loggingDriver(log) } });
    await m.add({ kind: 'cpu' }, { id: 'a' });
    expect(await Promise.all([m.revert('a'), m.revert('a'), m.revert('a')])).toEqual([true, true, true]);
    expect(log).toEqual(['apply a', 'undo a']);
  });

  it('revertAll reverts newest first and returns the ids', async () => {
    const log: string[] = [];
    const m = new HostFaultManager({ drivers: { cpu: loggingDriver(log) } });
    for (const id of ['a', 'b', 'c']) await m.add({ kind: 'cpu' }, { id });
    expect(await m.revertAll()).toEqual(['c', 'b', 'a']);
    expect(log.slice(3)).toEqual(['undo c', 'undo b', 'undo a']);
  });

  it('a revert during apply waits for apply, then reverts, and add rejects with reverted', async () => {
    const log: string[] = [];
    const gate = deferred();
    const m = new HostFaultManager({ drivers: { cpu: loggingDriver(log, { gate: gate.promise }) } });
    const adding = hostFaultRejection(m.add({ kind: 'cpu' }, { id: 'lease-1' }));
    await Promise.resolve();
    expect(m.get('lease-1')?.state).toBe('applying');
    const reverting = m.revert('lease-1');
    let revertDone = false;
    void reverting.then(() => {
      revertDone = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(revertDone).toBe(false);
    gate.resolve();
    expect(await reverting).toBe(true);
    const err = await adding;
    expect(err.code).toBe('reverted');
    expect(log).toEqual(['apply lease-1', 'undo lease-1']);
    expect(m.list()).toEqual([]);
  });

  it('a failed apply leaves nothing listed and frees its id', async () => {
    const m = new HostFaultManager({ drivers: { cpu: loggingDriver([], { failApply: true }) } });
    await expect(m.add({ kind: 'cpu' }, { id: 'x' })).rejects.toThrow('apply of cpu failed');
    expect(m.list()).toEqual([]);
    expect(await m.revert('x')).toBe(false);
  });

  it('an undo that fails keeps the fault as revert_failed, and the next revert retries what is left', async () => {
    const log: string[] = [];
    const m = new HostFaultManager({ drivers: { cpu: loggingDriver(log, { failUndoTimes: 1 }) } });
    await m.add({ kind: 'cpu' }, { id: 'a' });
    const err = await hostFaultRejection(m.revert('a'));
    expect(err.code).toBe('revert_failed');
    expect(err.message).toContain('undo a: device busy');
    expect(m.get('a')).toMatchObject({ state: 'revert_failed', pendingUndo: ['undo a'] });
    expect(await m.revert('a')).toBe(true);
    expect(log).toEqual(['apply a', 'undo a']);
    expect(m.list()).toEqual([]);
  });

  it('revertAll tries every fault and reports the ones that failed', async () => {
    const log: string[] = [];
    const m = new HostFaultManager({
      drivers: { cpu: loggingDriver(log), memory: loggingDriver(log, { failUndoTimes: 1 }) },
    });
    await m.add({ kind: 'cpu' }, { id: 'a' });
    await m.add({ kind: 'memory', mb: 1 }, { id: 'b' });
    await m.add({ kind: 'cpu' }, { id: 'c' });
    const err = await rejectionOf(m.revertAll(), AggregateError);
    expect(err).toBeInstanceOf(AggregateError);
    expect(err.errors).toHaveLength(1);
    expect(log.slice(3)).toEqual(['undo c', 'undo a']);
    expect(m.list().map((f) => f.id)).toEqual(['b']);
  });

  it('a resource claimed by one fault is refused to another until the first is reverted', async () => {
    const claiming: FaultDriver = async (_spec, ctx) => {
      const release = ctx.claim('tc::lo', 'the root qdisc of lo');
      const undo = new UndoStack();
      undo.push('release', async () => release());
      return { details: { pids: [] }, undo };
    };
    const m = new HostFaultManager({ drivers: { cpu: claiming } });
    await m.add({ kind: 'cpu' }, { id: 'first' });
    await expect(m.add({ kind: 'cpu' }, { id: 'second' })).rejects.toThrow(
      'the root qdisc of lo is already held by fault first; revert it first',
    );
    await m.revert('first');
    expect((await m.add({ kind: 'cpu' }, { id: 'second' })).id).toBe('second');
  });

  it('ids are unique and plain', async () => {
    const m = new HostFaultManager({ drivers: { cpu: loggingDriver([]) } });
    await m.add({ kind: 'cpu' }, { id: 'a' });
    await expect(m.add({ kind: 'cpu' }, { id: 'a' })).rejects.toMatchObject({ code: 'conflict' });
    await expect(m.add({ kind: 'cpu' }, { id: 'a b' })).rejects.toMatchObject({
      code: 'invalid_spec',
      field: 'id',
    });
  });
});
