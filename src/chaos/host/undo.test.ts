import { describe, expect, it } from 'vitest';
import { HostFaultError } from './errors.ts';
import { hostFaultRejection } from './testing.ts';
import { transact, UndoStack } from './undo.ts';

describe('UndoStack', () => {
  it('undoes newest first', async () => {
    const done: string[] = [];
    const undo = new UndoStack();
    for (const step of ['a', 'b', 'c']) undo.push(step, async () => void done.push(step));
    expect(await undo.unwind()).toEqual([]);
    expect(done).toEqual(['c', 'b', 'a']);
    expect(undo.pending).toEqual([]);
  });

  it('a failing undo does not stop the others, stays pending, and is retried by the next unwind', async () => {
    const done: string[] = [];
    let failures = 1;
    const undo = new UndoStack();
    undo.push('a', async () => void done.push('a'));
    undo.push('b', async () => {
      if (failures-- > 0) throw new Error('busy');
      done.push('b');
    });
    undo.push('c', async () => void done.push('c'));
    expect(await undo.unwind()).toEqual(['b: busy']);
    expect(done).toEqual(['c', 'a']);
    expect(undo.pending).toEqual(['b']);
    expect(await undo.unwind()).toEqual([]);
    expect(done).toEqual(['c', 'a', 'b']);
  });

  it('unwinding an empty stack does nothing', async () => {
    expect(await new UndoStack().unwind()).toEqual([]);
  });
});

describe('transact', () => {
  it('hands back the value and the undo steps of a successful apply', async () => {
    const { value, undo } = await transact(async (u) => {
      u.push('one', async () => {});
      return 42;
    });
    expect(value).toBe(42);
    expect(undo.pending).toEqual(['one']);
  });

  it('a failed apply undoes the steps already done and rethrows its error', async () => {
    const done: string[] = [];
    const failing = transact(async (u) => {
      u.push('step 1', async () => void done.push('undo 1'));
      u.push('step 2', async () => void done.push('undo 2'));
      throw new Error('step 3 failed');
    });
    await expect(failing).rejects.toThrow('step 3 failed');
    expect(done).toEqual(['undo 2', 'undo 1']);
  });

  it('when undoing a failed apply fails too, the error says what may still be in effect', async () => {
    const failing = transact(async (u) => {
      u.push('delete qdisc', async () => {
        throw new Error('netlink timeout');
      });
      throw new Error('filter failed');
    });
    const err = await hostFaultRejection(failing);
    expect(err).toBeInstanceOf(HostFaultError);
    expect(err.code).toBe('revert_failed');
    expect(err.message).toContain('filter failed; undoing the steps already done failed too');
    expect(err.message).toContain('delete qdisc: netlink timeout');
  });
});
