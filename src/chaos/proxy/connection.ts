/**
 * One proxied connection: the client socket, the upstream socket, and a link
 * each way. It owns teardown: a toxic's close (flush, then close both), a
 * reset (RST both), and dropping everything when the proxy is disabled.
 */
import type { Socket } from 'node:net';
import { Link, type LinkOwner } from './link.ts';
import type { Stream, Toxic } from './types.ts';

/** How long a closing socket may take to flush before it is destroyed anyway. */
const FLUSH_GRACE_MS = 5_000;

export class Connection implements LinkOwner {
  readonly client: Socket;
  readonly server: Socket;
  private readonly links: Record<Stream, Link>;
  private readonly rand: () => number;
  private closing = false;
  private gone = false;

  /**
   * Wires `client` and `server` (both connected) through the toxics each stream
   * has now; call {@link start} to let data flow. `onGone` runs once both sockets closed.
   */
  constructor(
    client: Socket,
    server: Socket,
    toxics: Record<Stream, readonly Toxic[]>,
    random: () => number,
    onGone: (conn: Connection) => void,
  ) {
    this.client = client;
    this.server = server;
    this.rand = random;
    this.links = {
      upstream: new Link(client, server, 'upstream', toxics.upstream, this),
      downstream: new Link(server, client, 'downstream', toxics.downstream, this),
    };
    const closed = (other: Socket, hadError: boolean) => {
      // A side that closed cleanly had both directions ended: the other side's reading ended
      // too, and its link passes the end on when its toxics let it (slow_close, latency).
      // A side that failed takes the other one down with it.
      if (!other.destroyed && (hadError || (!other.readableEnded && !other.writableEnded))) other.destroy();
      if (client.destroyed && server.destroyed && !this.gone) {
        this.gone = true;
        this.links.upstream.stop();
        this.links.downstream.stop();
        onGone(this);
      }
    };
    // Errors end the pair (a reset, a broken pipe); they are the peers' business, not a crash.
    client.on('error', () => this.destroy());
    server.on('error', () => this.destroy());
    client.on('close', (hadError) => closed(server, hadError));
    server.on('close', (hadError) => closed(client, hadError));
    client.setNoDelay(true);
    server.setNoDelay(true);
  }

  /**
   * Lets data flow. A side that `reads` through `onread` pushes to its link itself
   * (the client to `link('upstream')`, the server to `link('downstream')`).
   */
  start(reads: { clientReads: boolean; serverReads: boolean }): void {
    this.links.upstream.start(reads.clientReads);
    this.links.downstream.start(reads.serverReads);
  }

  link(stream: Stream): Link {
    return this.links[stream];
  }

  random(): number {
    return this.rand();
  }

  /** A toxic ended the stream (timeout, limit_data): both sockets flush what they were given, then close. */
  closeAfterFlush(): void {
    if (this.closing) return;
    this.closing = true;
    this.links.upstream.stop();
    this.links.downstream.stop();
    for (const socket of [this.client, this.server]) {
      if (socket.destroyed) continue;
      socket.end(() => socket.destroy());
      setTimeout(() => socket.destroy(), FLUSH_GRACE_MS).unref();
    }
  }

  /** reset_peer: both sockets close with RST, their unsent data discarded. */
  reset(): void {
    if (this.closing && this.client.destroyed && this.server.destroyed) return;
    this.closing = true;
    this.links.upstream.stop();
    this.links.downstream.stop();
    for (const socket of [this.client, this.server]) if (!socket.destroyed) socket.resetAndDestroy();
  }

  /** Closes both sockets at once (the proxy was disabled or deleted, or a peer failed). */
  destroy(): void {
    this.closing = true;
    this.client.destroy();
    this.server.destroy();
  }
}
