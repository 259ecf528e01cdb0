import { describe, expect, it } from 'vitest';
import { canonicalJson, hashJson, sha256Hex } from './canonical.ts';

describe('canonicalJson', () => {
  it.each([
    { name: 'object keys are sorted at every level', input: { b: 1, a: { d: 2, c: [{ f: 3, e: 4 }] } } },
    { name: 'undefined members are dropped', input: { a: undefined, b: 2 } },
    { name: 'arrays keep their order', input: [3, 1, 2] },
    { name: 'scalars stay as they are', input: 'text' },
  ])('$name', ({ input }) => {
    const text = canonicalJson(input);
    // Round trip: the canonical form is plain JSON with the same content.
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(input)));
    // Sorted: re-canonicalising the parsed form gives the same text.
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });

  it('gives the same text for objects that differ only in key order', () => {
    expect(canonicalJson({ x: 1, y: { b: true, a: null } })).toBe(
      canonicalJson({ y: { a: null, b: true }, x: 1 }),
    );
  });
});

describe('hashJson', () => {
  it('is the sha256 of the canonical JSON', () => {
    const value = { kind: 'SLO', spec: { objective: 0.999 } };
    expect(hashJson(value)).toBe(sha256Hex(canonicalJson(value)));
    expect(hashJson(value)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when a value changes', () => {
    expect(hashJson({ objective: 0.999 })).not.toBe(hashJson({ objective: 0.99 }));
  });
});
