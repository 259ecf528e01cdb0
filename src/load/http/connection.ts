/**
 * One client connection: writes requests (pipelined up to the pool's limit),
 * matches responses to them in order, and on any failure decides what each
 * request on it came to. The pool owns the queue; a connection only knows
 * the requests written (or about to be written) to it.
 *
 * Failure rules (documented for the summary's error counts):
 * - the oldest request gets the failure's own kind (timeout, bad_response,
 *   closed_mid_response once its response began, reset, or the connect kind);
 * - the requests pipelined behind it fail with `reset` (they were written but
 *   the connection is gone), except that a request on a *reused* keep-alive
 *   connection that got no byte of its answer is re-sent once on a new
 *   connection when its method is idempotent: that is the race of a server
 *   closing an idle connection just as we write to it;
 * - while connecting (TCP or TLS) every request on it gets the connect kind.
 *
 * Hot path: plain TCP reads go through `onread` into one buffer shared by
 * every connection of the thread (no Readable stream, no Buffer per read; the
 * parser copies whatever must outlive the read), straight from the libuv
 * handle when Node allows it (direct-read.ts), plain TCP writes go through
 * the libuv handle likewise (direct-write.ts), and each connection reuses
 * one `ok: true` outcome record (the `done` callback must read it at once).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import type { ErrorKind } from '../types.ts';
import { readDirectly } from './direct-read.ts';
import { directWriter, type StreamHandle, writeError } from './direct-write.ts';
import { classifySocketError } from './errors.ts';
import type { Pending, RequestOutcome } from './outcome.ts';
import { NEED_MORE, PARSE_ERROR, ResponseParser } from './parser.ts';

/** Where and how to connect. */
export interface Endpoint {
  host: string;
  port: number;
  secure: boolean;
  servername: string | undefined;
  rejectUnauthorized: boolean;
  ca: string | Buffer | undefined;
}

/** The pool, as a connection sees it. */
export interface ConnectionOwner {
  readonly timeoutMs: number;
  readonly keepAlive: boolean;
  readonly closing: boolean;
  finish(p: Pending, o: RequestOutcome): void;
  fail(p: Pending, kind: ErrorKind, message: string, now: number): void;
  /** The connection can take more requests. */
  connectionFree(c: Connection): void;
  /** The connection is dead; `retries` go back to the front of the queue. */
  connectionGone(c: Connection, retries: Pending[]): void;
  /** The socket has fully closed. */
  socketClosed(c: Connection): void;
}

type Outcome = ErrorKind | 'retry';

/**
 * The read buffer of every plain-TCP connection of this thread. Sharing is safe:
 * libuv reads into it and the callback consumes it synchronously, before any
 * other read. 64 KiB, like a stream's default read size.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** The timestamp of the read callback running now (0 outside one); see `write`. */
let callbackNow = 0;

/** The reused success record of one connection. */
interface OkOutcome {
  ok: true;
  status: number;
  headers: Record<string, string>;
  body: Buffer | undefined;
  bytes: number;
  sentAt: number;
  firstByteAt: number;
  doneAt: number;
}

export class Connection {
  /** Requests written (or waiting for the connect) in order; the first is being answered. */
  pending: Pending[] = [];
  dead = false;
  /** Sitting in the pool's stack of connections with spare capacity. */
  inAvail = false;
  private readonly owner: ConnectionOwner;
  private readonly socket: net.Socket;
  private readonly parser: ResponseParser;
  private readonly secure: boolean;
  private connected = false;
  private ready = false;
  private served = 0;
  private readonly startedAt = performance.now();
  private timer: NodeJS.Timeout | undefined;
  /** Plain TCP with direct writes available: the socket's libuv handle once connected (see direct-write.ts). */
  private handle: StreamHandle | undefined;
  /** Inside `cork()`: writes go through the stream so they leave as one writev. */
  private corked = false;
  /** Some write went through the stream (which may still hold its bytes). */
  private streamWrites = false;
  private readonly outcome: OkOutcome = {
    ok: true,
    status: 0,
    headers: {},
    body: undefined,
    bytes: 0,
    sentAt: 0,
    firstByteAt: 0,
    doneAt: 0,
  };

