/**
 * A binary min-heap of items ordered by a numeric key, where each item knows
 * its own position. The position makes `remove` O(log n), so replacing or
 * deleting one of 10,000 scheduled checks does not leave stale entries behind
 * (a lazily-deleted heap would keep them until their time came, which for a
 * monthly cron is a month).
 */

export interface HeapItem {
  /** Position in the heap; -1 when not in one. Maintained by the heap. */
  heapIndex: number;
}

export class IndexedMinHeap<T extends HeapItem> {
  readonly #items: T[] = [];
  readonly #key: (item: T) => number;

  /** `key` must not change while the item is in the heap (remove, change, push again). */
  constructor(key: (item: T) => number) {
    this.#key = key;
  }

  get size(): number {
    return this.#items.length;
  }

  /** The item with the smallest key, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    if (item.heapIndex !== -1) throw new Error('item is already in a heap');
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  /** Removes and returns the item with the smallest key. */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `item` if it is in this heap; false otherwise. */
  remove(item: T): boolean {
    const i = item.heapIndex;
    if (i < 0 || this.#items[i] !== item) return false;
    const last = this.#items.pop() as T;
    item.heapIndex = -1;
    if (last !== item) {
      this.#items[i] = last;
      last.heapIndex = i;
      this.#down(i);
      this.#up(last.heapIndex);
    }
    return true;
  }

  /** Empties the heap. */
  clear(): void {
    for (const item of this.#items) item.heapIndex = -1;
    this.#items.length = 0;
  }

  #up(start: number): void {
    const items = this.#items;
    let i = start;
    const item = items[i] as T;
    const key = this.#key(item);
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (this.#key(parent) <= key) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  #down(start: number): void {
    const items = this.#items;
    const n = items.length;
    let i = start;
    const item = items[i] as T;
    const key = this.#key(item);
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.#key(items[right] as T) < this.#key(items[left] as T)) child = right;
      const c = items[child] as T;
      if (this.#key(c) >= key) break;
      items[i] = c;
      c.heapIndex = i;
      i = child;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
