/**
 * Test helpers for host faults: scratch network namespaces, and small Node
 * programs run inside them (a TCP transfer, a UDP echo) that print one JSON
 * line with what they measured. Only tests import this file.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { HostFaultError } from './errors.ts';
import { spawnCommand } from './exec.ts';
import { CLOCK_TICKS_PER_SECOND, parseStat } from './proc.ts';

let counter = 0;

/** Creates `ballast-t-<pid>-<n>` with its loopback up; delete it with {@link deleteNetns}. */
export async function createNetns(): Promise<string> {
  const name = `ballast-t-${process.pid}-${++counter}`;
  await sh(['ip', 'netns', 'add', name]);
  await sh(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** Deletes a namespace; no error when it is already gone. */
export async function deleteNetns(name: string): Promise<void> {
  await sh(['ip', 'netns', 'del', name]).catch(() => undefined);
}

/** Runs a command as root on this host (setup and inspection in tests). */
export async function sh(argv: string[], netns?: string): Promise<string> {
  const cmd = { argv, netns };
  const full = netns === undefined ? argv : ['ip', 'netns', 'exec', netns, ...argv];
  return (await spawnCommand(cmd, full)).stdout;
}

/** The root qdisc's kind and handle on a namespace's interface, e.g. `noqueue 0:`. */
export async function rootQdiscOf(netns: string, dev = 'lo'): Promise<string> {
  const list = JSON.parse(await sh(['tc', '-j', 'qdisc', 'show', 'dev', dev], netns)) as {
    kind: string;
    handle: string;
    root?: boolean;
  }[];
  const root = list.find((q) => q.root);
  return root ? `${root.kind} ${root.handle}` : 'none';
}

/**
 * Runs `script` (an ES module) with this Node inside `netns` and resolves with the JSON
 * of the last line it printed. Rejects if it exits non-zero or takes longer than `timeoutMs`.
 */
export function runNodeInNetns<T>(
  netns: string,
  script: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ip',
      ['netns', 'exec', netns, process.execPath, '--input-type=module', '-e', script, ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`node in ${netns} did not finish in ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`node in ${netns} exited ${code}: ${err}`));
      else resolve(JSON.parse(last) as T);
    });
  });
}

/**
 * Serves on `0.0.0.0:port`, connects to `host:port`, sends `bytes` and waits for the
 * server's answer after the end. Prints `{ ms }`, or `{ timeout: true }` after `timeoutMs`
 * (connect included). Args: host port bytes timeoutMs.
 */
export const TCP_TRANSFER = `
import net from 'node:net';
const [host, port, bytes, timeoutMs] = process.argv.slice(1);
const done = (r) => { console.log(JSON.stringify(r)); process.exit(0); };
net.createServer((s) => { s.resume(); s.on('end', () => s.end('ok')); s.on('error', () => {}); })
  .listen(Number(port), '0.0.0.0', () => {
    const t0 = performance.now();
    const c = net.connect(Number(port), host);
    const timer = setTimeout(() => done({ timeout: true }), Number(timeoutMs));
    c.on('connect', () => c.end(Buffer.alloc(Number(bytes), 7)));
    c.on('data', () => {});
    c.on('end', () => { clearTimeout(timer); done({ ms: performance.now() - t0 }); });
    c.on('error', (e) => done({ error: e.code }));
  });
`;

/**
 * A UDP echo on `port` and a client sending `count` datagrams to `host:port`, 2 ms apart;
 * prints `{ sent, sendErrors, echoed, rttMs }` (rttMs: the median, null if nothing came back).
 * Args: host port count.
 */
export const UDP_ECHO = `
import dgram from 'node:dgram';
const [host, port, count] = process.argv.slice(1);
const server = dgram.createSocket('udp4');
server.on('message', (m, r) => server.send(m, r.port, r.address));
server.bind(Number(port), '0.0.0.0', () => {
  const client = dgram.createSocket('udp4');
  const sentAt = new Map(); const rtts = []; let sent = 0; let sendErrors = 0;
  client.on('message', (m) => { const t = sentAt.get(m.toString()); if (t !== undefined) rtts.push(performance.now() - t); });
  let i = 0;
  const tick = setInterval(() => {
    if (i >= Number(count)) { clearInterval(tick); setTimeout(finish, 800); return; }
    const id = String(i++); sentAt.set(id, performance.now());
    client.send(id, Number(port), host, (e) => { if (e) sendErrors++; else sent++; });
  }, 2);
  function finish() {
    rtts.sort((a, b) => a - b);
    const rttMs = rtts.length ? rtts[Math.floor(rtts.length / 2)] : null;
    console.log(JSON.stringify({ sent, sendErrors, echoed: rtts.length, rttMs }));
    process.exit(0);
  }
});
`;

/**
 * Like {@link UDP_ECHO}, but each datagram carries a sequence number and a body
 * derived from it, so what netem does to the requests can be counted: argv
 * `host port count`. Prints `sent`, `unique` (intact, once each), `duplicates`,
 * `corrupted` (arrived with a wrong body), `inversions` (arrived after a later
 * one) and the round trips' `p10`/`p50`/`p90` in ms.
 */
export const UDP_SEQUENCE = `
import dgram from 'node:dgram';
const [host, port, count] = process.argv.slice(1);
const BODY = 60;
const server = dgram.createSocket('udp4');
server.on('message', (m, r) => server.send(m, r.port, r.address));
server.bind(Number(port), '0.0.0.0', () => {
  const client = dgram.createSocket('udp4');
  const sentAt = []; const seen = new Set(); const rtts = [];
  let sent = 0, duplicates = 0, corrupted = 0, inversions = 0, highest = -1;
  client.on('message', (m) => {
    const seq = m.length === 4 + BODY ? m.readUInt32BE(0) : -1;
    let intact = seq >= 0 && seq < sentAt.length;
    for (let i = 0; intact && i < BODY; i++) intact = m[4 + i] === ((seq + i) & 0xff);
    if (!intact) { corrupted++; return; }
    if (seen.has(seq)) { duplicates++; return; }
    seen.add(seq);
    rtts.push(performance.now() - sentAt[seq]);
    if (seq < highest) inversions++; else highest = seq;
  });
  let i = 0;
  const tick = setInterval(() => {
    if (i >= Number(count)) { clearInterval(tick); setTimeout(finish, 1000); return; }
    const m = Buffer.alloc(4 + BODY); const seq = i++;
    m.writeUInt32BE(seq, 0);
    for (let j = 0; j < BODY; j++) m[4 + j] = (seq + j) & 0xff;
    sentAt[seq] = performance.now();
    client.send(m, Number(port), host, (e) => { if (!e) sent++; });
  }, 2);
  function finish() {
    rtts.sort((a, b) => a - b);
    const q = (f) => (rtts.length ? rtts[Math.min(rtts.length - 1, Math.floor(rtts.length * f))] : null);
    console.log(JSON.stringify({ sent, unique: seen.size, duplicates, corrupted, inversions, p10: q(0.1), p50: q(0.5), p90: q(0.9) }));
    process.exit(0);
  }
});
`;

/** CPU time (user + system) a process has used so far, in seconds; undefined when it is gone. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const s = parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
    return (s.utime + s.stime) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** True while a process exists and is not a zombie. */
export async function alive(pid: number): Promise<boolean> {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8')).state !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `check` every 50 ms until it is true or `timeoutMs` passed; resolves with its last answer. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The error `p` rejects with, checked to be a `type`; throws when `p` resolves or rejects with anything else. */
export async function rejectionOf<E extends Error>(
  p: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof type)) throw new Error(`expected a ${type.name}, got ${String(err)}`);
  return err;
}

/** The {@link HostFaultError} `p` rejects with. */
export function hostFaultRejection(p: Promise<unknown>): Promise<HostFaultError> {
  return rejectionOf(p, HostFaultError);
}
