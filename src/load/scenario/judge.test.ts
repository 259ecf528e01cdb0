import { describe, expect, it } from 'vitest';
import type { RequestOutcome } from '../http/index.ts';
import type { ErrorKind, ResponseCheck } from '../types.ts';
import { judge, needsHeaders } from './judge.ts';

const response = (
  status: number,
  body?: string,
  headers: Record<string, string> = {},
  took = 5,
): RequestOutcome => ({
  ok: true,
  status,
  headers,
  ...(body !== undefined ? { body: Buffer.from(body) } : {}),
  bytes: 100,
  sentAt: 1000,
  firstByteAt: 1000 + took / 2,
  doneAt: 1000 + took,
});

const template = (checks: ResponseCheck[]) => ({
  name: 'r',
  method: 'GET',
  url: 'http://127.0.0.1/',
  headers: {},
  weight: 1,
  checks,
  tags: {},
});

describe('judge', () => {
  it.each<[string, ResponseCheck[], RequestOutcome, ErrorKind | undefined]>([
    ['a 200 without checks passes', [], response(200), undefined],
    ['a 404 without a status check fails as status', [], response(404), 'status'],
    ['a status check allowing 404 lets it pass', [{ kind: 'status', in: [404] }], response(404), undefined],
    [
      'a status outside the list fails as status',
      [{ kind: 'status', in: [200, 201] }],
      response(202),
      'status',
    ],
    [
      'a transport error keeps its own kind',
      [],
      { ok: false, error: 'connect_refused', message: 'ECONNREFUSED', doneAt: 1 },
      'connect_refused',
    ],
    [
      'a body containing the text passes',
      [{ kind: 'bodyContains', text: '"ok":true' }],
      response(200, '{"ok":true}'),
      undefined,
    ],
    [
      'a body missing the text fails as check',
      [{ kind: 'bodyContains', text: '"ok":true' }],
      response(200, '{"ok":false}'),
      'check',
    ],
    [
      'a body check without a kept body fails as check',
      [{ kind: 'bodyContains', text: 'x' }],
      response(200),
      'check',
    ],
    [
      'a body matching the pattern passes',
      [{ kind: 'bodyMatches', pattern: '^\\{"id":\\d+\\}$' }],
      response(200, '{"id":42}'),
      undefined,
    ],
    [
      'a header equal to the value passes',
      [{ kind: 'header', name: 'X-Mode', equals: 'fast' }],
      response(200, undefined, { 'x-mode': 'fast' }),
      undefined,
    ],
    [
      'a header matching the pattern passes',
      [{ kind: 'header', name: 'content-type', matches: 'json' }],
      response(200, undefined, { 'content-type': 'application/json' }),
      undefined,
    ],
    ['a missing header fails as check', [{ kind: 'header', name: 'content-type' }], response(200), 'check'],
    [
      'a response slower than maxLatency fails as check',
      [{ kind: 'maxLatencyMs', value: 10 }],
      response(200, undefined, {}, 11),
      'check',
    ],
    [
      'a response within maxLatency passes',
      [{ kind: 'maxLatencyMs', value: 10 }],
      response(200, undefined, {}, 10),
      undefined,
    ],
  ])('%s', (_name, checks, outcome, expected) => {
    expect(judge(template(checks), outcome)).toBe(expected);
  });
});

describe('needsHeaders', () => {
  const plan = (checks: ResponseCheck[][]) =>
    ({ requests: checks.map((c) => template(c)) }) as unknown as Parameters<typeof needsHeaders>[0];
  it.each<[string, ResponseCheck[][], boolean]>([
    [
      'a plan with a header check on any request needs header records',
      [[], [{ kind: 'header', name: 'x' }]],
      true,
    ],
    [
      'a plan with only status and body checks does not',
      [
        [
          { kind: 'status', in: [200] },
          { kind: 'bodyContains', text: 'a' },
        ],
      ],
      false,
    ],
  ])('%s', (_name, checks, expected) => {
    expect(needsHeaders(plan(checks))).toBe(expected);
  });
});
