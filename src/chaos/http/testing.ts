/**
 * A real upstream for the HTTP fault mode's tests (not part of the public face):
 * a node:http server on loopback that echoes what it received, streams large
 * bodies, holds responses open on request, and records what reached it.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the echo route answers with: the request as the upstream saw it. */
export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  bodyBytes: number;
  sha256: string;
}

/** A running test upstream. */
export interface TestUpstream {
  url: string;
  port: number;
  /** Paths (with query) of every request that reached the upstream, in arrival order. */
  hits: string[];
  /** Paths of requests whose connection closed before the upstream finished answering. */
  cutShort: string[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Ends every response `/hold` keeps open. */
  release(): void;
  /** Resolves when the first chunk of an `/upload` body has reached the upstream. */
  firstUploadChunk(): Promise<void>;
  close(): Promise<void>;
}

/** `bytes` of a fixed pattern, the same on both sides of a test. */
export function patternChunk(offset: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = ((offset + i) * 31 + 7) & 0xff;
  return b;
}

/** sha256 (hex) of `bytes` bytes of the pattern. */
export function patternSha256(bytes: number): string {
  const h = createHash('sha256');
  for (let off = 0; off < bytes; off += 65536) h.update(patternChunk(off, Math.min(65536, bytes - off)));
  return h.digest('hex');
}

/**
 * Routes: `/big?bytes=N` streams N pattern bytes (chunked, with backpressure);
 * `/hold` sends "first\n" and the rest only after `release()`; `/slow?ms=N`
 * answers after N ms; `/upload` reports the body after it ends and marks its first
 * chunk; anything else echoes the request as JSON (`?status=` sets the status) with
 * `x-upstream: yes` and two `set-cookie` headers.
 */
export async function startUpstream(): Promise<TestUpstream> {
  const hits: string[] = [];
  const cutShort: string[] = [];
  const held = new Set<ServerResponse>();
  let uploadStarted: () => void = () => {};
  let uploadChunk = new Promise<void>((resolve) => (uploadStarted = resolve));

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    hits.push(`${url.pathname}${url.search}`);
    res.on('close', () => {
      if (!res.writableFinished) cutShort.push(url.pathname);
    });
    if (url.pathname === '/big') return streamBig(res, Number(url.searchParams.get('bytes') ?? 0));
    if (url.pathname === '/hold') {
      held.add(res);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first\n');
      return;
    }
    if (url.pathname === '/slow') {
      const timer = setTimeout(() => res.end('slow'), Number(url.searchParams.get('ms') ?? 1000));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (url.pathname === '/upload') req.once('data', () => uploadStarted());
    return echo(req, res, Number(url.searchParams.get('status') ?? 200));
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    cutShort,
    connections: () => connections,
    release() {
      for (const res of held) res.end('last\n');
      held.clear();
    },
    async firstUploadChunk() {
      await uploadChunk;
      uploadChunk = new Promise<void>((resolve) => (uploadStarted = resolve));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function echo(req: IncomingMessage, res: ServerResponse, status: number): void {
  const hash = createHash('sha256');
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
  });
  req.on('end', () => {
    const body: Echo = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      bodyBytes: bytes,
      sha256: hash.digest('hex'),
    };
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-upstream': 'yes',
      'set-cookie': ['a=1; Path=/', 'b=2; Path=/'],
    });
    res.end(JSON.stringify(body));
  });
}

function streamBig(res: ServerResponse, bytes: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  let offset = 0;
  const pump = () => {
    while (offset < bytes) {
      const n = Math.min(65536, bytes - offset);
      const ok = res.write(patternChunk(offset, n));
      offset += n;
      if (!ok) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}
