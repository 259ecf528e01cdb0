/**
 * Reads from a plain-TCP socket straight off its libuv handle.
 *
 * Why: with the `onread` socket option Node already reads into one buffer of
 * ours, but every read still passes through `onStreamRead`
 * (lib/internal/stream_base_commons.js), which refreshes the socket's idle
 * timer, checks the stream's state and calls our callback through the
 * socket: about 40 ns a read, 3 % of the client's user time per request at
 * 50 connections. Replacing the handle's `onread` with a function that hands
 * successful reads to us directly skips that; EOF and errors (a zero or
 * negative byte count) still go to Node's own handler, so the socket ends and
 * errors exactly as before. We use neither socket timeouts nor `bytesRead`,
 * the two things the skipped code keeps up to date.
 *
 * Like direct-write.ts this uses Node internals (`process.binding('stream_wrap')`
 * for `streamBaseState`, and `socket._handle`), checked on the pinned Node
 * 24.21.0, feature-detected, and off with `BALLAST_HTTP_STREAM_WRITES=1`.
 */
import type net from 'node:net';
import { streamWrapBinding } from './stream-wrap.ts';

interface ReadableHandle {
  onread: (this: ReadableHandle, arrayBuffer: ArrayBuffer | undefined) => unknown;
}

interface StreamWrapState {
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
}

function loadState(): StreamWrapState | undefined {
  const b = streamWrapBinding() as Partial<StreamWrapState> | undefined;
  return b?.streamBaseState instanceof Int32Array && typeof b.kReadBytesOrError === 'number'
    ? (b as StreamWrapState)
    : undefined;
}

const state = loadState();

/**
 * Routes the successful reads of `socket` (created with the `onread` option,
 * so the bytes land in that option's buffer) to `onBytes(n)`. Returns false,
 * changing nothing, when this Node does not allow it.
 */
export function readDirectly(socket: net.Socket, onBytes: (n: number) => void): boolean {
  if (state === undefined) return false;
  const handle = (socket as unknown as { _handle?: Partial<ReadableHandle> | null })._handle;
  const nodeOnRead = handle?.onread;
  if (handle == null || typeof nodeOnRead !== 'function') return false;
  const { streamBaseState, kReadBytesOrError } = state;
  handle.onread = function onread(this: ReadableHandle, arrayBuffer) {
    const n = streamBaseState[kReadBytesOrError] as number;
    if (n > 0) {
      onBytes(n);
      return undefined;
    }
    return nodeOnRead.call(this, arrayBuffer);
  };
  return true;
}
