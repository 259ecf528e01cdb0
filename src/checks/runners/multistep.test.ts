import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConditionOutcome, MultistepCheckSpec, MultistepStep } from '../types.ts';
import { closeServer, listen, refusedPort } from './http/testing.ts';
import { type Evaluate, runMultistepCheck } from './multistep.ts';

/** Stand-in for the conditions module: understands `[STATUS] == N` only. */
const evaluate: Evaluate = (conditions, context) =>
  conditions.map((condition): ConditionOutcome => {
    const m = /^\[STATUS\] == (\d+)$/.exec(condition);
    if (m === null)
      return { condition, ok: false, shown: `${condition} (not understood by the test evaluator)` };
    return {
      condition,
      ok: context.status === Number(m[1]),
      shown: `[STATUS] (${context.status}) == ${m[1]}`,
    };
  });

const TOKEN = 'tok-0123456789abcdef0123456789abcdef';

function step(name: string, url: string, over: Partial<MultistepStep> = {}): MultistepStep {
  return {
    name,
    request: { method: 'GET', url, headers: {} },
    extract: {},
    conditions: ['[STATUS] == 200'],
    ...over,
  };
}

function spec(steps: MultistepStep[]): MultistepCheckSpec {
  return {
    type: 'multistep',
    steps,
    followRedirects: true,
    maxRedirects: 5,
    tls: { verify: true },
    maxBodyBytes: 65536,
  };
}

