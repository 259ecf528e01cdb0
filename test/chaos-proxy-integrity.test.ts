/**
 * Bytes through the fault proxy arrive whole and in order while toxics come
 * and go mid-transfer: the proxy's no-toxic path writes its own read buffers
 * straight to the client and reuses them, and switching between that path and
 * the toxic stages must never reorder, drop or corrupt a byte.
 */
import { createHash, randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startDaemon, type TestDaemon } from './chaos-proxy-harness.ts';

const SIZE = 24 * 1024 * 1024;

describe('fault proxy byte integrity', () => {
  let payload: Buffer;
  let source: net.Server;
  let d: TestDaemon;
  let listen: string;
  let uploads: Buffer[] = [];

  beforeAll(async () => {
    payload = randomBytes(SIZE);
    // Downloads: the source writes the payload and ends; uploads: it collects what arrives.
    source = net.createServer((s) => {
      s.once('data', (first) => {
        if (first.toString() === 'GET') {
          s.end(payload);
          return;
        }
        const parts: Buffer[] = [first];
        s.on('data', (c) => parts.push(c));
        s.on('end', () => {
          uploads = parts;
          s.end('done');
        });
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
    d = await startDaemon();
    const proxy = await d.client.createProxy({
      name: 'bulk',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${(source.address() as AddressInfo).port}`,
    });
    listen = proxy.listen;
  });

  afterAll(async () => {
    await d?.close();
    await new Promise((r) => source?.close(r));
  });

  const sha = (b: Buffer | Buffer[]) =>
    createHash('sha256')
      .update(Array.isArray(b) ? Buffer.concat(b) : b)
      .digest('hex');

  /** Adds and removes toxics on both directions while `transfer` runs. */
  async function toggling<T>(transfer: Promise<T>): Promise<T> {
    let done = false;
    let toggles = 0;
    const toggler = (async () => {
      const types = [
        { type: 'latency', attributes: { latency: 5 } },
        { type: 'slicer', attributes: { average_size: 700, size_variation: 300, delay: 0 } },
        { type: 'bandwidth', attributes: { rate: 20_000 } },
      ];
      for (let i = 0; !done && i < 60; i++) {
        const t = types[i % types.length] as (typeof types)[number];
        const stream = i % 2 === 0 ? 'downstream' : 'upstream';
        await d.client.addToxic('bulk', { name: 't', stream, ...t } as never);
        await sleep(5);
        await d.client.removeToxic('bulk', 't');
        if (!done) toggles++;
        await sleep(5);
      }
    })();
    const result = await transfer;
    done = true;
    await toggler;
    // The toxics really came and went while bytes were moving.
    expect(toggles).toBeGreaterThanOrEqual(4);
    return result;
  }

  it('a download arrives byte for byte while toxics are added and removed during it', async () => {
    const [host, port] = listen.split(':');
    const received = await toggling(
      new Promise<Buffer[]>((resolve, reject) => {
        const parts: Buffer[] = [];
        const c = net.connect({ host, port: Number(port) }, () => c.write('GET'));
        c.on('data', (chunk) => {
          parts.push(chunk);
          // A slow reader now and then, so the proxy meets back-pressure on its direct path.
          if (parts.length % 16 === 0) {
            c.pause();
            setTimeout(() => c.resume(), 5);
          }
        });
        c.on('end', () => resolve(parts));
        c.on('error', reject);
      }),
    );
    expect(Buffer.concat(received).length).toBe(SIZE);
    expect(sha(received)).toBe(sha(payload));
  });

  it('an upload arrives byte for byte while toxics are added and removed during it', async () => {
    const [host, port] = listen.split(':');
    const answer = await toggling(
      new Promise<string>((resolve, reject) => {
        const c = net.connect({ host, port: Number(port) }, async () => {
          c.write('PUT');
          // In pieces with pauses, so the upload lasts while the toxics come and go.
          for (let off = 0; off < SIZE; off += 1024 * 1024) {
            c.write(payload.subarray(off, off + 1024 * 1024));
            await sleep(8);
          }
          c.end();
        });
        let text = '';
        c.on('data', (chunk) => {
          text += chunk.toString();
        });
        c.on('end', () => resolve(text));
        c.on('error', reject);
      }),
    );
    expect(answer).toBe('done');
    expect(sha(uploads)).toBe(sha(Buffer.concat([Buffer.from('PUT'), payload])));
  });
});
