import { describe, expect, it } from 'vitest';
import { HttpFaultError } from './errors.ts';
import type { RequestView } from './match.ts';
import { RuleTable } from './rules.ts';

const get = (path: string): RequestView => ({ method: 'GET', path, headers: {} });
const always = () => 0;
const never = () => 0.9999;

function thrown(fn: () => unknown): HttpFaultError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpFaultError) return err;
    throw err;
  }
  throw new Error('expected a throw');
}

describe('RuleTable', () => {
  it('added rules get fresh ids in order and are listed in evaluation order', () => {
    const t = new RuleTable();
    const a = t.add({ abort: { status: 500 } });
    const b = t.add({ id: 'mine', delay: { ms: 1 } });
    const c = t.add({ reset: true });
    expect([a.id, b.id, c.id]).toEqual(['rule-1', 'mine', 'rule-2']);
    expect(t.list().map((r) => r.id)).toEqual(['rule-1', 'mine', 'rule-2']);
  });

  it('a generated id is never reused after removal', () => {
    const t = new RuleTable();
    const a = t.add({ abort: { status: 500 } });
    t.remove(a.id);
    expect(t.add({ abort: { status: 500 } }).id).toBe('rule-2');
  });

  it('a generated id skips one a client already chose', () => {
    const t = new RuleTable();
    t.add({ id: 'rule-1', abort: { status: 500 } });
    expect(t.add({ abort: { status: 500 } }).id).toBe('rule-2');
  });

  it('a duplicate chosen id is a conflict naming the field', () => {
    const t = new RuleTable();
    t.add({ id: 'x', abort: { status: 500 } });
    const err = thrown(() => t.add({ id: 'x', abort: { status: 500 } }));
    expect(err.code).toBe('conflict');
    expect(err.issues).toEqual([{ path: 'id', message: 'is already taken' }]);
  });

  it('an invalid rule is refused with every issue in the message', () => {
    const err = thrown(() => new RuleTable().add({ percentage: 150, abort: { status: 42 } }));
    expect(err.code).toBe('invalid_rule');
    expect(err.message).toContain('percentage: must be at most 100');
    expect(err.message).toContain('abort.status: must be an HTTP status from 200 to 599');
  });

  it('the first matching rule decides, and a later one is not consulted when its roll misses', () => {
    const t = new RuleTable();
    t.add({ match: { path: '/api/*' }, percentage: 50, abort: { status: 503 } });
    t.add({ abort: { status: 500 } });
    expect(t.decide(get('/api/x'), never)).toBeUndefined();
    expect(t.decide(get('/api/x'), always)?.plan.outcome).toEqual({ kind: 'abort', abort: { status: 503 } });
    expect(t.decide(get('/other'), always)?.plan.outcome).toEqual({ kind: 'abort', abort: { status: 500 } });
    expect(t.counters()).toEqual([
      { id: 'rule-1', matched: 2, injected: 1 },
      { id: 'rule-2', matched: 1, injected: 1 },
    ]);
  });

  it('a request no rule matches is forwarded untouched and counted nowhere', () => {
    const t = new RuleTable();
    t.add({ match: { path: '/a' }, abort: { status: 500 } });
    expect(t.decide(get('/b'), always)).toBeUndefined();
    expect(t.counters()).toEqual([{ id: 'rule-1', matched: 0, injected: 0 }]);
  });

  it('removing is idempotent and releases the rule’s waiting requests', () => {
    const t = new RuleTable();
    const r = t.add({ delay: { ms: 1000 } });
    const d = t.decide(get('/'), always);
    expect(d?.removed.aborted).toBe(false);
    expect(t.remove(r.id)).toBe(true);
    expect(d?.removed.aborted).toBe(true);
    expect(t.remove(r.id)).toBe(false);
    expect(t.remove('never-added')).toBe(false);
    expect(t.decide(get('/'), always)).toBeUndefined();
  });

  it('clear removes every rule and releases all of them', () => {
    const t = new RuleTable();
    t.add({ delay: { ms: 1000 } });
    t.add({ abort: { status: 500 } });
    const d = t.decide(get('/'), always);
    expect(t.clear()).toBe(2);
    expect(d?.removed.aborted).toBe(true);
    expect(t.list()).toEqual([]);
  });

  it('an update replaces the rule in place and keeps its counters', () => {
    const t = new RuleTable();
    t.add({ abort: { status: 500 } });
    t.add({ reset: true });
    t.decide(get('/'), always);
    const updated = t.update('rule-1', { match: { path: '/x' }, abort: { status: 418 } });
    expect(updated).toEqual({ id: 'rule-1', match: { path: '/x' }, percentage: 100, abort: { status: 418 } });
    expect(t.list().map((r) => r.id)).toEqual(['rule-1', 'rule-2']);
    expect(t.counters()[0]).toEqual({ id: 'rule-1', matched: 1, injected: 1 });
    expect(t.decide(get('/'), always)?.plan.outcome).toEqual({ kind: 'reset' });
  });

  it.each([
    ['an update of an unknown id is not_found', 'nope', { abort: { status: 500 } }, 'not_found'],
    [
      'an update that changes the id is refused',
      'rule-1',
      { id: 'other', abort: { status: 500 } },
      'invalid_rule',
    ],
    ['an invalid update is refused', 'rule-1', { abort: { status: 42 } }, 'invalid_rule'],
  ])('%s', (_name, id, input, code) => {
    const t = new RuleTable();
    t.add({ abort: { status: 500 } });
    expect(thrown(() => t.update(id, input)).code).toBe(code);
    expect(t.list()[0]?.abort).toEqual({ status: 500 });
  });

  it('listed rules are copies the caller cannot use to change the table', () => {
    const t = new RuleTable();
    const added = t.add({ abort: { status: 500 } });
    if (added.abort) added.abort.status = 200;
    const listed = t.list()[0];
    if (listed?.abort) listed.abort.status = 201;
    expect(t.list()[0]?.abort?.status).toBe(500);
  });
});