describe('runMultistepCheck', () => {
  let server: http.Server;
  let base = '';
  let connections = 0;
  const seen: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        seen.push(`${req.method} ${req.url}`);
        if (req.url === '/login' && req.method === 'POST') {
          const { user } = JSON.parse(body) as { user: string };
          res.setHeader('X-Session', `s-${user}`);
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ data: { token: TOKEN, user } }));
        } else if (req.url === '/items') {
          if (req.headers.authorization !== `Bearer ${TOKEN}`) {
            res.writeHead(401).end('who are you?');
            return;
          }
          res.end(JSON.stringify({ items: [{ id: 7 }, { id: 9 }] }));
        } else if (req.url === '/items/7') {
          res.end(`<html><input name="csrf" value="c5rf-${req.headers['x-session']}"></html>`);
        } else if (req.url === '/broken') {
          res.writeHead(500).end('broken');
        } else {
          res.writeHead(404).end('not found');
        }
      });
    });
    server.on('connection', () => connections++);
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => closeServer(server));

  const login = step('login', '', {
    request: {
      method: 'POST',
      url: '',
      headers: { 'content-type': 'application/json' },
      body: '{"user":"ada"}',
    },
    extract: {
      token: { from: 'json', path: '$.data.token' },
      session: { from: 'header', name: 'x-SESSION' },
    },
  });
  const withBase = (s: MultistepStep): MultistepStep => ({
    ...s,
    request: { ...s.request, url: `${base}${s.request.url}` },
  });

  it('logs in, carries the extracted token to an authorized call, and extracts by header and regex', async () => {
    seen.length = 0;
    const before = connections;
    const o = await runMultistepCheck(
      spec([
        { ...login, request: { ...login.request, url: `${base}/login` } },
        step('list', `${base}/items`, {
          request: { method: 'GET', url: `${base}/items`, headers: { Authorization: 'Bearer ${token}' } },
          extract: { first: { from: 'json', path: 'items[0].id' } },
        }),
        step('item', `${base}/items/\${first}`, {
          request: { method: 'GET', url: `${base}/items/\${first}`, headers: { 'X-Session': '${session}' } },
          extract: { csrf: { from: 'regex', pattern: 'name="csrf" value="([^"]+)"', group: 1 } },
        }),
      ]),
      { timeoutMs: 10_000 },
      evaluate,
    );
    expect(o.error).toBeUndefined();
    expect(seen).toEqual(['POST /login', 'GET /items', 'GET /items/7']);
    expect(o.steps?.map((s) => [s.name, s.status, s.failed])).toEqual([
      ['login', 200, undefined],
      ['list', 200, undefined],
      ['item', 200, undefined],
    ]);
    // Long values are shortened for display; short ones shown whole.
    expect(o.steps?.[0]?.extracted).toEqual({
      token: `${TOKEN.slice(0, 12)}… (${TOKEN.length} chars)`,
      session: 's-ada',
    });
    expect(o.steps?.[1]?.extracted).toEqual({ first: '7' });
    expect(o.steps?.[2]?.extracted).toEqual({ csrf: 'c5rf-s-ada' });
    // The context is the last step's response, timed over the whole sequence.
    expect(o.context.body).toContain('c5rf-s-ada');
    expect(o.context.status).toBe(200);
    const stepTime = (o.steps ?? []).reduce((sum, s) => sum + s.durationMs, 0);
    expect(o.context.responseTimeMs).toBeGreaterThanOrEqual(stepTime);
    // Phases are summed over the steps; the steps shared one connection.
    expect(o.phases.processing).toBeGreaterThan(0);
    expect(o.phases.resolve).toBe(0);
    expect(connections - before).toBe(1);
  });

  it('stops at a middle step whose condition fails, without an error', async () => {
    seen.length = 0;
    const o = await runMultistepCheck(
      spec([
        withBase(step('first', '/items/7')),
        withBase(step('broken', '/broken')),
        withBase(step('never', '/items/7')),
      ]),
      { timeoutMs: 10_000 },
      evaluate,
    );
    expect(o.error).toBeUndefined();
    expect(seen).toEqual(['GET /items/7', 'GET /broken']);
    expect(o.steps).toHaveLength(2);
    expect(o.steps?.[1]?.failed).toEqual([
      { condition: '[STATUS] == 200', ok: false, shown: '[STATUS] (500) == 200' },
    ]);
    expect(o.context.status).toBe(500);
  });

  it('stops when a step cannot extract a variable, saying what it looked for', async () => {
    const o = await runMultistepCheck(
      spec([
        withBase(step('list', '/items', { extract: { token: { from: 'json', path: 'data.token' } } })),
        withBase(step('never', '/items/7')),
      ]),
      { timeoutMs: 10_000 },
      evaluate,
    );
    expect(o.steps).toHaveLength(1);
    // /items without a token answers 401: the condition and the extraction both fail.
    expect(o.steps?.[0]?.failed?.map((f) => f.shown)).toEqual([
      '[STATUS] (401) == 200',
      'extract token: body is not JSON (looking for data.token)',
    ]);
  });

  it('reports a variable no earlier step defined as a config error naming it and the step', async () => {
    seen.length = 0;
    const o = await runMultistepCheck(
      spec([withBase(step('first', '/items/7')), withBase(step('second', '/items/${nope}'))]),
      { timeoutMs: 10_000 },
      evaluate,
    );
    expect(o.error?.kind).toBe('config');
    expect(o.error?.message).toBe(
      'step second: variable nope is not defined (no earlier step extracts it; for an environment variable write ${env.nope})',
    );
    expect(o.steps?.[1]).toMatchObject({ name: 'second', durationMs: 0, error: { kind: 'config' } });
    expect(seen).toEqual(['GET /items/7']);
    // The context is still the last response received.
    expect(o.context.status).toBe(200);
  });

  it('stops at a step that errors and names the step in the error', async () => {
    const port = await refusedPort();
    const o = await runMultistepCheck(
      spec([step('down', `http://127.0.0.1:${port}/`), withBase(step('never', '/items/7'))]),
      { timeoutMs: 10_000 },
      evaluate,
    );
    expect(o.error?.kind).toBe('connect');
    expect(o.error?.message).toMatch(/^step down: .*ECONNREFUSED/);
    expect(o.steps).toHaveLength(1);
    expect(o.steps?.[0]?.error?.kind).toBe('connect');
    expect(o.context.connected).toBe(false);
  });

  it('applies the deadline to the whole sequence', async () => {
    const slow = http.createServer(() => undefined);
    const port = await listen(slow);
    try {
      const o = await runMultistepCheck(
        spec([withBase(step('fast', '/items/7')), step('slow', `http://127.0.0.1:${port}/`)]),
        { timeoutMs: 300 },
        evaluate,
      );
      expect(o.error?.kind).toBe('timeout');
      expect(o.error?.message).toMatch(/^step slow: /);
      expect(o.steps?.map((s) => s.name)).toEqual(['fast', 'slow']);
      expect(o.context.responseTimeMs).toBeGreaterThanOrEqual(250);
      expect(o.context.responseTimeMs).toBeLessThan(5000);
    } finally {
      await closeServer(slow);
    }
  });
});
