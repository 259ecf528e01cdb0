/**
 * A keep-alive connection pool for one origin with a hard cap on connections.
 * Requests go to an idle connection, else to a new one while under the cap,
 * else (with pipelining) to a connection with spare pipeline slots, else they
 * wait in a FIFO queue; `saturated` says the cap is reached while requests
 * wait, which the engine reports as a generator limit.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ErrorKind } from '../types.ts';
import { Connection, type ConnectionOwner, type Endpoint } from './connection.ts';
import { type DoneCallback, Pending, type PoolOptions, type RequestOutcome } from './outcome.ts';
import type { PreparedRequest } from './request.ts';

/**
 * HTTP/1.1 client pool for one origin (`http://host:port` or `https://host:port`).
 *
 * @example
 * const pool = new HttpPool(req.origin, { maxConnections: 50, pipelining: 1, timeoutMs: 5000, insecureSkipVerify: false, keepAlive: true });
 * pool.send(req, (o) => (o.ok ? record(o.status, o.doneAt - o.sentAt) : count(o.error)));
 * await pool.close();
 */
export class HttpPool implements ConnectionOwner {
  readonly timeoutMs: number;
  readonly keepAlive: boolean;
  closing = false;
  /** Requests that had to wait in the queue because every connection was busy (since creation). */
  queuedTotal = 0;
  /** Connections opened (since creation). */
  connectionsOpened = 0;
  private readonly origin: string;
  private readonly endpoint: Endpoint;
  private readonly maxConnections: number;
  private readonly pipelining: number;
  private readonly keepBody: boolean;
  private readonly keepHeaders: boolean;
  private readonly conns = new Set<Connection>();
  /** Connections whose sockets have not closed yet (close() waits for them). */
  private readonly sockets = new Set<Connection>();
  private socketWaiters: (() => void)[] = [];
  private readonly avail: Connection[] = [];
  private queue: Pending[] = [];
  private queueHead = 0;
  private readonly free: Pending[] = [];
  private flying = 0;

