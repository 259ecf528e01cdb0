import type { HttpOptions } from '../types.ts';
import type { RequestOutcome } from './outcome.ts';
import type { HttpPool } from './pool.ts';
import type { PreparedRequest } from './request.ts';

/** Pool options for tests: small, with a timeout that only matters when a test wants it. */
export const testOptions: HttpOptions = {
  maxConnections: 4,
  pipelining: 1,
  timeoutMs: 10_000,
  insecureSkipVerify: false,
  keepAlive: true,
};

export { closeServer, listen } from '../../../test/helpers/servers.ts';

/** Sends one request and resolves with its outcome. */
export function sendOne(pool: HttpPool, req: PreparedRequest): Promise<RequestOutcome> {
  // The outcome is only valid during the callback (the pool reuses it): keep a copy.
  return new Promise((resolve) => pool.send(req, (o) => resolve({ ...o })));
}

/** Sends all requests at once and resolves with their outcomes in request order. */
export function sendAll(pool: HttpPool, reqs: PreparedRequest[]): Promise<RequestOutcome[]> {
  return Promise.all(reqs.map((r) => sendOne(pool, r)));
}

/** Sends `count` requests one after another (each from the previous one's callback). */
export async function sendSequential(
  pool: HttpPool,
  req: PreparedRequest,
  count: number,
): Promise<RequestOutcome[]> {
  const out: RequestOutcome[] = [];
  for (let i = 0; i < count; i++) out.push(await sendOne(pool, req));
  return out;
}
