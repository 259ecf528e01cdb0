/**
 * Helpers for the HTTP and multistep runners' tests: servers on loopback,
 * throwaway certificates made by openssl, a port nothing listens on, and a
 * tiny DNS server on loopback (so name failures never leave the machine).
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { closeServer, listen } from '../../../../test/helpers/servers.ts';
import type { HttpCheckSpec, TlsOptions } from '../../types.ts';
import type { HostLookup } from './connector.ts';

export { closeServer, listen };

/** A raw TCP server on 127.0.0.1 whose `close` also destroys the sockets it accepted. */
export async function rawServer(
  onSocket: (socket: Socket) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  const port = await listen(server);
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await closeServer(server);
    },
  };
}

/** A loopback port that was just bound and released: connecting to it is refused. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

/** An HTTP check spec with test defaults, overridden by `over`. */
export function httpSpec(url: string, over: Partial<HttpCheckSpec> = {}): HttpCheckSpec {
  return {
    type: 'http',
    request: { method: 'GET', url, headers: {} },
    followRedirects: true,
    maxRedirects: 5,
    tls: { verify: true },
    maxBodyBytes: 1024 * 1024,
    ...over,
  };
}

export const insecure: TlsOptions = { verify: false };

export interface Pem {
  cert: string;
  key: string;
}

export interface TestCertificates {
  /** Self-signed, for localhost and 127.0.0.1, valid for two days. */
  selfSigned: Pem;
  /** The self-signed certificate's key, re-signed with notAfter a day before notBefore. */
  expired: Pem;
  /** A test CA and certificates it issued: a server one (localhost, 127.0.0.1) and a client one. */
  ca: Pem;
  server: Pem;
  client: Pem;
  /** Removes the temporary directory. */
  remove(): void;
}

/** Makes fresh certificates with the openssl CLI in a temporary directory. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-http-check-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const read = (name: string): Pem => ({
    cert: readFileSync(file(`${name}.pem`), 'utf8'),
    key: readFileSync(file(`${name}.key`), 'utf8'),
  });

  openssl(
    'req',
    '-x509',
    ...ecKey,
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    file('self.key'),
    '-out',
    file('self.pem'),
  );
  // Negative days put notAfter before now: the same certificate, expired.
  openssl(
    'x509',
    '-in',
    file('self.pem'),
    '-signkey',
    file('self.key'),
    '-days',
    '-1',
    '-out',
    file('expired.pem'),
  );
  writeFileSync(file('expired.key'), readFileSync(file('self.key')));

  openssl(
    'req',
    '-x509',
    ...ecKey,
    '-days',
    '2',
    '-subj',
    '/CN=Ballast Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  );
  const issue = (name: string, subject: string, extensions: string, serial: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'req',
      '-new',
      ...ecKey,
      '-subj',
      subject,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
    );
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-set_serial',
      serial,
      '-days',
      '2',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.pem`),
    );
  };
  issue(
    'server',
    '/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
    '2',
  );
  issue('client', '/CN=ballast-check', 'extendedKeyUsage=clientAuth\n', '3');

  return {
    selfSigned: read('self'),
    expired: read('expired'),
    ca: read('ca'),
    server: read('server'),
    client: read('client'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TestDnsServer {
  port: number;
  /** Resolves through this server only (A records). */
  lookup: HostLookup;
  /** Names asked, in order. */
  queries: string[];
  close(): Promise<void>;
}

/**
 * A DNS server on 127.0.0.1 answering A records from `records`, nothing at all
 * for the names in `silent` (a resolver that hangs), and NXDOMAIN otherwise.
 */
export async function startDnsServer(
  records: Record<string, string>,
  silent: string[] = [],
): Promise<TestDnsServer> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (message, peer) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (question === undefined) return;
    queries.push(question.name);
    if (silent.includes(question.name.toLowerCase())) return;
    const address = records[question.name.toLowerCase()];
    const found = address !== undefined && question.type === 'A';
    const NXDOMAIN = 3;
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (address === undefined ? NXDOMAIN : 0),
      questions: [question],
      answers: found ? [{ type: 'A', name: question.name, ttl: 60, data: address }] : [],
    });
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return {
    port,
    queries,
    lookup: async (hostname) => {
      const [address] = await resolver.resolve4(hostname);
      if (address === undefined)
        throw Object.assign(new Error(`no address for ${hostname}`), { code: 'ENODATA' });
      return address;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