  constructor(origin: string, opts: PoolOptions) {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`unsupported protocol ${url.protocol}: use http or https`);
    }
    const secure = url.protocol === 'https:';
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.origin = `${url.protocol}//${url.hostname}:${url.port || (secure ? 443 : 80)}`;
    this.endpoint = {
      host,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      secure,
      servername: opts.servername ?? (net.isIP(host) === 0 ? host : undefined),
      rejectUnauthorized: !opts.insecureSkipVerify,
      ca: opts.ca,
    };
    this.maxConnections = Math.max(1, Math.floor(opts.maxConnections));
    this.keepAlive = opts.keepAlive;
    this.pipelining = opts.keepAlive ? Math.max(1, Math.floor(opts.pipelining)) : 1;
    this.timeoutMs = opts.timeoutMs;
    this.keepBody = opts.keepBody === true;
    this.keepHeaders = opts.keepHeaders === true;
  }

  /** Requests written to a connection (or being connected) and not yet answered. */
  get inFlight(): number {
    return this.flying;
  }

  /** Requests waiting for a connection. */
  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  get openConnections(): number {
    return this.conns.size;
  }

  /** The connection cap is reached while requests wait for a connection. */
  get saturated(): boolean {
    return this.queued > 0 && this.conns.size >= this.maxConnections;
  }

  /**
   * Sends a request; `done` is called exactly once with its outcome (never synchronously).
   * The outcome is valid only during that call (see `RequestOutcome`).
   * The request's origin must be this pool's.
   */
  send(req: PreparedRequest, done: DoneCallback): void {
    const p = this.free.pop() ?? new Pending();
    p.req = req;
    p.done = done;
    p.retries = 0;
    p.sentAt = 0;
    p.firstByteAt = 0;
    if (this.closing) {
      queueMicrotask(() => this.fail(p, 'other', 'the pool is closed', performance.now()));
      this.flying++;
      return;
    }
    if (req.origin !== this.origin) {
      queueMicrotask(() =>
        this.fail(p, 'other', `request for ${req.origin} sent to pool ${this.origin}`, performance.now()),
      );
      this.flying++;
      return;
    }
    this.dispatch(p);
  }

  /** Fails every queued and in-flight request (kind `other`) and closes all connections. */
  async close(): Promise<void> {
    this.closing = true;
    const now = performance.now();
    while (this.queued > 0) {
      const p = this.shiftQueue() as Pending;
      this.flying++;
      this.fail(p, 'other', 'the pool was closed', now);
    }
    for (const c of [...this.conns]) c.destroy('other', 'the pool was closed');
    if (this.sockets.size > 0) await new Promise<void>((resolve) => this.socketWaiters.push(resolve));
  }

  /** @internal */
  finish(p: Pending, o: RequestOutcome): void {
    this.flying--;
    const done = p.done as DoneCallback;
    this.recycle(p);
    done(o);
  }

  /** @internal */
  fail(p: Pending, kind: ErrorKind, message: string, now: number): void {
    const o: RequestOutcome =
      p.sentAt > 0
        ? { ok: false, error: kind, message, sentAt: p.sentAt, doneAt: now }
        : { ok: false, error: kind, message, doneAt: now };
    this.finish(p, o);
  }

  /** @internal */
  connectionFree(c: Connection): void {
    if (this.queued > 1 && this.pipelining > 1) {
      // Several requests for one connection: one write (writev) instead of one each.
      c.cork();
      while (this.queued > 0 && c.pending.length < this.pipelining && !c.dead) {
        this.flying++;
        c.enqueue(this.shiftQueue() as Pending);
      }
      c.uncork();
    }
    while (this.queued > 0 && c.pending.length < this.pipelining && !c.dead) {
      this.flying++;
      c.enqueue(this.shiftQueue() as Pending);
    }
    if (!c.dead && !c.inAvail && c.pending.length < this.pipelining) {
      c.inAvail = true;
      this.avail.push(c);
    }
  }

  /** @internal */
  connectionGone(c: Connection, retries: Pending[]): void {
    this.conns.delete(c);
    if (retries.length > 0) {
      this.flying -= retries.length;
      this.queue = [...retries, ...this.queue.slice(this.queueHead)];
      this.queueHead = 0;
    }
    this.pump();
  }

  /** @internal */
  socketClosed(c: Connection): void {
    this.sockets.delete(c);
    if (this.sockets.size === 0 && this.socketWaiters.length > 0) {
      const waiters = this.socketWaiters;
      this.socketWaiters = [];
      for (const w of waiters) w();
    }
  }

  private dispatch(p: Pending): void {
    const c = this.pick();
    if (c === undefined) {
      this.queue.push(p);
      this.queuedTotal++;
      return;
    }
    this.flying++;
    c.enqueue(p);
    if (c.pending.length < this.pipelining && !c.inAvail) {
      c.inAvail = true;
      this.avail.push(c);
    }
  }

  /** Idle connection first, then a new one under the cap, then a pipeline slot. */
  private pick(): Connection | undefined {
    let c: Connection | undefined;
    while (c === undefined && this.avail.length > 0) {
      c = this.avail.pop() as Connection;
      c.inAvail = false;
      if (c.dead || c.pending.length >= this.pipelining) c = undefined;
    }
    if (c !== undefined && c.pending.length === 0) return c;
    if (this.conns.size < this.maxConnections && !this.closing) {
      if (c !== undefined) {
        c.inAvail = true;
        this.avail.push(c);
      }
      return this.open();
    }
    return c;
  }

  private open(): Connection {
    const c = new Connection(this, this.endpoint, this.keepBody, this.keepHeaders);
    this.connectionsOpened++;
    this.conns.add(c);
    this.sockets.add(c);
    return c;
  }

  /** Moves queued requests onto connections while there is room. */
  private pump(): void {
    while (this.queued > 0 && !this.closing) {
      const c = this.pick();
      if (c === undefined) return;
      this.flying++;
      c.enqueue(this.shiftQueue() as Pending);
      if (c.pending.length < this.pipelining && !c.inAvail) {
        c.inAvail = true;
        this.avail.push(c);
      }
    }
  }

  private shiftQueue(): Pending | undefined {
    const p = this.queue[this.queueHead];
    if (p === undefined) return undefined;
    this.queue[this.queueHead] = undefined as unknown as Pending;
    this.queueHead++;
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    return p;
  }

  private recycle(p: Pending): void {
    p.req = undefined;
    p.done = undefined;
    if (this.free.length < 4096) this.free.push(p);
  }
}
