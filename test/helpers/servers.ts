/** Loopback servers for tests: listen on an ephemeral port, close without waiting on keep-alive. */
import type { Server } from 'node:net';

/** Listens on an ephemeral port of `host` (127.0.0.1 by default) and returns the port. */
export async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('server has no port');
  return addr.port;
}

/** Closes a server, destroying open connections first so close does not wait on keep-alive. */
export async function closeServer(server: Server & { closeAllConnections?: () => void }): Promise<void> {
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
