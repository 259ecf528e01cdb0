/**
 * The TCP check runner: resolve the host, connect, optionally write a text,
 * and read until an expected text arrives.
 *
 * The steps before the protocol (a deadline for the whole execution, resolve,
 * connect) are exported here because the TLS and DNS runners take the same
 * steps; every step rejects only with a `CheckFailure`, so a runner's edge can
 * turn whatever happened into the error of its Observation without guessing.
 */
import dns from 'node:dns';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CheckError, CheckErrorKind, ConditionContext, Observation, TcpCheckSpec } from '../types.ts';
import type { RunContext } from './context.ts';

/** A failure with the kind its Observation reports; thrown inside a runner, caught at its edge. */
export class CheckFailure extends Error {
  readonly kind: CheckErrorKind;
  constructor(kind: CheckErrorKind, message: string) {
    super(message);
    this.name = 'CheckFailure';
    this.kind = kind;
  }
}

/** The error an Observation reports for anything a runner caught: its own failures as they are, the rest as a bug. */
export function toCheckError(err: unknown): CheckError {
  if (err instanceof CheckFailure) return { kind: err.kind, message: err.message };
  return { kind: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/** The end of one execution: `signal` aborts when the timeout passes or the caller gives up. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Stops the timer and unhooks the caller's signal (call once the execution is over). */
  dispose(): void;
}

/**
 * Starts the deadline of one execution. The abort reason is a `CheckFailure`
 * of kind `timeout` either way: a cancelled execution did not finish in the
 * time it was given, and the scheduler discards or reports it as such.
 */
export function startDeadline(ctx: RunContext): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new CheckFailure('timeout', `timed out after ${ctx.timeoutMs} ms`)),
    Math.max(0, ctx.timeoutMs),
  );
  const outer = ctx.signal;
  const onCancel = () => controller.abort(new CheckFailure('timeout', 'cancelled before it finished'));
  if (outer?.aborted) onCancel();
  else outer?.addEventListener('abort', onCancel, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onCancel);
    },
  };
}

/** The failure to report when `signal` aborted while the runner was `doing` something. */
export function abortFailure(signal: AbortSignal, doing: string): CheckFailure {
  const reason: unknown = signal.reason;
  if (reason instanceof CheckFailure)
    return new CheckFailure(reason.kind, `${reason.message} while ${doing}`);
  return new CheckFailure('timeout', `aborted while ${doing}`);
}

/**
 * Waits for `work`, or rejects as soon as `signal` aborts (after running
 * `onAbort`, which releases whatever `work` holds).
 */
export function untilAborted<T>(
  signal: AbortSignal,
  doing: string,
  work: Promise<T>,
  onAbort?: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort?.();
      reject(abortFailure(signal, doing));
    };
    if (signal.aborted) {
      // Still observe `work` so its later rejection is not reported as unhandled.
      work.catch(() => {});
      abort();
      return;
    }
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(err);
      },
    );
  });
}

const NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while writing',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out by the operating system',
  EADDRNOTAVAIL: 'address not available',
};

/** A short human reason for a socket error ("connection refused"), falling back to its code or message. */
export function describeNetError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && NET_ERRORS[code]) return NET_ERRORS[code];
  if (code) return code;
  return err instanceof Error ? err.message : String(err);
}

/** `host:port`, with an IPv6 address in brackets. */
export function formatAddress(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A host as written in a spec, without the brackets an IPv6 literal may carry. */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The host is an IP address (no lookup needed: its `resolve` phase is 0). */
export function isIpLiteral(host: string): boolean {
  return net.isIP(bareHost(host)) !== 0;
}

/**
 * Times the `resolve` phase of `host` since `started` (a `performance.now()`
 * reading): 0 for an IP literal, which is not looked up.
 */
export function resolvePhase(host: string, started: number): number {
  return isIpLiteral(host) ? 0 : performance.now() - started;
}

/** The address to connect to: the host itself when it is an IP literal, else the system resolver's first answer. */
export function resolveHost(host: string, signal: AbortSignal): Promise<string> {
  const bare = bareHost(host);
  if (net.isIP(bare)) return Promise.resolve(bare);
  // dns.lookup (getaddrinfo, honouring /etc/hosts) cannot be cancelled: on abort we only stop waiting.
  const lookup = dns.promises.lookup(bare).then(
    (found) => found.address,
    (err: unknown) => {
      throw new CheckFailure('dns', `cannot resolve ${bare}: ${describeNetError(err)}`);
    },
  );
  return untilAborted(signal, `resolving ${bare}`, lookup);
}

/**
 * Opens a TCP connection. The socket it resolves with keeps a listener that
 * ignores errors: each later step listens for the errors it cares about, and
 * an error nobody waits for (a reset after the check is done) must not crash
 * the process.
 */
export function connectTcp(ip: string, port: number, signal: AbortSignal): Promise<net.Socket> {
  const address = formatAddress(ip, port);
  const socket = net.connect({ host: ip, port });
  const connected = new Promise<net.Socket>((resolve, reject) => {
    const onError = (err: unknown) => {
      socket.destroy();
      reject(new CheckFailure('connect', `cannot connect to ${address}: ${describeNetError(err)}`));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.removeListener('error', onError);
      socket.on('error', () => {});
      resolve(socket);
    });
  });
  return untilAborted(signal, `connecting to ${address}`, connected, () => socket.destroy());
}

