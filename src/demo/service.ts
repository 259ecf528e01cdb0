import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny HTTP service whose error rate the demo can turn up and down. */
export interface DemoService {
  url: string;
  port: number;
  /** Share of requests answered with 500 (0..1). */
  errorRate: number;
  close(): Promise<void>;
}

const CART = {
  items: [
    { id: 1, sku: 'tea-earl-grey', qty: 2 },
    { id: 2, sku: 'mug-blue', qty: 1 },
  ],
  total: 23.5,
};

/**
 * Starts the demo's target on a free loopback port. `GET /` answers after a
 * few milliseconds, failing with 500 at the configured rate, so the demo
 * measures real requests rather than inventing numbers. A small JSON API
 * (`/api/health`, `POST /api/login`, `GET /api/cart` with the login's bearer
 * token) gives the demo's synthetic checks something to assert on.
 */
export async function startDemoService(random: () => number = Math.random): Promise<DemoService> {
  const state = { errorRate: 0.002 };
  const tokens = new Set<string>();
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    const json = typeof body !== 'string';
    res.writeHead(status, { 'content-type': json ? 'application/json' : 'text/plain' });
    res.end(json ? JSON.stringify(body) : body);
  };
  const route = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/api/health')
      return answer(res, 200, { status: 'ok', version: '1.4.2', items: ['db', 'queue'] });
    if (path === '/api/login' && req.method === 'POST') {
      const token = `demo-${randomBytes(6).toString('hex')}`;
      tokens.add(token);
      if (tokens.size > 1000) tokens.delete(tokens.values().next().value as string);
      return answer(res, 200, { token });
    }
    if (path === '/api/cart') {
      const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      return auth && tokens.has(auth) ? answer(res, 200, CART) : answer(res, 401, { error: 'unauthorized' });
    }
    return answer(res, 200, 'ok\n');
  };
  const server: Server = createServer((req, res) => {
    req.resume();
    const fail = random() < state.errorRate;
    // Failures are slower, as they tend to be (timeouts, retries behind the service).
    const delay = Math.round(2 + random() * 20 + (fail ? 40 : 0));
    setTimeout(() => (fail ? answer(res, 500, 'error\n') : route(req, res)), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
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
