/**
 * A seeded PRNG for synthetic SLI series (demo backfill, randomized tests):
 * the same seed gives the same series on every run and every machine.
 */

/**
 * mulberry32: a tiny 32-bit seeded PRNG returning floats in [0, 1).
 *
 * @example
 * const rand = seededRandom(42);
 * const noise = rand() * 20;
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
