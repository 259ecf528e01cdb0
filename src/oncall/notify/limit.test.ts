import { describe, expect, it } from 'vitest';
import { Limit } from './limit.ts';

/** A task that runs until the test lets it finish. */
function held<T>(value: T) {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const task = async () => {
    await gate;
    return value;
  };
  return { task, release };
}

describe('Limit', () => {
  it('runs at most `size` tasks at once, the rest in arrival order as slots free up', async () => {
    const limit = new Limit(2);
    const a = held('a');
    const b = held('b');
    const c = held('c');
    const started: string[] = [];
    const run = (name: string, t: () => Promise<string>) =>
      limit.run(async () => {
        started.push(name);
        return t();
      });
    const results = [run('a', a.task), run('b', b.task), run('c', c.task)];
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']);
    expect(limit.running).toBe(2);
    b.release();
    await results[1];
    await Promise.resolve();
    expect(started).toEqual(['a', 'b', 'c']);
    a.release();
    c.release();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(limit.running).toBe(0);
  });

  it('frees the slot of a task that throws', async () => {
    const limit = new Limit(1);
    await expect(limit.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit.run(async () => 'next')).toBe('next');
    expect(limit.running).toBe(0);
  });
});
