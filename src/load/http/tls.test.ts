import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoolOptions, RequestOutcome } from './outcome.ts';
import { HttpPool } from './pool.ts';
import { buildRequest } from './request.ts';
import { closeServer, listen, sendSequential, testOptions } from './testing.ts';

describe('HttpPool over TLS', () => {
  let dir = '';
  let cert = '';
  let port = 0;
  let server: https.Server;
  const servernames: (string | false | null)[] = [];
  let connections = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ballast-tls-'));
    // A throwaway self-signed certificate for localhost, made fresh for this run.
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
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      servernames.push((req.socket as TLSSocket).servername);
      res.end(`secure ${req.url}`);
    });
    server.on('secureConnection', () => connections++);
    port = await listen(server);
  });
  afterAll(async () => {
    await closeServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  async function twice(opts: Partial<PoolOptions>): Promise<RequestOutcome[]> {
    const url = `https://127.0.0.1:${port}/tls`;
    const pool = new HttpPool(url, { ...testOptions, keepBody: true, ...opts });
    const outcomes = await sendSequential(pool, buildRequest({ method: 'GET', url, headers: {} }), 2);
    await pool.close();
    return outcomes;
  }
  const summary = (o: RequestOutcome) => (o.ok ? `${o.status} ${o.body?.toString()}` : o.error);

  const cases: { name: string; opts: Partial<PoolOptions>; expected: string; servername?: string | false }[] =
    [
      { name: 'an unverifiable self-signed certificate fails with tls', opts: {}, expected: 'tls' },
      {
        name: 'insecureSkipVerify accepts the self-signed certificate',
        opts: { insecureSkipVerify: true },
        expected: '200 secure /tls',
        servername: false,
      },
      {
        name: 'the certificate verifies when its CA is trusted and SNI names the host',
        opts: { servername: 'localhost', ca: 'CERT' },
        expected: '200 secure /tls',
        servername: 'localhost',
      },
      {
        name: 'a trusted certificate for another name fails with tls',
        opts: { servername: 'other.example', ca: 'CERT' },
        expected: 'tls',
      },
    ];
  for (const c of cases) {
    it(c.name, async () => {
      servernames.length = 0;
      const before = connections;
      const opts = c.opts.ca === 'CERT' ? { ...c.opts, ca: cert } : c.opts;
      const outcomes = await twice(opts);
      expect(outcomes.map(summary)).toEqual([c.expected, c.expected]);
      if (c.servername !== undefined) {
        expect(servernames).toEqual([c.servername, c.servername]);
        // Both requests went over one kept-alive TLS connection.
        expect(connections - before).toBe(1);
      }
    });
  }
});
