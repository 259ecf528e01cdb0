/**
 * Writes to a plain-TCP socket through its libuv handle, skipping the Writable
 * stream machinery.
 *
 * Why: at pipelining 1 every request is one small write. Through `socket.write`
 * that is `Writable.write` → `writeOrBuffer` → `Socket._writeGeneric` →
 * `writeGeneric`, which allocates a `WriteWrap` (a native object) and runs the
 * completion callback and the stream's bookkeeping: about 0.5 µs of user time
 * per request in our profiles, a sixth of the client's user time. Calling the
 * handle's `writeBuffer` directly does the same `uv_try_write` with none of
 * that: when the kernel takes every byte at once (the normal case for a
 * request of a few hundred bytes) the native side never touches the request
 * object, so one `WriteWrap` is reused for every write of the thread. Only when
 * libuv had to queue part of the bytes (`kLastWriteWasAsync`) does that object
 * become owned by the pending write; it then gets its completion handler and a
 * fresh one is made for the next write.
 *
 * This uses Node internals: `process.binding('stream_wrap')` (deprecated,
 * DEP0111, documentation-only; a runtime warning only under
 * `--pending-deprecation`, in which case we do not use it) for the `WriteWrap`
 * constructor and the `streamBaseState` array, and `socket._handle`. Checked on
 * Node 24.21.0 (the pinned version), where `lib/internal/stream_base_commons.js`
 * does exactly this in `handleWriteReq`/`afterWriteDispatched`. Everything is
 * feature-detected: when any piece is missing, `directWriter` is undefined and
 * the connection falls back to `socket.write` (which TLS always uses), as it
 * does with the environment variable `BALLAST_HTTP_STREAM_WRITES=1`.
 */
import type net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { streamWrapBinding } from './stream-wrap.ts';

/** The parts of a libuv stream handle (TCPWrap) used here. */
export interface StreamHandle {
  writeBuffer(req: object, data: Uint8Array): number;
}

/** The native write request, as `stream_base_commons.js` fills it in. */
interface WriteReq {
  handle?: StreamHandle;
  buffer?: Uint8Array;
  oncomplete?: (status: number) => void;
  /** Ours: told when a queued write fails. */
  onWriteError?: (err: NodeJS.ErrnoException) => void;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

/** Called by the native side when a write that libuv had to queue finishes. */
function onQueuedWriteDone(this: WriteReq, status: number): void {
  const onError = this.onWriteError;
  this.buffer = undefined;
  this.onWriteError = undefined;
  if (status < 0 && onError !== undefined) onError(writeError(status));
}

/** An Error like the ones `net` emits for a failed `write()` (with `code`, for classification). */
export function writeError(status: number): NodeJS.ErrnoException {
  let code: string;
  try {
    code = getSystemErrorName(status);
  } catch {
    code = `E${-status}`;
  }
  const err: NodeJS.ErrnoException = new Error(`write ${code}`);
  err.code = code;
  err.errno = status;
  err.syscall = 'write';
  return err;
}

/** Writes through a handle; returns 0 or a negative libuv error code. */
export interface DirectWriter {
  handleOf(socket: net.Socket): StreamHandle | undefined;
  write(handle: StreamHandle, data: Uint8Array, onWriteError: (err: NodeJS.ErrnoException) => void): number;
}

function loadBinding(): StreamWrapBinding | undefined {
  const b = streamWrapBinding() as Partial<StreamWrapBinding> | undefined;
  return typeof b?.WriteWrap === 'function' &&
    b.streamBaseState instanceof Int32Array &&
    typeof b.kLastWriteWasAsync === 'number'
    ? (b as StreamWrapBinding)
    : undefined;
}

function makeWriter(b: StreamWrapBinding): DirectWriter {
  const { WriteWrap, streamBaseState, kLastWriteWasAsync } = b;
  let spare = new WriteWrap();
  return {
    handleOf(socket) {
      const h = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
      return h != null && typeof h.writeBuffer === 'function' ? (h as StreamHandle) : undefined;
    },
    write(handle, data, onWriteError) {
      const req = spare;
      const err = handle.writeBuffer(req, data);
      if (err === 0 && streamBaseState[kLastWriteWasAsync] !== 0) {
        // libuv queued (part of) the bytes: `req` now belongs to that write until it completes.
        req.handle = handle;
        req.buffer = data;
        req.onWriteError = onWriteError;
        req.oncomplete = onQueuedWriteDone;
        spare = new WriteWrap();
      }
      return err;
    },
  };
}

const binding = loadBinding();

/** The direct writer, or undefined when this Node does not expose what it needs. */
export const directWriter: DirectWriter | undefined = binding ? makeWriter(binding) : undefined;
