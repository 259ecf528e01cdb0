/**
 * executeCheck against real servers on loopback: the retry loop, what a
 * closed port means to `[CONNECTED]`, `${env.NAME}` references (the header
 * arrives, the value never comes back in the result, an unset variable stops
 * the run) and `[CERTIFICATE_EXPIRATION]` on real self-signed certificates.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCheck } from './execute.ts';
import { closeServer, listen, refusedPort } from './runners/http/testing.ts';
import type { CheckDefinition, CheckTypeSpec, RetryPolicy } from './types.ts';

const ARTIFACTS = join(tmpdir(), 'ballast-execute-test-artifacts');

function definition(spec: CheckTypeSpec, over: Partial<CheckDefinition> = {}): CheckDefinition {
  return {
    name: 'probe',
    service: 'svc',
    tags: [],
    locations: ['local'],
    schedule: { kind: 'interval', everyMs: 60_000, jitterMs: 0 },
    timeoutMs: 5_000,
    retries: { count: 0, backoff: 'fixed', delayMs: 10, onlyNetworkErrors: false },
    failAfter: 1,
    recoverAfter: 1,
    conditions: ['[STATUS] == 200'],
    degradedConditions: [],
    enabled: true,
    spec,
    ...over,
  };
}

const httpSpec = (url: string, headers: Record<string, string> = {}): CheckTypeSpec => ({
  type: 'http',
  request: { method: 'GET', url, headers },
  followRedirects: true,
  maxRedirects: 5,
  tls: { verify: true },
  maxBodyBytes: 65_536,
});

const retries = (over: Partial<RetryPolicy>): RetryPolicy => ({
  count: 3,
  backoff: 'fixed',
  delayMs: 10,
  onlyNetworkErrors: false,
  ...over,
});

describe('executeCheck: retries', () => {
  let server: http.Server;
  let base = '';
  /** Requests each path has received; `/flaky/N` answers 503 to its first N requests, then 200. */
  const seen = new Map<string, number>();
  /** Called when a connection to the server closes (the attempt is over). */
  let onClose: (() => void) | undefined;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const path = req.url ?? '/';
      const n = (seen.get(path) ?? 0) + 1;
      seen.set(path, n);
      const failures = Number(/^\/flaky\/(\d+)/.exec(path)?.[1] ?? Number.POSITIVE_INFINITY);
      res.writeHead(n > failures ? 200 : 503).end();
    });
    server.on('connection', (socket: Socket) => socket.on('close', () => onClose?.()));
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => closeServer(server));

  it('retries a failing check until it passes, counting every attempt', async () => {
    const r = await executeCheck(
      definition(httpSpec(`${base}/flaky/2?a`), { retries: retries({ count: 3 }) }),
      {
        artifactsDir: ARTIFACTS,
      },
    );
    expect(r.status).toBe('pass');
    expect(r.attempts).toBe(3);
    expect(seen.get('/flaky/2?a')).toBe(3);
  });

  it('gives up after its retries, with the last attempt as the result', async () => {
    const r = await executeCheck(
      definition(httpSpec(`${base}/flaky/5?b`), { retries: retries({ count: 2 }) }),
      {
        artifactsDir: ARTIFACTS,
      },
    );
    expect(r.status).toBe('fail');
    expect(r.attempts).toBe(3);
    expect(r.reason).toBe('[STATUS] (503) == 200');
    expect(seen.get('/flaky/5?b')).toBe(3);
  });

  it('does not retry a failing status when it retries only on network errors', async () => {
    const check = definition(httpSpec(`${base}/flaky/1?c`), {
      retries: retries({ onlyNetworkErrors: true }),
    });
    const r = await executeCheck(check, { artifactsDir: ARTIFACTS });
    expect(r.status).toBe('fail');
    expect(r.attempts).toBe(1);
    expect(seen.get('/flaky/1?c')).toBe(1);
  });

  it('retries a refused connection when it retries only on network errors', async () => {
    const port = await refusedPort();
    const check = definition(httpSpec(`http://127.0.0.1:${port}/`), {
      retries: retries({ count: 2, onlyNetworkErrors: true }),
    });
    const r = await executeCheck(check, { artifactsDir: ARTIFACTS });
    expect(r.status).toBe('fail');
    expect(r.error?.kind).toBe('connect');
    expect(r.attempts).toBe(3);
  });

  it('stops in the pause before a retry when its signal aborts, without another attempt', async () => {
    const controller = new AbortController();
    // The first attempt's connection closes as it ends; by then the execution waits out its 10-minute pause.
    onClose = () => controller.abort();
    try {
      const check = definition(httpSpec(`${base}/flaky/9?d`), {
        retries: retries({ count: 5, delayMs: 600_000 }),
      });
      const r = await executeCheck(check, { artifactsDir: ARTIFACTS, signal: controller.signal });
      expect(r.status).toBe('fail');
      expect(r.attempts).toBe(1);
      expect(r.reason).toBe('[STATUS] (503) == 200');
      expect(seen.get('/flaky/9?d')).toBe(1);
    } finally {
      onClose = undefined;
    }
  });
});