  constructor(owner: ConnectionOwner, ep: Endpoint, keepBody: boolean, keepHeaders: boolean) {
    this.owner = owner;
    this.secure = ep.secure;
    this.parser = new ResponseParser(keepBody, keepHeaders);
    const socket = ep.secure
      ? tls.connect({
          host: ep.host,
          port: ep.port,
          servername: ep.servername,
          rejectUnauthorized: ep.rejectUnauthorized,
          ca: ep.ca,
          ALPNProtocols: ['http/1.1'],
        })
      : net.connect({
          host: ep.host,
          port: ep.port,
          onread: { buffer: READ_BUFFER, callback: this.onRead },
        });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.connected = true;
      if (!this.secure) this.onReady();
    });
    if (ep.secure) socket.on('secureConnect', () => this.onReady());
    if (ep.secure) socket.on('data', (buf: Buffer) => this.onData(buf, buf.length));
    socket.on('end', () => this.onEof());
    socket.on('error', (err: NodeJS.ErrnoException) => this.onError(err));
    socket.on('close', () => {
      this.onEof();
      owner.socketClosed(this);
    });
  }

  /** Takes a request; writes it now if the connection is ready, else on connect. */
  enqueue(p: Pending): void {
    this.pending.push(p);
    if (this.ready) this.write(p);
    if (this.timer === undefined && this.owner.timeoutMs > 0) {
      this.timer = setTimeout(this.onTimer, this.owner.timeoutMs);
    }
  }

  /** Destroys the connection, failing whatever is on it. */
  destroy(kind: ErrorKind, message: string): void {
    this.terminate(kind, kind, message);
  }

  /** Buffers the following writes until `uncork` (several pipelined requests in one write). */
  cork(): void {
    this.corked = true;
    this.socket.cork();
  }

  uncork(): void {
    this.corked = false;
    this.socket.uncork();
  }

  private write(p: Pending): void {
    // Inside a read callback the request goes out within a microsecond or two of the
    // callback's timestamp: reuse it (service time may read that much longer, never shorter).
    p.sentAt = callbackNow > 0 ? callbackNow : performance.now();
    const bytes = (p.req as { bytes: Buffer }).bytes;
    const h = this.handle;
    // Direct only while the stream holds nothing of ours: its buffered bytes must go first.
    if (h !== undefined && !this.corked && (!this.streamWrites || this.socket.writableLength === 0)) {
      const err = (directWriter as NonNullable<typeof directWriter>).write(h, bytes, this.onWriteError);
      if (err !== 0) {
        // Like socket.write: report the failure later, never from inside send().
        this.handle = undefined;
        process.nextTick(this.onWriteError, writeError(err));
      }
      return;
    }
    this.streamWrites = true;
    this.socket.write(bytes);
  }

  private readonly onWriteError = (err: NodeJS.ErrnoException): void => {
    this.onError(err);
  };

  private onReady(): void {
    this.ready = true;
    if (directWriter !== undefined && !this.secure) this.handle = directWriter.handleOf(this.socket);
    if (!this.secure) readDirectly(this.socket, this.onBytes);
    if (this.pending.length > 1) this.cork();
    for (const p of this.pending) this.write(p);
    if (this.pending.length > 1) this.uncork();
  }

  private readonly onBytes = (n: number): void => {
    this.onData(READ_BUFFER, n);
  };

  private readonly onRead = (n: number, buf: Uint8Array): boolean => {
    this.onData(buf as Buffer, n);
    return true; // keep reading (false would pause the socket)
  };

  /** Bytes `[0, end)` of `buf` arrived (`buf` may be reused after this returns). */
  private onData(buf: Buffer, end: number): void {
    const now = performance.now();
    callbackNow = now;
    try {
      this.consume(buf, end, now);
    } finally {
      callbackNow = 0;
    }
  }

  private consume(buf: Buffer, end: number, now: number): void {
    let off = 0;
    while (off < end && !this.dead) {
      const head = this.pending[0];
      if (head === undefined) {
        this.terminate('bad_response', 'reset', 'data from the server with no request outstanding');
        return;
      }
      if (head.firstByteAt === 0) head.firstByteAt = now;
      this.parser.headRequest = head.req?.head === true;
      const r = this.parser.execute(buf, off, end);
      if (r === NEED_MORE) return;
      if (r === PARSE_ERROR) {
        this.terminate('bad_response', 'reset', `unparseable response: ${this.parser.error}`);
        return;
      }
      off = r;
      this.complete(now);
    }
  }

  /** The oldest request got its full response. */
  private complete(now: number): void {
    // pop() when it is the only one: shift() on an array costs ~50 ns, a tenth of the client's own work per request.
    const p = (this.pending.length === 1 ? this.pending.pop() : this.pending.shift()) as Pending;
    const parser = this.parser;
    const outcome = this.outcome;
    outcome.status = parser.status;
    outcome.headers = parser.headers;
    outcome.body = parser.body();
    outcome.bytes = parser.bytes;
    outcome.sentAt = p.sentAt;
    outcome.firstByteAt = p.firstByteAt;
    outcome.doneAt = now;
    const close = parser.shouldClose || !this.owner.keepAlive;
    parser.reset();
    this.served++;
    // Free the connection before the callback, so a send from inside it reuses this connection.
    if (close) this.terminate('retry', 'retry', 'the server closed the connection');
    else this.owner.connectionFree(this);
    this.owner.finish(p, outcome);
  }

  private onEof(): void {
    if (this.dead) return;
    if (this.parser.finishOnEof() && this.pending.length > 0) {
      this.complete(performance.now());
      if (this.dead) return;
    }
    if (!this.ready) {
      const kind = this.secure && this.connected ? 'tls' : 'reset';
      this.terminate(kind, kind, 'the server closed the connection while connecting');
      return;
    }
    const head = this.parser.started ? 'closed_mid_response' : 'retry';
    this.terminate(head, 'retry', 'the server closed the connection before the response completed');
  }

  private onError(err: NodeJS.ErrnoException): void {
    if (this.dead) return;
    const kind = classifySocketError(err, {
      connected: this.connected,
      handshaking: this.secure && !this.ready,
      responding: this.parser.started,
    });
    const message = err.code ? `${err.code}: ${err.message}` : err.message;
    if (!this.ready) this.terminate(kind, kind, message);
    else this.terminate(kind, kind === 'reset' ? 'retry' : 'reset', message);
  }

  /** Per-connection lazy deadline: one timer, re-armed for the oldest request's remaining time. */
  private readonly onTimer = (): void => {
    this.timer = undefined;
    const head = this.pending[0];
    if (this.dead || head === undefined) return;
    const since = this.ready ? head.sentAt : this.startedAt;
    const left = since + this.owner.timeoutMs - performance.now();
    if (left > 1) {
      this.timer = setTimeout(this.onTimer, left);
      return;
    }
    const what = this.ready ? 'response' : 'connect';
    const message = `no complete ${what} within ${this.owner.timeoutMs} ms`;
    this.terminate('timeout', this.ready ? 'reset' : 'timeout', message);
  };

  /** Kills the socket and settles every request on it (see the module comment). */
  private terminate(headKind: Outcome, restKind: Outcome, message: string): void {
    if (this.dead) return;
    this.dead = true;
    this.handle = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.socket.destroy();
    const list = this.pending;
    this.pending = [];
    const retries: Pending[] = [];
    const now = performance.now();
    for (let i = 0; i < list.length; i++) {
      const p = list[i] as Pending;
      let kind = i === 0 ? headKind : restKind;
      if (kind === 'retry') {
        if (this.served > 0 && p.req?.idempotent && p.retries === 0 && !this.owner.closing) {
          p.retries++;
          p.sentAt = 0;
          p.firstByteAt = 0;
          retries.push(p);
          continue;
        }
        kind = 'reset';
      }
      this.owner.fail(p, kind, message, now);
    }
    this.owner.connectionGone(this, retries);
  }
}
