import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../safety.ts';
import type { LoadPlan, RequestTemplate, VariableSource } from '../types.ts';
import { DEFAULT_HTTP } from './map.ts';
import { createIterationSource } from './source.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ballast-src-'));
  await writeFile(join(dir, 'users.csv'), 'id,name\r\nu1,ann\r\nu2,"b ""q"""\r\nu3,cy\r\n');
  await writeFile(join(dir, 'items.json'), '[{"sku":"a","n":1},{"sku":"b","n":2}]');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function request(partial: Partial<RequestTemplate>): RequestTemplate {
  return {
    name: 'r',
    method: 'GET',
    url: 'http://127.0.0.1:8080/',
    headers: {},
    weight: 1,
    checks: [],
    tags: {},
    ...partial,
  };
}

function plan(requests: RequestTemplate[], variables: VariableSource[] = []): LoadPlan {
  return {
    name: 'p',
    executor: { executor: 'iterations', vus: 1, iterations: 1, maxDurationMs: 1000 },
    requests,
    variables,
    thresholds: [],
    http: DEFAULT_HTTP,
    limits: DEFAULT_LIMITS,
    allowHosts: [],
    tags: {},
  };
}

const text = (it: { request: { bytes: Buffer } }) => it.request.bytes.toString('utf8');

describe('createIterationSource', () => {
  it('a template without placeholders returns the same prebuilt buffer every time', async () => {
    const src = await createIterationSource(
      plan([request({ url: 'http://127.0.0.1:8080/a?b=1' })]),
      { index: 0, count: 1 },
      dir,
    );
    const first = src.next().request.bytes;
    expect(src.next().request.bytes).toBe(first);
    expect(first.toString()).toMatch(/^GET \/a\?b=1 HTTP\/1\.1\r\n/);
  });

  it('sequences are striped across workers so values never repeat', async () => {
    const p = plan([request({ url: 'http://127.0.0.1/${n}' })], [{ kind: 'sequence', name: 'n', start: 10 }]);
    const seen: string[] = [];
    for (const index of [0, 1, 2]) {
      const src = await createIterationSource(p, { index, count: 3 }, dir);
      for (let i = 0; i < 4; i++) seen.push(/^GET \/(\d+) /.exec(text(src.next()))?.[1] ?? '');
    }
    expect(new Set(seen).size).toBe(12);
    expect(seen.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => 10 + i));
  });

  it('one CSV row fills every placeholder of an iteration, rows in order per worker', async () => {
    const p = plan(
      [
        request({
          method: 'POST',
          url: 'http://127.0.0.1/u/${user.id}',
          headers: { 'x-user': '${user.id}' },
          body: 'name=${user.name}',
        }),
      ],
      [{ kind: 'csv', name: 'user', file: 'users.csv', order: 'sequential' }],
    );
    const src = await createIterationSource(p, { index: 1, count: 2 }, dir);
    const a = text(src.next());
    expect(a).toMatch(/^POST \/u\/u2 /);
    expect(a).toContain('x-user: u2\r\n');
    expect(a.endsWith('\r\n\r\nname=b "q"')).toBe(true);
    // Worker 1 of 2 takes rows 1, 3, 5, ...; with 3 rows, row 3 wraps to row 0.
    expect(text(src.next())).toMatch(/^POST \/u\/u1 /);
  });

  it('JSON rows, random ints and uuids are drawn per iteration', async () => {
    const p = plan(
      [request({ url: 'http://127.0.0.1/${item.sku}/${item.n}?r=${r}&id=${id}' })],
      [
        { kind: 'json', name: 'item', file: join(dir, 'items.json'), order: 'random' },
        { kind: 'randomInt', name: 'r', min: 5, max: 6 },
        { kind: 'uuid', name: 'id' },
      ],
    );
    const src = await createIterationSource(p, { index: 0, count: 1 }, dir);
    const lines = Array.from({ length: 50 }, () => text(src.next()).split('\r\n')[0] as string);
    for (const l of lines) expect(l).toMatch(/^GET \/(a\/1|b\/2)\?r=[56]&id=[0-9a-f-]{36} HTTP/);
    expect(new Set(lines).size).toBe(50);
  });

  it('weights share iterations in proportion', async () => {
    const p = plan([request({ name: 'a', weight: 3 }), request({ name: 'b', weight: 1 })]);
    let x = 0;
    // A deterministic, evenly spread "random" source: 0, 0.01, ..., 0.99.
    const src = await createIterationSource(p, { index: 0, count: 1 }, dir, () => (x++ % 100) / 100);
    const counts = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const name = src.next().template.name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ a: 75, b: 25 });
  });
});
