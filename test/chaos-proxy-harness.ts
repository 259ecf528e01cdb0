/**
 * Helpers for the TCP fault proxy's integration tests: a TCP echo server, a
 * daemon on a free port with its log captured, and a client socket that
 * records what it receives and how it closed.
 */
import net, { type AddressInfo, type Socket } from 'node:net';
import {
  createFaultDaemon,
  type FaultDaemon,
  FaultDaemonClient,
  type FaultDaemonOptions,
} from '../src/chaos/daemon/index.ts';

export interface Echo {
  port: number;
  address: string;
  /** Connections the echo server accepted. */
  accepted: () => number;
  close: () => Promise<void>;
}

/** A TCP echo server on 127.0.0.1; it ends its side when the client does. */
export async function startEcho(): Promise<Echo> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    address: `127.0.0.1:${port}`,
    accepted: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface TestDaemon {
  daemon: FaultDaemon;
  client: FaultDaemonClient;
  lines: string[];
  close: () => Promise<void>;
}

/** A fault daemon on a free loopback port; its log lines are collected, not printed. */
export async function startDaemon(opts: FaultDaemonOptions = {}): Promise<TestDaemon> {
  const lines: string[] = [];
  const daemon = await createFaultDaemon({ port: 0, log: (l) => lines.push(l), ...opts });
  return { daemon, client: new FaultDaemonClient(daemon.url), lines, close: () => daemon.close() };
}

export interface Closed {
  /** performance.now() when the socket closed. */
  at: number;
  /** The error code the socket closed with (ECONNRESET), if any. */
  error?: string;
  /** The peer ended gracefully (FIN) before the close. */
  ended: boolean;
}

export interface Probe {
  socket: Socket;
  /** Each `data` event, as received. */
  chunks: Buffer[];
  received: () => Buffer;
  /** Resolves with everything received once at least `bytes` arrived; rejects after `timeoutMs`. */
  waitFor: (bytes: number, timeoutMs?: number) => Promise<Buffer>;
  closed: Promise<Closed>;
  /** Sends `data` and resolves with the milliseconds until as many bytes came back. */
  roundTrip: (data: string | Buffer, timeoutMs?: number) => Promise<number>;
}

/** Connects to `address` (`host:port`) and records everything. */
export async function probe(address: string): Promise<Probe> {
  const i = address.lastIndexOf(':');
  const socket = net.connect(Number(address.slice(i + 1)), address.slice(0, i).replace(/^\[|\]$/g, ''));
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  let total = 0;
  let ended = false;
  let error: string | undefined;
  const waiters: Array<() => void> = [];
  socket.on('data', (c: Buffer) => {
    chunks.push(c);
    total += c.length;
    for (const w of waiters.splice(0)) w();
  });
  socket.on('end', () => {
    ended = true;
  });
  socket.on('error', (e: NodeJS.ErrnoException) => {
    error = e.code ?? e.message;
  });
  const closed = new Promise<Closed>((resolve) =>
    socket.on('close', () => {
      resolve({ at: performance.now(), error, ended });
      for (const w of waiters.splice(0)) w();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const received = () => Buffer.concat(chunks);
  const waitFor = (bytes: number, timeoutMs = 5_000) =>
    new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`got ${total} of ${bytes} bytes in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = () => {
        if (total >= bytes) {
          clearTimeout(timer);
          resolve(received());
        } else if (socket.destroyed) {
          clearTimeout(timer);
          reject(new Error(`socket closed after ${total} of ${bytes} bytes`));
        } else waiters.push(check);
      };
      check();
    });
  const roundTrip = async (data: string | Buffer, timeoutMs?: number) => {
    const start = performance.now();
    const want = total + Buffer.byteLength(data);
    socket.write(data);
    await waitFor(want, timeoutMs);
    return performance.now() - start;
  };
  return { socket, chunks, received, waitFor, closed, roundTrip };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connecting fails (e.g. ECONNREFUSED): resolves with the error code. */
export async function connectError(address: string): Promise<string | undefined> {
  try {
    const p = await probe(address);
    // Accepted and then closed at once also counts as refusing service.
    const closed = await Promise.race([p.closed, sleep(1_000).then(() => undefined)]);
    p.socket.destroy();
    return closed ? (closed.error ?? 'closed') : undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code;
  }
}