describe('executeCheck: [CONNECTED] against real ports', () => {
  let open: ReturnType<typeof createTcpServer>;
  let openPort = 0;
  let closedPort = 0;
  beforeAll(async () => {
    open = createTcpServer((s) => s.end());
    openPort = await listen(open);
    closedPort = await refusedPort();
  });
  afterAll(() => closeServer(open));

  const tcp = (port: number, conditions: string[]) =>
    definition({ type: 'tcp', host: '127.0.0.1', port, maxBodyBytes: 1024 }, { conditions });

  it.each([
    {
      name: 'a closed port passes [CONNECTED] == false',
      port: () => closedPort,
      condition: '[CONNECTED] == false',
      status: 'pass',
    },
    {
      name: 'a listening port fails [CONNECTED] == false',
      port: () => openPort,
      condition: '[CONNECTED] == false',
      status: 'fail',
    },
    {
      name: 'a listening port passes [CONNECTED] == true',
      port: () => openPort,
      condition: '[CONNECTED] == true',
      status: 'pass',
    },
    {
      name: 'a closed port fails [CONNECTED] == true',
      port: () => closedPort,
      condition: '[CONNECTED] == true',
      status: 'fail',
    },
  ])('$name', async ({ port, condition, status }) => {
    const r = await executeCheck(tcp(port(), [condition]), { artifactsDir: ARTIFACTS });
    expect(r.status).toBe(status);
    if (status === 'pass') {
      expect(r.error).toBeUndefined();
      expect(r.reason).toBeUndefined();
    }
  });

  it('a closed port that fails [CONNECTED] == true says why: the connect error', async () => {
    const r = await executeCheck(tcp(closedPort, ['[CONNECTED] == true']), { artifactsDir: ARTIFACTS });
    expect(r.error?.kind).toBe('connect');
    expect(r.reason).toMatch(/^connect: cannot connect to 127\.0\.0\.1:\d+: connection refused$/);
  });

  it('a listening port that fails [CONNECTED] == false shows the condition with its value', async () => {
    const r = await executeCheck(tcp(openPort, ['[CONNECTED] == false']), { artifactsDir: ARTIFACTS });
    expect(r.reason).toBe('[CONNECTED] (true) == false');
  });
});

