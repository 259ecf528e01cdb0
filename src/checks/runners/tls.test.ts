import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import dns from 'node:dns';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TlsCheckSpec, TlsOptions } from '../types.ts';
import { peerCertificates } from './certificates.ts';
import { describeVerifyError, runTlsCheck } from './tls.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_NAME = 'Ballast Test CA';

/**
 * Throwaway certificates made with the openssl CLI in a temp dir: a CA, and
 * leaves it signs with `openssl ca`, which (unlike `x509 -days` on OpenSSL
 * 3.0) can set validity dates in the past.
 */
class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'ballast-tls-check-'));
  readonly ca: string;

  constructor() {
    writeFileSync(join(this.dir, 'index.txt'), '');
    writeFileSync(join(this.dir, 'serial'), '1000\n');
    writeFileSync(
      join(this.dir, 'ca.cnf'),
      [
        '[ca]',
        'default_ca = test',
        '[test]',
        `database = ${join(this.dir, 'index.txt')}`,
        `new_certs_dir = ${this.dir}`,
        `serial = ${join(this.dir, 'serial')}`,
        'default_md = sha256',
        'policy = any',
        'copy_extensions = copy',
        'unique_subject = no',
        '[any]',
        'commonName = supplied',
        '',
      ].join('\n'),
    );
    this.openssl([
      'req',
      '-x509',
      ...this.newKey('ca.key'),
      '-days',
      '2',
      '-subj',
      `/CN=${CA_NAME}`,
      '-out',
      join(this.dir, 'ca.pem'),
    ]);
    this.ca = this.read('ca.pem');
  }

  /** A key and certificate for `cn` (SANs `san`), signed by the CA or self-signed. */
  issue(
    name: string,
    cn: string,
    san: string,
    validity: { days: number } | { start: string; end: string },
    selfSigned = false,
  ): { key: string; cert: string } {
    const file = (ext: string) => join(this.dir, `${name}.${ext}`);
    if (selfSigned) {
      this.openssl([
        'req',
        '-x509',
        ...this.newKey(`${name}.key`),
        '-days',
        String('days' in validity ? validity.days : 1),
        '-subj',
        `/CN=${cn}`,
        '-addext',
        `subjectAltName=${san}`,
        '-out',
        file('pem'),
      ]);
    } else {
      this.openssl([
        'req',
        '-new',
        ...this.newKey(`${name}.key`),
        '-subj',
        `/CN=${cn}`,
        '-addext',
        `subjectAltName=${san}`,
        '-out',
        file('csr'),
      ]);
      const dates =
        'days' in validity
          ? ['-days', String(validity.days)]
          : ['-startdate', validity.start, '-enddate', validity.end];
      this.openssl([
        'ca',
        '-batch',
        '-notext',
        '-config',
        join(this.dir, 'ca.cnf'),
        '-cert',
        join(this.dir, 'ca.pem'),
        '-keyfile',
        join(this.dir, 'ca.key'),
        ...dates,
        '-in',
        file('csr'),
        '-out',
        file('pem'),
      ]);
    }
    return { key: this.read(`${name}.key`), cert: this.read(`${name}.pem`) };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private newKey(file: string): string[] {
    return [
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(this.dir, file),
    ];
  }

  private read(file: string): string {
    return readFileSync(join(this.dir, file), 'utf8');
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { stdio: 'ignore' });
  }
}

interface TestServer {
  port: number;
  /** TCP connections accepted. */
  connections: number;
  /** SNI names the clients sent, in order (recorded during the handshake, before the client is done). */
  servernames: string[];
  /** CNs of client certificates the server accepted. */
  clients: string[];
  close: () => Promise<void>;
}

