/**
 * Child process of the proxy-overhead benchmark: the upstreams, on free
 * loopback ports. `echo` writes back every chunk it reads (the ping-pong
 * latency case); `source` writes one 1 MiB buffer over and over, as fast as
 * the connection takes it, until the peer goes (the throughput case). Prints
 * `{"echo": PORT, "source": PORT}` as one JSON line; exits on SIGTERM or when the bench goes.
 *
 *   node bench/chaos/upstream-child.ts
 */
import net from 'node:net';
import { exitWithParent } from './lib/processes.ts';

const CHUNK = Buffer.alloc(1024 * 1024, 'ballast ');

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, backlog: 1024 }, () => {
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

const echo = net.createServer({ noDelay: true }, (s) => {
  s.on('error', () => s.destroy());
  s.on('data', (chunk) => s.write(chunk));
  s.on('end', () => s.end());
});

const source = net.createServer({ noDelay: true }, (s) => {
  s.on('error', () => s.destroy());
  // A 1 MiB write is above the high-water mark, so each write returns false and
  // the next waits for 'drain': one buffer in flight beyond what the kernel holds.
  const pump = (): void => {
    while (!s.destroyed && s.write(CHUNK)) {}
  };
  s.on('drain', pump);
  s.resume(); // discard whatever the client sends; see its end
  s.on('end', () => s.destroy());
  pump();
});

const ports = { echo: await listen(echo), source: await listen(source) };
process.on('SIGTERM', () => process.exit(0));
exitWithParent();
process.stdout.write(`${JSON.stringify(ports)}\n`);
