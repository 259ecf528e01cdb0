import { describe, expect, it } from 'vitest';
import {
  checkEnvNames,
  envNamesIn,
  envReferenceProblem,
  fillEnv,
  redactResult,
  resolveEnv,
  scriptEnvNames,
} from './env.ts';
import type { CheckResult, HttpCheckSpec, MultistepCheckSpec } from './types.ts';

const http = (headers: Record<string, string>, url = 'https://api.test/items'): HttpCheckSpec => ({
  type: 'http',
  request: { method: 'GET', url, headers },
  followRedirects: true,
  maxRedirects: 5,
  tls: { verify: true },
  maxBodyBytes: 1024,
});

describe('envReferenceProblem', () => {
  it.each([
    { name: 'text without references is fine', text: 'Bearer abc', problem: undefined },
    { name: 'a well-formed reference is fine', text: 'Bearer ${env.API_TOKEN}', problem: undefined },
    { name: 'a multistep variable is not an environment reference', text: '${token}', problem: undefined },
    {
      name: 'a name with a dash is refused',
      text: '${env.API-TOKEN}',
      problem:
        '${env.API-TOKEN}: an environment variable name is letters, digits and _, not starting with a digit, with no spaces (${env.API_TOKEN})',
    },
    {
      name: 'a name starting with a digit is refused',
      text: 'x ${env.1TOKEN}',
      problem: expect.stringContaining('${env.1TOKEN}: an environment variable name'),
    },
    {
      name: 'spaces inside the braces are refused',
      text: '${ env.TOKEN }',
      problem: expect.stringContaining('${ env.TOKEN }: an environment variable name'),
    },
    {
      name: 'no name at all is refused',
      text: '${env}',
      problem: '${env} names no variable: write ${env.NAME}',
    },
    {
      name: 'an unclosed reference is refused',
      text: 'Bearer ${env.TOKEN',
      problem: '${env.TOKEN is not closed: write ${env.NAME}',
    },
  ])('$name', ({ text, problem }) => {
    expect(envReferenceProblem(text)).toEqual(problem);
  });
});

describe('finding references', () => {
  it('lists each ${env.NAME} once, in order', () => {
    expect(envNamesIn('${env.B} ${env.A} ${env.B} ${other}')).toEqual(['B', 'A']);
  });

  it('reads env.NAME in a script but not process.env.NAME or myenv.NAME', () => {
    expect(
      scriptEnvNames('await page.fill("#p", env.PASSWORD); process.env.HOME; myenv.X; env.USER'),
    ).toEqual(['PASSWORD', 'USER']);
  });

  it('collects a multistep check from every step, URL, headers and body', () => {
    const spec: MultistepCheckSpec = {
      type: 'multistep',
      steps: [
        {
          name: 'a',
          request: { method: 'POST', url: '${env.BASE}/login', headers: {}, body: '${env.PW}' },
          extract: {},
          conditions: [],
        },
        {
          name: 'b',
          request: { method: 'GET', url: '${env.BASE}/x', headers: { k: '${env.KEY}' } },
          extract: {},
          conditions: [],
        },
      ],
      followRedirects: true,
      maxRedirects: 5,
      tls: { verify: true },
      maxBodyBytes: 1024,
    };
    expect(checkEnvNames(spec)).toEqual(['BASE', 'PW', 'KEY']);
  });
});

describe('resolveEnv', () => {
  it('fills the request from the environment, leaving the definition as it was', () => {
    const spec = http({ authorization: 'Bearer ${env.TOKEN}' }, 'https://${env.HOST}/items');
    const r = resolveEnv(spec, { TOKEN: 's3cret-token', HOST: 'api.test' });
    if (!r.ok) throw new Error('expected the variables to resolve');
    expect(r.spec).toMatchObject({
      request: { url: 'https://api.test/items', headers: { authorization: 'Bearer s3cret-token' } },
    });
    expect(spec.request.headers.authorization).toBe('Bearer ${env.TOKEN}');
    expect([...r.values]).toEqual([
      ['HOST', 'api.test'],
      ['TOKEN', 's3cret-token'],
    ]);
  });

  it('names the first variable that is not set', () => {
    expect(resolveEnv(http({ a: '${env.SET}', b: '${env.UNSET}' }), { SET: 'x' })).toEqual({
      ok: false,
      missing: 'UNSET',
    });
  });

  it('an empty value is set (only an absent one is missing)', () => {
    const r = resolveEnv(http({ a: '[${env.EMPTY}]' }), { EMPTY: '' });
    expect(r.ok && r.spec.type === 'http' && r.spec.request.headers.a).toBe('[]');
  });

  it('gives a browser script the variables it reads, and only those', () => {
    const r = resolveEnv(
      { type: 'browser', script: 'await page.fill("#u", env.USER_NAME)', viewport: { width: 1, height: 1 } },
      { USER_NAME: 'probe', OTHER: 'no' },
    );
    expect(r.ok && r.spec.type === 'browser' && r.spec.env).toEqual({ USER_NAME: 'probe' });
  });

  it('fills tcp send', () => {
    const r = resolveEnv(
      { type: 'tcp', host: 'h', port: 1, send: 'AUTH ${env.PW}\r\n', maxBodyBytes: 1 },
      { PW: 'pw' },
    );
    expect(r.ok && r.spec.type === 'tcp' && r.spec.send).toBe('AUTH pw\r\n');
  });

  it('fills in one pass: a value holding a reference is not expanded again', () => {
    expect(
      fillEnv(
        '${env.A}',
        new Map([
          ['A', '${env.B}'],
          ['B', 'secret'],
        ]),
      ),
    ).toBe('${env.B}');
  });
});

describe('redactResult', () => {
  const result = (over: Partial<CheckResult>): CheckResult => ({
    check: 'c',
    service: 's',
    type: 'http',
    location: 'local',
    startedAt: 0,
    durationMs: 1,
    status: 'fail',
    conditions: [],
    phases: {},
    attempts: 1,
    ...over,
  });

  it('hides a value wherever a result shows it, naming the variable', () => {
    const r = redactResult(
      result({
        reason: '[BODY] (echo: Bearer tok-123456) == ok',
        error: { kind: 'protocol', message: 'bad tok-123456' },
        conditions: [
          { condition: '[BODY] == ok', ok: false, shown: '[BODY] (echo: Bearer tok-123456) == ok' },
        ],
        steps: [{ name: 'x', durationMs: 1, extracted: { t: 'tok-123456' } }],
      }),
      new Map([['TOKEN', 'tok-123456']]),
    );
    expect(JSON.stringify(r)).not.toContain('tok-123456');
    expect(r.reason).toBe('[BODY] (echo: Bearer [redacted: env.TOKEN]) == ok');
    expect(r.steps?.[0]?.extracted).toEqual({ t: '[redacted: env.TOKEN]' });
  });

  it('hides the longer of two overlapping values whole', () => {
    const r = redactResult(
      result({ reason: 'abcdefgh' }),
      new Map([
        ['SHORT', 'abcd'],
        ['LONG', 'abcdefgh'],
      ]),
    );
    expect(r.reason).toBe('[redacted: env.LONG]');
  });

  it('leaves values too short to be secrets (they would be replaced inside every number)', () => {
    const r = redactResult(result({ reason: '[STATUS] (200) == 200' }), new Map([['N', '20']]));
    expect(r.reason).toBe('[STATUS] (200) == 200');
  });
});
