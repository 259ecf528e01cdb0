import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Link } from './link.ts';
import { adoptWithOnread, chunkReader } from './reader.ts';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A loopback listener whose accepted sockets are adopted; resolves with the adopted side. */
async function acceptAdopted(onread: ReturnType<typeof chunkReader>['onread']) {
  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const accepted = new Promise<ReturnType<typeof adoptWithOnread>>((resolve) =>
    server.once('connection', (s) => resolve(adoptWithOnread(s, onread))),
  );
  const client = net.connect(port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', r));
  return { client, ...(await accepted) };
}

describe('adoptWithOnread', () => {
  it('gives an accepted socket onread: its bytes reach the reader, in order, only once resumed', async () => {
    const reader = chunkReader();
    const got: Buffer[] = [];
    reader.link = { push: (b: Buffer) => got.push(b), direct: false } as unknown as Link;
    const { client, socket, adopted } = await acceptAdopted(reader.onread);
    expect(adopted).toBe(true);
    const payload = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    client.end(payload);
    await new Promise((r) => setTimeout(r, 50));
    // Paused on creation: nothing read until the link starts it.
    expect(got.length).toBe(0);
    const ended = new Promise<void>((r) => socket.once('end', r));
    socket.resume();
    await ended;
    expect(Buffer.concat(got).equals(payload)).toBe(true);
    // The adopted socket still writes and closes like any other.
    const back = new Promise<string>((r) => client.once('data', (d) => r(d.toString())));
    socket.end('bye');
    expect(await back).toBe('bye');
  });

  it('leaves a socket that has no handle as it is', () => {
    const socket = new net.Socket();
    const out = adoptWithOnread(socket, chunkReader().onread);
    expect(out).toEqual({ socket, adopted: false });
  });
});
