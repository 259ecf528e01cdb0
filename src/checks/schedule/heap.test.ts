import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.ts';
import { IndexedMinHeap } from './heap.ts';

interface Item {
  id: number;
  key: number;
  heapIndex: number;
}

/** A small deterministic PRNG (mulberry32), so the random case is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('IndexedMinHeap', () => {
  it('pops items in key order', () => {
    const heap = new IndexedMinHeap<Item>((i) => i.key);
    const keys = [5, 3, 9, 1, 7, 3, 0, 8];
    keys.forEach((key, id) => {
      heap.push({ id, key, heapIndex: -1 });
    });
    const popped: number[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) popped.push(item.key);
    expect(popped).toEqual([...keys].sort((a, b) => a - b));
  });

  it('matches a sorted list through 5,000 random pushes, pops and removals', () => {
    const rand = prng(42);
    const heap = new IndexedMinHeap<Item>((i) => i.key);
    const live = new Map<number, Item>();
    for (let id = 0; id < 5000; id++) {
      const r = rand();
      if (r < 0.6 || live.size === 0) {
        const item = { id, key: Math.floor(rand() * 1000), heapIndex: -1 };
        heap.push(item);
        live.set(id, item);
      } else if (r < 0.8) {
        const top = heap.pop() as Item;
        expect(top.key).toBe(Math.min(...[...live.values()].map((i) => i.key)));
        expect(top.heapIndex).toBe(-1);
        live.delete(top.id);
      } else {
        const ids = [...live.keys()];
        const victim = live.get(ids[Math.floor(rand() * ids.length)] as number) as Item;
        expect(heap.remove(victim)).toBe(true);
        expect(victim.heapIndex).toBe(-1);
        live.delete(victim.id);
      }
      expect(heap.size).toBe(live.size);
    }
    const rest: number[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) rest.push(item.key);
    expect(rest).toEqual([...live.values()].map((i) => i.key).sort((a, b) => a - b));
  });

  it('removing an item that is not in the heap does nothing', () => {
    const heap = new IndexedMinHeap<Item>((i) => i.key);
    const inside = { id: 1, key: 1, heapIndex: -1 };
    heap.push(inside);
    expect(heap.remove({ id: 2, key: 2, heapIndex: -1 })).toBe(false);
    expect(heap.remove({ id: 3, key: 3, heapIndex: 0 })).toBe(false);
    expect(heap.size).toBe(1);
    expect(heap.peek()).toBe(inside);
  });

  it('refuses an item that is already in a heap', () => {
    const heap = new IndexedMinHeap<Item>((i) => i.key);
    const item = { id: 1, key: 1, heapIndex: -1 };
    heap.push(item);
    expect(() => heap.push(item)).toThrow(/already/);
  });

  it('clear empties the heap and frees its items', () => {
    const heap = new IndexedMinHeap<Item>((i) => i.key);
    const items = [1, 2, 3].map((key) => ({ id: key, key, heapIndex: -1 }));
    for (const item of items) heap.push(item);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(items.map((i) => i.heapIndex)).toEqual([-1, -1, -1]);
  });
});

describe('Fifo', () => {
  it('returns items in insertion order across compactions', () => {
    const fifo = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 5000; i++) {
      fifo.push(i);
      // Take one out every other push, so the consumed prefix grows past the compaction point.
      if (i % 2 === 1) out.push(fifo.shift() as number);
    }
    expect(fifo.length).toBe(2500);
    for (let v = fifo.shift(); v !== undefined; v = fifo.shift()) out.push(v);
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(fifo.length).toBe(0);
  });

  it('drain returns what is left, oldest first, and empties the queue', () => {
    const fifo = new Fifo<string>();
    for (const s of ['a', 'b', 'c']) fifo.push(s);
    fifo.shift();
    expect(fifo.drain()).toEqual(['b', 'c']);
    expect(fifo.length).toBe(0);
    expect(fifo.shift()).toBeUndefined();
  });
});
