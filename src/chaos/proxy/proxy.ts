/**
 * One TCP proxy: a listener, its live connections, and its toxics per stream.
 * The upstream is dialled (and its name resolved) at each accepted connection;
 * when that fails the client is closed and the failure counted. A disabled
 * proxy has no listener, and disabling drops its connections, as Toxiproxy.
 * Changes to the toxics reach live connections at once.
 */
import net, { type Server, type Socket } from 'node:net';
import { formatHostPort, parseHostPort } from './address.ts';
import { Connection } from './connection.ts';
import { ProxyApiError } from './errors.ts';
import { adoptWithOnread, chunkReader } from './reader.ts';
import type { ProxyConfig, ProxyInfo, ProxyStats, Stream, Toxic, ToxicOf } from './types.ts';

/** A dial that has not connected by then counts as an upstream failure. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface ProxyOptions {
  /** One line per notable event (upstream failures). */
  log: (line: string) => void;
  random: () => number;
}

export class TcpProxy {
  readonly name: string;
  /** As configured; may have port 0, which {@link listen} replaces with the bound port once started. */
  configuredListen: string;
  listen: string;
  upstream: string;
  enabled = false;
  private readonly toxicsBy: Record<Stream, Toxic[]> = { upstream: [], downstream: [] };
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  /** Clients accepted whose upstream dial is under way. */
  private readonly dialling = new Set<Socket>();
  /** Clients held by a `loss` toxic in stall mode, per toxic name. */
  private readonly stalls = new Map<string, Set<Socket>>();
  private readonly counters: ProxyStats = {
    connections_total: 0,
    connections_active: 0,
    upstream_errors: 0,
    dropped: 0,
    stalled: 0,
  };
  private readonly opts: ProxyOptions;

  /** A stopped proxy; {@link start} binds it. */
  constructor(config: ProxyConfig, opts: ProxyOptions) {
    this.name = config.name;
    this.configuredListen = config.listen;
    this.listen = config.listen;
    this.upstream = config.upstream;
    this.opts = opts;
  }

