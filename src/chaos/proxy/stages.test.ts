import { describe, expect, it } from 'vitest';
import { sliceEnds } from './stages.ts';

/** A deterministic stand-in for Math.random: a fixed sequence, repeated. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

describe('sliceEnds', () => {
  const cases: Array<[string, number, number, number, number[]]> = [
    ['data no larger than a slice is one slice', 8, 10, 0, [8]],
    ['without variation 40 bytes at 10 halve into four slices of 10', 40, 10, 0, [10, 20, 30, 40]],
    ['nothing to send is no slices', 0, 10, 0, []],
  ];
  it.each(cases)('%s', (_name, size, average, variation, ends) => {
    expect(sliceEnds(size, average, variation, Math.random)).toEqual(ends);
  });

  it('covers every byte once, in order, with slices near the average size', () => {
    const ends = sliceEnds(10_000, 100, 30, sequence(0.1, 0.9, 0.5, 0.3, 0.7));
    expect(ends.at(-1)).toBe(10_000);
    let start = 0;
    for (const end of ends) {
      expect(end).toBeGreaterThan(start);
      // Halving stops once a piece is within average + variation.
      expect(end - start).toBeLessThanOrEqual(130);
      start = end;
    }
    expect(ends.length).toBeGreaterThan(10_000 / 130);
  });
});