async function startTlsServer(options: tls.TlsOptions, host = '127.0.0.1'): Promise<TestServer> {
  const servernames: string[] = [];
  const clients: string[] = [];
  const sockets = new Set<net.Socket>();
  const SNICallback = (name: string, done: (err: Error | null, ctx?: tls.SecureContext) => void) => {
    servernames.push(name);
    done(null); // no context: the server's own
  };
  const server = tls.createServer({ ...options, SNICallback }, (socket) => {
    if (socket.authorized) clients.push(String(socket.getPeerCertificate().subject?.CN));
    socket.on('error', () => {});
  });
  const result: TestServer = {
    port: 0,
    connections: 0,
    servernames,
    clients,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  server.on('connection', (socket: net.Socket) => {
    result.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {});
  server.listen(0, host);
  await once(server, 'listening');
  result.port = (server.address() as net.AddressInfo).port;
  return result;
}

/** A plain TCP server: `onConnection` decides what it does instead of TLS. */
async function startTcpServer(onConnection: (socket: net.Socket) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: 0,
    servernames: [],
    clients: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

const notAfterOf = (pem: string) => new X509Certificate(pem).validToDate.getTime();

describe('runTlsCheck', () => {
  const pki = new TestPki();
  const SAN = 'DNS:localhost,IP:127.0.0.1';
  let localhost = '';
  const certs = {
    valid: { key: '', cert: '' },
    shortLived: { key: '', cert: '' },
    expired: { key: '', cert: '' },
    selfSigned: { key: '', cert: '' },
    otherName: { key: '', cert: '' },
    client: { key: '', cert: '' },
  };
  const servers: Record<string, TestServer> = {};

  beforeAll(async () => {
    certs.valid = pki.issue('valid', 'localhost', SAN, { days: 30 });
    certs.shortLived = pki.issue('short', 'localhost', SAN, { days: 1 });
    certs.expired = pki.issue('expired', 'localhost', SAN, {
      start: '20200101000000Z',
      end: '20200201000000Z',
    });
    certs.selfSigned = pki.issue('self', 'localhost', SAN, { days: 30 }, true);
    certs.otherName = pki.issue('other', 'other.example', 'DNS:other.example', { days: 30 });
    certs.client = pki.issue('client', 'ballast-probe', 'DNS:ballast-probe', { days: 30 });
    localhost = (await dns.promises.lookup('localhost')).address;

    servers.valid = await startTlsServer(certs.valid);
    servers.withChain = await startTlsServer({ ...certs.valid, cert: certs.valid.cert + pki.ca });
    servers.shortWithChain = await startTlsServer({
      ...certs.shortLived,
      cert: certs.shortLived.cert + pki.ca,
    });
    servers.validOnLocalhost = await startTlsServer(certs.valid, localhost);
    servers.shortLived = await startTlsServer(certs.shortLived);
    servers.expired = await startTlsServer(certs.expired);
    servers.selfSigned = await startTlsServer(certs.selfSigned);
    servers.otherName = await startTlsServer(certs.otherName);
    servers.mutual = await startTlsServer({
      ...certs.valid,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: true,
    });
    servers.plain = await startTcpServer((socket) => socket.end('SSH-2.0-not-tls\r\n'));
    servers.silent = await startTcpServer(() => {});
    servers.hangUp = await startTcpServer((socket) => socket.destroy());
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.close()));
    pki.remove();
  });

  const check = (server: string, tlsOptions: Partial<TlsOptions> = {}, host = '127.0.0.1'): TlsCheckSpec => ({
    type: 'tls',
    host,
    port: servers[server]!.port,
    tls: { verify: true, ...tlsOptions },
  });
  const NOW = Date.now();
  const ctx = { timeoutMs: 5000, now: () => NOW };

  it('passes for a certificate its CA vouches for, with phases and the expiry', async () => {
    const { connections, servernames } = servers.valid!;
    const sniBefore = servernames.length;
    const obs = await runTlsCheck(check('valid', { ca: pki.ca }), ctx);
    expect(obs.error).toBeUndefined();
    expect(obs.context.connected).toBe(true);
    expect(obs.context.ip).toBe('127.0.0.1');
    expect(obs.phases.resolve).toBe(0);
    expect(obs.phases.connect).toBeGreaterThanOrEqual(0);
    expect(obs.phases.tls).toBeGreaterThan(0);
    expect(obs.certificateNotAfter).toBe(notAfterOf(certs.valid.cert));
    expect(obs.context.certificateExpirationMs).toBe(notAfterOf(certs.valid.cert) - NOW);
    // An IP is not sent as SNI.
    expect(servers.valid!.connections).toBe(connections + 1);
    expect(servernames.length).toBe(sniBefore);
  });

  it('sends the host name as SNI and checks the certificate against it', async () => {
    const obs = await runTlsCheck(check('validOnLocalhost', { ca: pki.ca }, 'localhost'), ctx);
    expect(obs.error).toBeUndefined();
    expect(obs.context.ip).toBe(localhost);
    expect(obs.phases.resolve).toBeGreaterThan(0);
    expect(servers.validOnLocalhost!.servernames.at(-1)).toBe('localhost');
  });

  it('rejects a certificate whose CA is not trusted when verifying', async () => {
    const obs = await runTlsCheck(check('valid'), ctx);
    expect(obs.error?.kind).toBe('tls');
    expect(obs.error?.message).toContain('certificate rejected');
    expect(obs.certificateNotAfter).toBe(notAfterOf(certs.valid.cert));
  });

  it('rejects a self-signed certificate when verifying, still reporting its expiry', async () => {
    const obs = await runTlsCheck(check('selfSigned'), ctx);
    expect(obs.error?.kind).toBe('tls');
    expect(obs.error?.message).toContain('self-signed');
    expect(obs.context.certificateExpirationMs).toBe(notAfterOf(certs.selfSigned.cert) - NOW);
  });

  it('accepts a self-signed certificate with verify off, reporting its expiry', async () => {
    const obs = await runTlsCheck(check('selfSigned', { verify: false }), ctx);
    expect(obs.error).toBeUndefined();
    expect(obs.context.certificateExpirationMs).toBe(notAfterOf(certs.selfSigned.cert) - NOW);
    expect(obs.context.certificateExpirationMs).toBeGreaterThan(29 * DAY_MS);
  });

  it('reports a certificate expiring within a day as less than a day away', async () => {
    const obs = await runTlsCheck(check('shortLived', { ca: pki.ca }), { timeoutMs: 5000 });
    expect(obs.error).toBeUndefined();
    expect(obs.context.certificateExpirationMs).toBeGreaterThan(0);
    expect(obs.context.certificateExpirationMs).toBeLessThanOrEqual(DAY_MS);
  });

  it('rejects an expired certificate as expired, with a negative expiration', async () => {
    const obs = await runTlsCheck(check('expired', { ca: pki.ca }), ctx);
    expect(obs.error?.kind).toBe('tls');
    expect(obs.error?.message).toContain('expired');
    expect(obs.certificateNotAfter).toBe(Date.parse('2020-02-01T00:00:00Z'));
    expect(obs.context.certificateExpirationMs).toBe(Date.parse('2020-02-01T00:00:00Z') - NOW);
  });

  it('lets conditions judge an expired certificate when verify is off', async () => {
    const obs = await runTlsCheck(check('expired', { verify: false }), ctx);
    expect(obs.error).toBeUndefined();
    expect(obs.context.certificateExpirationMs).toBeLessThan(0);
  });

  it('rejects a certificate for another name as a hostname mismatch', async () => {
    const obs = await runTlsCheck(check('otherName', { ca: pki.ca, servername: 'localhost' }), ctx);
    expect(obs.error?.kind).toBe('tls');
    expect(obs.error?.message).toContain('hostname mismatch');
    expect(obs.error?.message).toContain('localhost');
  });

  it('rejects a certificate for another name when the host is an IP it does not list', async () => {
    const obs = await runTlsCheck(check('otherName', { ca: pki.ca }), ctx);
    expect(obs.error?.kind).toBe('tls');
    expect(obs.error?.message).toContain('hostname mismatch');
  });

  it('checks the certificate against the configured servername', async () => {
    const obs = await runTlsCheck(check('otherName', { ca: pki.ca, servername: 'other.example' }), ctx);
    expect(obs.error).toBeUndefined();
    expect(servers.otherName!.servernames.at(-1)).toBe('other.example');
  });

  it('presents the client certificate to a server that requires one', async () => {
    const before = servers.mutual!.clients.length;
    const obs = await runTlsCheck(check('mutual', { ca: pki.ca, clientCert: certs.client }), ctx);
    expect(obs.error).toBeUndefined();
    // The server records the client after its side of the handshake; give it a moment.
    for (let i = 0; i < 50 && servers.mutual!.clients.length === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(servers.mutual!.clients.slice(before)).toEqual(['ballast-probe']);
  });

  it('reports unusable client certificate options as a config error', async () => {
    const obs = await runTlsCheck(
      check('mutual', { clientCert: { cert: 'not a pem', key: 'not a key' } }),
      ctx,
    );
    expect(obs.error?.kind).toBe('config');
  });

  it('reports a server that does not speak TLS as a tls error', async () => {
    const obs = await runTlsCheck(check('plain', { verify: false }), ctx);
    expect(obs.error?.kind).toBe('tls');
    expect(obs.error?.message).toContain('TLS handshake failed');
    expect(obs.context.connected).toBe(true);
    expect(obs.certificateNotAfter).toBeUndefined();
  });

  it('reports a server that hangs up during the handshake as a tls error', async () => {
    const obs = await runTlsCheck(check('hangUp'), ctx);
    expect(obs.error?.kind).toBe('tls');
    expect(obs.error?.message).toContain('TLS handshake failed');
  });

  it('times out when the server never answers the handshake', async () => {
    const obs = await runTlsCheck(check('silent'), { timeoutMs: 300 });
    expect(obs.error?.kind).toBe('timeout');
    expect(obs.error?.message).toContain('TLS handshake');
    expect(obs.context.responseTimeMs).toBeGreaterThanOrEqual(250);
    expect(obs.context.responseTimeMs).toBeLessThan(3000);
  });

  it('reports a refused port as a connect error with connected false', async () => {
    const gone = await startTcpServer(() => {});
    await gone.close();
    const obs = await runTlsCheck(
      { type: 'tls', host: '127.0.0.1', port: gone.port, tls: { verify: true } },
      ctx,
    );
    expect(obs.error?.kind).toBe('connect');
    expect(obs.context.connected).toBe(false);
  });

  it('reports the chain the server presented, and expires with its earliest certificate (the CA here)', async () => {
    const obs = await runTlsCheck(check('withChain', { ca: pki.ca }), ctx);
    expect(obs.error).toBeUndefined();
    expect(obs.certificateChain).toEqual([
      { subject: 'CN=localhost', issuer: `CN=${CA_NAME}`, notAfter: notAfterOf(certs.valid.cert) },
      { subject: `CN=${CA_NAME}`, issuer: `CN=${CA_NAME}`, notAfter: notAfterOf(pki.ca) },
    ]);
    // The CA (2 days) lapses before the leaf (30 days): that is when the site breaks.
    expect(notAfterOf(pki.ca)).toBeLessThan(notAfterOf(certs.valid.cert));
    expect(obs.certificateNotAfter).toBe(notAfterOf(pki.ca));
    expect(obs.context.certificateExpirationMs).toBe(notAfterOf(pki.ca) - NOW);
  });

  it('expires with the leaf when the leaf lapses before the CA it presents', async () => {
    const obs = await runTlsCheck(check('shortWithChain', { ca: pki.ca }), ctx);
    expect(obs.certificateChain?.map((c) => c.subject)).toEqual(['CN=localhost', `CN=${CA_NAME}`]);
    expect(notAfterOf(certs.shortLived.cert)).toBeLessThan(notAfterOf(pki.ca));
    expect(obs.certificateNotAfter).toBe(notAfterOf(certs.shortLived.cert));
  });

  it('counts only presented certificates, not the trusted CA Node completes the chain with', async () => {
    const obs = await runTlsCheck(check('valid', { ca: pki.ca }), ctx);
    expect(obs.certificateChain).toEqual([
      { subject: 'CN=localhost', issuer: `CN=${CA_NAME}`, notAfter: notAfterOf(certs.valid.cert) },
    ]);
    expect(obs.certificateNotAfter).toBe(notAfterOf(certs.valid.cert));
  });

  it('walks the presented chain of a live socket: the leaf, then the CA the server sent', async () => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: servers.withChain!.port,
      ca: pki.ca,
      servername: 'localhost',
    });
    socket.on('error', () => {});
    await once(socket, 'secureConnect');
    const { leaf, chain } = peerCertificates(socket);
    socket.destroy();
    expect(chain.map((c) => c.subject)).toEqual(['CN=localhost', `CN=${CA_NAME}`]);
    // Read before the chain: Node's X509 accessor would have taken the leaf away.
    expect(leaf.subject?.CN).toBe('localhost');
  });
});

describe('describeVerifyError', () => {
  it.each([
    {
      name: 'an expired certificate says so',
      code: 'CERT_HAS_EXPIRED',
      expected: 'certificate has expired (CERT_HAS_EXPIRED)',
    },
    {
      name: 'a self-signed leaf says so',
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      expected: 'self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    },
    { name: 'an unknown code is kept as it is', code: 'SOMETHING_NEW', expected: 'SOMETHING_NEW' },
  ])('$name', ({ code, expected }) => {
    expect(describeVerifyError(code)).toBe(expected);
  });
});