  info(): ProxyInfo {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      toxics: this.toxics(),
    };
  }

  stats(): ProxyStats {
    let stalled = 0;
    for (const set of this.stalls.values()) stalled += set.size;
    return { ...this.counters, connections_active: this.connections.size + this.dialling.size + stalled };
  }

  /** Upstream toxics first, then downstream, each in the order added (Toxiproxy's listing). */
  toxics(): Toxic[] {
    return [...this.toxicsBy.upstream, ...this.toxicsBy.downstream];
  }

  toxic(name: string): Toxic | undefined {
    return this.toxics().find((t) => t.name === name);
  }

  /** True when `listen` names the address this proxy is configured with or bound to. */
  listensOn(listen: string): boolean {
    return listen === this.listen || listen === this.configuredListen;
  }

  /** Binds the listener (no-op when enabled). Rejects with a 500 ProxyApiError naming the address. */
  async start(): Promise<void> {
    if (this.enabled) return;
    this.adopt(await this.bind(this.listen));
  }

  /**
   * Binds a listener on `listen` without taking it into use, so a caller can
   * bind everything it needs before changing anything ({@link adopt}).
   */
  async bind(listen: string): Promise<Server> {
    const address = parseHostPort(listen, true);
    if (!address.ok) throw new ProxyApiError(`listen ${listen}: ${address.error}`, 400);
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => this.accept(c));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        const why = err.code === 'EADDRINUSE' ? 'bind: address already in use' : err.message;
        // 500, as Toxiproxy answers a failed listen.
        reject(new ProxyApiError(`listen tcp ${listen}: ${why}`, 500));
      });
      server.listen({ host: address.value.host, port: address.value.port }, () => resolve());
    });
    return server;
  }

  /** Takes a listener from {@link bind} into use; the proxy is enabled on its bound address. */
  adopt(server: Server): void {
    const bound = server.address() as net.AddressInfo;
    server.removeAllListeners('error');
    server.on('error', (err) => this.opts.log(`proxy ${this.name}: listener error: ${err.message}`));
    this.server = server;
    this.listen = formatHostPort({ host: bound.address, port: bound.port });
    this.enabled = true;
  }

  /** Closes the listener and drops every connection (Toxiproxy's disable). */
  stop(): void {
    this.server?.close();
    this.server = undefined;
    this.enabled = false;
    this.dropConnections();
  }

  /** Drops every connection, keeping the listener (a new upstream). */
  dropConnections(): void {
    for (const c of this.connections) c.destroy();
    for (const s of this.dialling) s.destroy();
    for (const set of this.stalls.values()) for (const s of set) s.destroy();
  }

  addToxic(toxic: Toxic): void {
    this.toxicsBy[toxic.stream].push(toxic);
    for (const c of this.connections) c.link(toxic.stream).add(toxic);
  }

  updateToxic(toxic: Toxic): void {
    const list = this.toxicsBy[toxic.stream];
    const i = list.findIndex((t) => t.name === toxic.name);
    if (i < 0) return;
    list[i] = toxic;
    for (const c of this.connections) c.link(toxic.stream).update(toxic);
  }

  /** Removes a toxic from the proxy and every live connection; returns it, or undefined. */
  removeToxic(name: string): Toxic | undefined {
    for (const stream of ['upstream', 'downstream'] as const) {
      const list = this.toxicsBy[stream];
      const i = list.findIndex((t) => t.name === name);
      if (i < 0) continue;
      const [toxic] = list.splice(i, 1) as [Toxic];
      for (const c of this.connections) c.link(stream).remove(name);
      this.releaseStalls(name);
      return toxic;
    }
    return undefined;
  }

  /** Stalled clients never reached the upstream: once their toxic goes, they are closed. */
  private releaseStalls(name: string): void {
    const set = this.stalls.get(name);
    if (!set) return;
    this.stalls.delete(name);
    for (const s of set) s.end(() => s.destroy());
  }

  /** Rolls every `loss` toxic for a new connection; the first that hits decides. */
  private rollLoss(): ToxicOf<'loss'> | undefined {
    for (const t of this.toxics()) {
      if (t.type === 'loss' && this.opts.random() < t.toxicity * t.attributes.probability) return t;
    }
    return undefined;
  }

  private accept(accepted: Socket): void {
    this.counters.connections_total++;
    const upload = chunkReader();
    const { socket: client, adopted } = adoptWithOnread(accepted, upload.onread);
    client.on('error', () => client.destroy());
    const loss = this.rollLoss();
    if (loss?.attributes.mode === 'drop') {
      this.counters.dropped++;
      client.destroy();
      return;
    }
    if (loss) {
      this.stall(client, loss.name);
      return;
    }
    const target = parseHostPort(this.upstream, false);
    if (!target.ok) {
      this.upstreamFailed(client, target.error);
      return;
    }
    const download = chunkReader();
    const server = net.connect({
      host: target.value.host,
      port: target.value.port,
      allowHalfOpen: true,
      onread: download.onread,
    });
    this.dialling.add(client);
    const timer = setTimeout(
      () => server.destroy(new Error(`connect timeout after ${CONNECT_TIMEOUT_MS} ms`)),
      CONNECT_TIMEOUT_MS,
    );
    // The client left before the upstream answered: stop dialling.
    const giveUp = () => {
      clearTimeout(timer);
      this.dialling.delete(client);
      server.destroy();
    };
    client.once('close', giveUp);
    server.once('error', (err) => {
      clearTimeout(timer);
      if (!this.dialling.delete(client)) return;
      client.off('close', giveUp);
      this.upstreamFailed(client, err.message);
    });
    server.once('connect', () => {
      clearTimeout(timer);
      client.off('close', giveUp);
      if (!this.dialling.delete(client)) {
        server.destroy();
        return;
      }
      const conn = new Connection(client, server, this.toxicsBy, this.opts.random, (c) =>
        this.connections.delete(c),
      );
      this.connections.add(conn);
      download.link = conn.link('downstream');
      if (adopted) upload.link = conn.link('upstream');
      conn.start({ clientReads: adopted, serverReads: true });
    });
  }

  private upstreamFailed(client: Socket, why: string): void {
    this.counters.upstream_errors++;
    this.counters.last_upstream_error = why;
    this.opts.log(
      `proxy ${this.name}: upstream ${this.upstream} failed (${why}); closed the client connection`,
    );
    client.destroy();
  }

  private stall(client: Socket, toxic: string): void {
    this.counters.stalled++;
    const held = this.stalls.get(toxic) ?? new Set<Socket>();
    this.stalls.set(toxic, held);
    held.add(client);
    client.on('close', () => held.delete(client));
    // Read and discard, so the client sees an open connection that never answers (an adopted
    // socket's reader has no link, so it discards too).
    client.on('data', () => {});
    client.resume();
  }
}
