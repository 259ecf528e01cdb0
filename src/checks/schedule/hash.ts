/**
 * Stable, well-spread hashes of check names. They place each check's runs on
 * its own offset so thousands of checks with the same interval do not fire in
 * the same millisecond, and they do it deterministically: the same name gives
 * the same times on every restart and in every test.
 */

const TWO_32 = 2 ** 32;

/** FNV-1a (32 bit) over the UTF-16 code units of `s`, started from `seed`. */
export function hashString(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/**
 * Mixes an integer (any safe integer, e.g. a run number or a time in seconds)
 * into a hash. FNV alone spreads poorly for inputs that differ in one bit;
 * the murmur3 finaliser after each 32-bit half makes neighbouring runs
 * unrelated.
 */
export function mixInteger(h: number, n: number): number {
  const lo = ((n % TWO_32) + TWO_32) % TWO_32;
  const hi = Math.floor(n / TWO_32);
  let x = fmix32((h ^ lo) >>> 0);
  x = fmix32((x ^ Math.imul(hi | 0, 0x9e3779b1)) >>> 0);
  return x;
}

/** A hash as a fraction in [0, 1). */
export function unitOf(h: number): number {
  return (h >>> 0) / TWO_32;
}

/** The murmur3 32-bit finaliser: every input bit affects every output bit. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