describe('executeCheck: environment references', () => {
  const TOKEN = 'tok-env-0123456789abcdef';
  let server: http.Server;
  let base = '';
  const received: { authorization?: string; body: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ authorization: req.headers.authorization, body: Buffer.concat(chunks).toString() });
        // Echoes what it got, as many debugging endpoints do: the token must not come back into the result.
        res.writeHead(req.url === '/echo' ? 500 : 200).end(`you sent ${req.headers.authorization}`);
      });
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => closeServer(server));

  it('sends the variable in the header, read from the environment at run time', async () => {
    const check = definition(httpSpec(`${base}/ok`, { authorization: 'Bearer ${env.BALLAST_TEST_TOKEN}' }));
    const r = await executeCheck(check, { artifactsDir: ARTIFACTS, env: { BALLAST_TEST_TOKEN: TOKEN } });
    expect(r.status).toBe('pass');
    expect(received.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
    // The definition still holds the reference, never the value.
    expect(check.spec.type === 'http' && check.spec.request.headers.authorization).toBe(
      'Bearer ${env.BALLAST_TEST_TOKEN}',
    );
  });

  it('redacts the value where a result would show it (a server echoing the header)', async () => {
    const check = definition(
      httpSpec(`${base}/echo`, { authorization: 'Bearer ${env.BALLAST_TEST_TOKEN}' }),
      {
        conditions: ['[STATUS] == 200', '[BODY] == pat(*nothing*)'],
      },
    );
    const r = await executeCheck(check, { artifactsDir: ARTIFACTS, env: { BALLAST_TEST_TOKEN: TOKEN } });
    expect(received.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.stringify(r)).not.toContain(TOKEN);
    expect(r.conditions[1]?.shown).toBe(
      '[BODY] (you sent Bearer [redacted: env.BALLAST_TEST_TOKEN]) == pat(*nothing*)',
    );
  });

  it('fills multistep steps and tcp send from the environment too', async () => {
    const before = received.length;
    const steps = definition(
      {
        type: 'multistep',
        steps: [
          {
            name: 'post',
            request: {
              method: 'POST',
              url: `${base}/ok`,
              headers: {},
              body: '{"key":"${env.BALLAST_TEST_TOKEN}"}',
            },
            extract: {},
            conditions: ['[STATUS] == 200'],
          },
        ],
        followRedirects: true,
        maxRedirects: 5,
        tls: { verify: true },
        maxBodyBytes: 65_536,
      },
      { conditions: [] },
    );
    expect(
      (await executeCheck(steps, { artifactsDir: ARTIFACTS, env: { BALLAST_TEST_TOKEN: TOKEN } })).status,
    ).toBe('pass');
    expect(received[before]?.body).toBe(`{"key":"${TOKEN}"}`);

    const lines: string[] = [];
    const tcpServer = createTcpServer((s) =>
      s.on('data', (d: Buffer) => {
        lines.push(d.toString());
        s.end('+OK\r\n');
      }),
    );
    try {
      const port = await listen(tcpServer);
      const tcp = definition(
        {
          type: 'tcp',
          host: '127.0.0.1',
          port,
          send: 'AUTH ${env.BALLAST_TEST_TOKEN}\r\n',
          expect: '+OK',
          maxBodyBytes: 1024,
        },
        { conditions: ['[BODY] == pat(+OK*)'] },
      );
      expect(
        (await executeCheck(tcp, { artifactsDir: ARTIFACTS, env: { BALLAST_TEST_TOKEN: TOKEN } })).status,
      ).toBe('pass');
      expect(lines.join('')).toBe(`AUTH ${TOKEN}\r\n`);
    } finally {
      await closeServer(tcpServer);
    }
  });

  it('an unset variable fails the run with a config error naming it, and sends nothing', async () => {
    const before = received.length;
    const check = definition(httpSpec(`${base}/ok`, { authorization: 'Bearer ${env.BALLAST_TEST_UNSET}' }), {
      retries: retries({ count: 3 }),
    });
    const r = await executeCheck(check, { artifactsDir: ARTIFACTS, env: {} });
    expect(r.status).toBe('fail');
    expect(r.attempts).toBe(1);
    expect(r.error?.kind).toBe('config');
    expect(r.reason).toBe(
      'config: environment variable BALLAST_TEST_UNSET is not set (the check reads ${env.BALLAST_TEST_UNSET}): set it for the process that runs the check (ballast serve or ballast check run)',
    );
    expect(received.length).toBe(before);
  });
});

describe('executeCheck: [CERTIFICATE_EXPIRATION] > 48h on real certificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-cert-expiry-'));
  const servers: tls.Server[] = [];
  const ports: Record<string, number> = {};

  /** A self-signed certificate for 127.0.0.1 valid for `days` days from now. */
  function selfSigned(name: string, days: number): { key: string; cert: string } {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, `${name}.key`),
        '-out',
        join(dir, `${name}.pem`),
        '-days',
        String(days),
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, `${name}.key`), 'utf8'),
      cert: readFileSync(join(dir, `${name}.pem`), 'utf8'),
    };
  }

  beforeAll(async () => {
    for (const [name, days] of [
      ['day', 1],
      ['month', 30],
    ] as const) {
      const server = tls.createServer(selfSigned(name, days), (s) => s.on('error', () => {}).end());
      server.on('tlsClientError', () => {});
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      servers.push(server);
      ports[name] = (server.address() as { port: number }).port;
    }
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const check = (name: string) =>
    definition(
      { type: 'tls', host: '127.0.0.1', port: ports[name] as number, tls: { verify: false } },
      { conditions: ['[CERTIFICATE_EXPIRATION] > 48h'] },
    );

  it('fails for a certificate that expires in about a day', async () => {
    const r = await executeCheck(check('day'), { artifactsDir: ARTIFACTS });
    expect(r.status).toBe('fail');
    expect(r.reason).toMatch(/^\[CERTIFICATE_EXPIRATION\] \(.+\) > 48h$/);
    expect(r.certificateChain).toHaveLength(1);
  });

  it('passes for a certificate valid for 30 days', async () => {
    const r = await executeCheck(check('month'), { artifactsDir: ARTIFACTS });
    expect(r.status).toBe('pass');
    expect(r.certificateNotAfter).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });
});
