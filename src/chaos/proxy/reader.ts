/**
 * Reads a socket with `onread` instead of 'data' events. Small reads land in
 * one buffer shared by every connection of the process and are copied out.
 * Once a read fills it (a bulk transfer), the connection reads into buffers of
 * its own (READ_SIZE); with no toxic on the link a buffer is written as is and
 * reused once the write is done, so a download allocates nothing per read
 * (no garbage for V8's collector) and takes 16x fewer read and write calls.
 */
import net, { type Socket } from 'node:net';
import type { Link } from './link.ts';

const SHARED = Buffer.allocUnsafeSlow(64 * 1024);
/**
 * 1 MiB, not 256 KiB: in alternating runs of bench/chaos/proxy-overhead.ts a stream went from
 * ~1,500 to ~2,440 MiB/s and from ~0.6 to ~0.35 CPU-s per GiB (bench/README.md).
 */
const READ_SIZE = 1024 * 1024;
/**
 * Buffers a streaming connection keeps for reuse, per direction: at most 2 MiB held while it
 * streams, none once it stops (in flight beyond this are allocated and dropped).
 */
const KEEP = 2;

export interface ChunkReader {
  onread: { buffer: () => Buffer; callback: (n: number, buf: Buffer) => boolean };
  /** The link the chunks go to; set in the connect handler, before any data can arrive. */
  link: Link | undefined;
}

export function chunkReader(): ChunkReader {
  let bulk = false;
  const free: Buffer[] = [];
  const release = (buf: Buffer) => () => {
    if (free.length < KEEP) free.push(buf);
  };
  const r: ChunkReader = {
    link: undefined,
    onread: {
      buffer: () => (bulk ? (free.pop() ?? Buffer.allocUnsafeSlow(READ_SIZE)) : SHARED),
      callback: (n, buf) => {
        const link = r.link;
        if (!link) return true;
        if (buf === SHARED) {
          bulk = n === SHARED.length;
          link.push(Buffer.from(SHARED.subarray(0, n)));
          return true;
        }
        bulk = n >= SHARED.length;
        if (!bulk) free.length = 0; // the transfer is over: give the buffers back
        if (link.direct) {
          link.pushOwned(buf.subarray(0, n), release(buf));
        } else {
          link.push(Buffer.from(buf.subarray(0, n)));
          release(buf)();
        }
        return true;
      },
    },
  };
  return r;
}

interface HandleOwner {
  _handle?: unknown;
}

/**
 * An accepted socket reading through `onread`. `net.Server` builds its sockets
 * without that option, so the accepted (still paused: `pauseOnConnect`) socket
 * hands its libuv handle to a new Socket that has it, and is dropped. Uploads
 * then cost what downloads cost: no Buffer allocated per read. On a Node whose
 * sockets no longer expose `_handle`, the socket is returned as it is and reads
 * through 'data' events (`adopted: false`).
 */
export function adoptWithOnread(
  accepted: Socket,
  onread: ChunkReader['onread'],
): { socket: Socket; adopted: boolean } {
  const owner = accepted as unknown as HandleOwner;
  const handle = owner._handle;
  if (!handle || accepted.destroyed) return { socket: accepted, adopted: false };
  owner._handle = null;
  // The old wrapper has no handle left: destroying it only emits its 'close' (no listener) and
  // gives the server's connection count back, which the proxy does not use (it keeps its own).
  accepted.destroy();
  const socket = new net.Socket({
    handle,
    allowHalfOpen: true,
    pauseOnCreate: true,
    readable: true,
    writable: true,
    onread,
  } as unknown as net.SocketConstructorOpts);
  return { socket, adopted: true };
}
