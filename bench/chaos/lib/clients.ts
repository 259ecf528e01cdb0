/**
 * The two clients of the proxy-overhead benchmark, run in the bench's own
 * (pinned) process: a ping-pong over one kept-alive connection that times
 * each round trip, and a reader that counts the bytes a source sends.
 */
import net from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

/** `127.0.0.1:4000` → `{host, port}`. */
export function hostPort(listen: string): HostPort {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i), port: Number(listen.slice(i + 1)) };
}

function connect(to: HostPort, opts: Partial<net.NetConnectOpts> = {}): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: to.host, port: to.port, noDelay: true, ...opts } as net.NetConnectOpts);
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

export interface PingPongOptions {
  /** Round trips before timing starts (JIT, TCP state, the proxy's first chunks). */
  warmup: number;
  /** Timed round trips. */
  count: number;
  /** Bytes per message (each way). */
  size: number;
  /** The whole run stops here even if not done. */
  maxMs: number;
}

export interface PingPongResult {
  /** Round-trip times in µs, in the order measured. */
  rttUs: Float64Array;
  /** Timed round trips completed (below `count` only on a time-out). */
  done: number;
  wallS: number;
}

/**
 * Sends `size` bytes, waits until all `size` come back, repeats: one message
 * in flight, so each sample is one full trip client → path → echo → path → client.
 */
export async function pingPong(to: HostPort, o: PingPongOptions): Promise<PingPongResult> {
  const s = await connect(to);
  const msg = Buffer.alloc(o.size, 'p');
  const rtt = new Float64Array(o.count);
  const total = o.warmup + o.count;
  let sent = 0;
  let got = 0;
  let timed = 0;
  let t0 = 0n;
  let tStart = 0;
  return await new Promise<PingPongResult>((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ rttUs: rtt.subarray(0, timed), done: timed, wallS: (performance.now() - tStart) / 1000 });
    };
    const timer = setTimeout(finish, o.maxMs);
    const send = (): void => {
      got = 0;
      sent++;
      if (sent === o.warmup + 1) tStart = performance.now();
      t0 = process.hrtime.bigint();
      s.write(msg);
    };
    s.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got < o.size) return;
      const t1 = process.hrtime.bigint();
      if (sent > o.warmup) rtt[timed++] = Number(t1 - t0) / 1000;
      if (sent >= total) finish();
      else send();
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    send();
  });
}

export interface StreamOptions {
  /** Stop after this many bytes... */
  maxBytes: number;
  /** ...or this long, whichever comes first. */
  maxMs: number;
  /** Bytes read and discarded before timing starts (window growth, JIT). */
  warmupBytes: number;
}

export interface StreamResult {
  bytes: number;
  seconds: number;
  /** Reads that delivered data (bytes / reads = average read size). */
  reads: number;
}

/**
 * Connects to a source and counts what arrives, reading with `onread` into one
 * 1 MiB buffer (no stream machinery, no Buffer per read), so the client is as
 * cheap per byte as Node allows.
 */
export async function stream(to: HostPort, o: StreamOptions): Promise<StreamResult> {
  let bytes = 0;
  let reads = 0;
  let timing = false;
  let t0 = 0;
  let end = 0;
  let settle: (() => void) | undefined;
  const done = new Promise<void>((resolve) => {
    settle = resolve;
  });
  let s: net.Socket | undefined;
  const stop = (): void => {
    if (end === 0) end = performance.now();
    s?.destroy();
    settle?.();
  };
  const deadline = setTimeout(stop, o.maxMs + 2_000);
  s = await connect(to, {
    onread: {
      buffer: Buffer.allocUnsafe(1024 * 1024),
      callback: (n: number): boolean => {
        if (!timing) {
          bytes += n;
          if (bytes >= o.warmupBytes) {
            timing = true;
            bytes = 0;
            t0 = performance.now();
          }
          return true;
        }
        bytes += n;
        reads++;
        if (bytes >= o.maxBytes || performance.now() - t0 >= o.maxMs) stop();
        return true;
      },
    },
  });
  s.on('error', stop);
  s.on('close', stop);
  await done;
  clearTimeout(deadline);
  return { bytes, seconds: timing ? (end - t0) / 1000 : Number.NaN, reads };
}
