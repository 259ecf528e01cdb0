import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { readDirectly } from './direct-read.ts';

/** A server that sends `chunks` (a pause between them, so each is its own read) and then closes. */
function sendingServer(chunks: string[]): Promise<{ port: number; close: () => void }> {
  const server = net.createServer(async (s) => {
    for (const c of chunks) {
      s.write(c);
      await new Promise((r) => setTimeout(r, 20));
    }
    s.end();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as net.AddressInfo).port, close: () => server.close() }),
    );
  });
}

describe('direct reads from the socket handle', () => {
  it('hand every byte to the callback, and the socket still ends and closes as usual', async () => {
    const chunks = ['first', 'second chunk', 'third'];
    const server = await sendingServer(chunks);
    try {
      const buffer = Buffer.alloc(1024);
      const direct: string[] = [];
      let throughNode = 0;
      const socket = net.connect({
        host: '127.0.0.1',
        port: server.port,
        onread: {
          buffer,
          callback: () => {
            throughNode++;
            return true;
          },
        },
      });
      const hooked = await new Promise<boolean>((resolve) =>
        socket.once('connect', () =>
          resolve(readDirectly(socket, (n) => direct.push(buffer.toString('latin1', 0, n)))),
        ),
      );
      const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await ended;
      await closed;
      // Available on the pinned Node (24): the hot path skips onStreamRead.
      expect(hooked).toBe(true);
      expect(direct.join('')).toBe(chunks.join(''));
      expect(throughNode).toBe(0);
    } finally {
      server.close();
    }
  });
});
