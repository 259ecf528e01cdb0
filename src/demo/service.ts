import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny HTTP service whose error rate the demo can turn up and down. */
export interface DemoService {
  url: string;
  /** Share of requests answered with 500 (0..1). */
  errorRate: number;
  close(): Promise<void>;
}

/**
 * Starts the demo's target on a free loopback port: it answers `GET /` after
 * a few milliseconds, failing with 500 at the configured rate, so the demo
 * measures real requests rather than inventing numbers.
 */
export async function startDemoService(random: () => number = Math.random): Promise<DemoService> {
  const state = { errorRate: 0.002 };
  const server: Server = createServer((_req, res) => {
    const fail = random() < state.errorRate;
    // Failures are slower, as they tend to be (timeouts, retries behind the service).
    const delay = Math.round(2 + random() * 20 + (fail ? 40 : 0));
    setTimeout(() => {
      res.writeHead(fail ? 500 : 200, { 'content-type': 'text/plain' });
      res.end(fail ? 'error\n' : 'ok\n');
    }, delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    get errorRate() {
      return state.errorRate;
    },
    set errorRate(v: number) {
      state.errorRate = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
