import { describe, expect, it } from 'vitest';
import { wait } from './wait.ts';

describe('wait', () => {
  it('a wait with no abort runs its full time', async () => {
    const start = performance.now();
    expect(await wait(50, new AbortController().signal)).toBe('elapsed');
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
  });

  it('a client abort ends the wait early', async () => {
    const client = new AbortController();
    const start = performance.now();
    setTimeout(() => client.abort(), 20);
    expect(await wait(5_000, client.signal)).toBe('client');
    expect(performance.now() - start).toBeLessThan(2_000);
  });

  it('removing the rule ends the wait early', async () => {
    const removed = new AbortController();
    setTimeout(() => removed.abort(), 20);
    expect(await wait(5_000, new AbortController().signal, removed.signal)).toBe('removed');
  });

  it.each([
    ['an already gone client ends the wait at once', true, false, 'client'],
    ['an already removed rule ends the wait at once', false, true, 'removed'],
  ])('%s', async (_name, clientGone, ruleGone, end) => {
    const client = new AbortController();
    const removed = new AbortController();
    if (clientGone) client.abort();
    if (ruleGone) removed.abort();
    expect(await wait(5_000, client.signal, removed.signal)).toBe(end);
  });
});
