import { describe, expect, it } from 'vitest';
import { parsePopulate, parseProxyCreate, parseProxyUpdate } from './proxy-spec.ts';

describe('parseProxyCreate', () => {
  it('defaults to enabled and to a free loopback port', () => {
    expect(parseProxyCreate({ name: 'pg', upstream: 'localhost:5432' })).toEqual({
      ok: true,
      value: { name: 'pg', listen: '127.0.0.1:0', upstream: 'localhost:5432', enabled: true },
    });
  });

  const refused: Array<[string, unknown, number, RegExp]> = [
    ['a missing name is a missing field', { upstream: 'a:1' }, 400, /missing required field: name/],
    ['a missing upstream is a missing field', { name: 'x' }, 400, /missing required field: upstream/],
    [
      'an upstream without a port is refused',
      { name: 'x', upstream: 'localhost' },
      400,
      /upstream: expected host:port/,
    ],
    [
      'a listen address without a host is refused',
      { name: 'x', upstream: 'a:1', listen: ':80' },
      400,
      /listen/,
    ],
    [
      'a numeric listen is refused',
      { name: 'x', upstream: 'a:1', listen: 8080 },
      400,
      /listen must be a string/,
    ],
    ['enabled must be a boolean', { name: 'x', upstream: 'a:1', enabled: 'yes' }, 400, /enabled/],
  ];
  it.each(refused)('%s', (_name, body, status, message) => {
    const r = parseProxyCreate(body);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.status).toBe(status);
      expect(r.error.message).toMatch(message);
    }
  });
});

describe('parseProxyUpdate', () => {
  const current = { name: 'pg', listen: '127.0.0.1:4000', upstream: 'localhost:5432', enabled: true };

  it('keeps every field the body leaves out', () => {
    expect(parseProxyUpdate(current, { enabled: false })).toEqual({
      ok: true,
      value: { ...current, enabled: false },
    });
  });

  it('refuses a bad new upstream', () => {
    expect(parseProxyUpdate(current, { upstream: 'nope' }).ok).toBe(false);
  });
});

describe('parsePopulate', () => {
  it('reads every entry of a valid list', () => {
    const r = parsePopulate([
      { name: 'a', upstream: 'localhost:1', listen: '127.0.0.1:0' },
      { name: 'b', upstream: 'localhost:2', enabled: false },
    ]);
    expect(r.ok && r.value.map((p) => [p.name, p.enabled])).toEqual([
      ['a', true],
      ['b', false],
    ]);
  });

  it('names the bad entry by position and name', () => {
    const r = parsePopulate([{ name: 'a', upstream: 'localhost:1' }, { name: 'b' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe('missing required field: upstream at proxy 2 (b)');
  });

  it('refuses duplicate names within one list', () => {
    const r = parsePopulate([
      { name: 'a', upstream: 'localhost:1' },
      { name: 'a', upstream: 'localhost:2' },
    ]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/duplicate proxy name "a"/);
  });

  it('refuses a body that is not an array', () => {
    expect(parsePopulate({ name: 'a' }).ok).toBe(false);
  });
});