/** What reading for an expected text came to: the bytes read (capped) and why it stopped short, if it did. */
export interface ReadOutcome {
  bytes: Buffer;
  failure?: CheckFailure;
}

/**
 * Reads from `socket` until `expect` (as UTF-8 bytes) appears within the
 * first `maxBytes` bytes. Never rejects: a timeout, a close, an error or the
 * cap comes back as `failure` beside what was read, which the result keeps.
 */
export function readUntil(
  socket: net.Socket,
  expect: string,
  maxBytes: number,
  signal: AbortSignal,
): Promise<ReadOutcome> {
  const wanted = Buffer.from(expect, 'utf8');
  let bytes = Buffer.alloc(0);
  return new Promise<ReadOutcome>((resolve) => {
    const finish = (failure?: CheckFailure) => {
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('error', onError);
      signal.removeEventListener('abort', onAbort);
      socket.pause();
      resolve(failure ? { bytes, failure } : { bytes });
    };
    const waiting = () => `waiting for ${JSON.stringify(expect)} (${bytes.length} bytes read)`;
    const onData = (chunk: Buffer) => {
      const room = maxBytes - bytes.length;
      bytes = Buffer.concat([bytes, chunk.subarray(0, Math.max(0, room))]);
      if (bytes.includes(wanted)) finish();
      else if (chunk.length >= room)
        finish(
          new CheckFailure(
            'body_too_large',
            `read ${maxBytes} bytes (the cap) without finding ${JSON.stringify(expect)}`,
          ),
        );
    };
    const onEnd = () =>
      finish(new CheckFailure('protocol', `the server closed the connection while ${waiting()}`));
    const onError = (err: unknown) =>
      finish(new CheckFailure('protocol', `${describeNetError(err)} while ${waiting()}`));
    const onAbort = () => finish(abortFailure(signal, waiting()));

    if (bytes.includes(wanted)) return finish(); // an empty expectation holds at once
    if (signal.aborted) return onAbort();
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.resume();
  });
}

/** Writes `text` and waits until it is handed to the operating system. */
function writeAll(socket: net.Socket, text: string, signal: AbortSignal): Promise<void> {
  const written = new Promise<void>((resolve, reject) => {
    socket.write(text, 'utf8', (err) => {
      if (err) reject(new CheckFailure('protocol', `cannot write: ${describeNetError(err)}`));
      else resolve();
    });
  });
  return untilAborted(signal, 'writing', written);
}

/**
 * Runs one TCP check. `[CONNECTED]` is false when the port refused (with a
 * `connect` error), so `[CONNECTED] == false` can assert that a port is closed;
 * `[BODY]` is what was read while waiting for `expect`.
 */
export async function runTcpCheck(spec: TcpCheckSpec, ctx: RunContext): Promise<Observation> {
  const deadline = startDeadline(ctx);
  const started = performance.now();
  const context: ConditionContext = { responseTimeMs: 0, connected: false };
  const observation: Observation = { context, phases: {} };
  let socket: net.Socket | undefined;
  try {
    const ip = await resolveHost(spec.host, deadline.signal);
    observation.phases.resolve = resolvePhase(spec.host, started);
    const resolved = performance.now();
    context.ip = ip;

    socket = await connectTcp(ip, spec.port, deadline.signal);
    observation.phases.connect = performance.now() - resolved;
    context.connected = true;

    if (spec.send !== undefined) await writeAll(socket, spec.send, deadline.signal);
    if (spec.expect !== undefined) {
      const read = await readUntil(socket, spec.expect, spec.maxBodyBytes, deadline.signal);
      context.body = read.bytes.toString('utf8');
      if (read.failure) observation.error = toCheckError(read.failure);
    }
  } catch (err) {
    observation.error = toCheckError(err);
  } finally {
    context.responseTimeMs = performance.now() - started;
    socket?.destroy();
    deadline.dispose();
  }
  return observation;
}
