import { describe, expect, it } from 'vitest';
import type { PathSegment } from './ast.ts';
import { type JsonValue, walkPath } from './json-path.ts';

const DOC: JsonValue = { data: [{ id: 7 }, { id: 8 }], user: { name: 'ann' }, nothing: null, 'odd-key': 1 };

describe('walkPath', () => {
  it.each<[string, PathSegment[], JsonValue]>([
    ['an empty path is the root', [], DOC],
    ['a key reads an object member', [{ key: 'user' }, { key: 'name' }], 'ann'],
    ['an index reads an array item', [{ key: 'data' }, { index: 1 }, { key: 'id' }], 8],
    ['a key with a dash reads like any other', [{ key: 'odd-key' }], 1],
    ['a null member is found', [{ key: 'nothing' }], null],
  ])('%s', (_name, path, expected) => {
    expect(walkPath(DOC, path)).toEqual({ found: true, value: expected });
  });

  it.each<[string, PathSegment[]]>([
    ['an absent key is not found', [{ key: 'nope' }]],
    ['an index past the end is not found', [{ key: 'data' }, { index: 2 }]],
    ['an index into an object is not found', [{ key: 'user' }, { index: 0 }]],
    ['a key into an array is not found', [{ key: 'data' }, { key: 'length' }]],
    ['a key into null is not found', [{ key: 'nothing' }, { key: 'x' }]],
    ['a key into a string is not found', [{ key: 'user' }, { key: 'name' }, { key: 'length' }]],
    ['an inherited key is not found', [{ key: 'toString' }]],
  ])('%s', (_name, path) => {
    expect(walkPath(DOC, path)).toEqual({ found: false });
  });
});
