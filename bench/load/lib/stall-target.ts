/**
 * Child process: an HTTP target on 127.0.0.1 that answers at once, except
 * that from `STALL_AT_MS` after the first request it holds every answer for
 * `STALL_MS` (one stall, then everything held is answered together). Prints
 * `port=N` when listening; exits on SIGTERM or after `LIFETIME_MS`.
 *
 *   node bench/load/lib/stall-target.ts STALL_AT_MS STALL_MS LIFETIME_MS
 */
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

const [atMs, stallMs, lifetimeMs] = process.argv.slice(2).map(Number);
if (atMs === undefined || stallMs === undefined || lifetimeMs === undefined) {
  throw new Error('usage: stall-target.ts STALL_AT_MS STALL_MS LIFETIME_MS');
}
let first = -1;
let received = 0;
const server = createServer((req, res) => {
  received += 1;
  const now = performance.now();
  if (first < 0) first = now;
  const from = first + atMs;
  const to = from + stallMs;
  req.resume();
  const answer = (): void => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '3' });
    res.end('ok\n');
  };
  if (now >= from && now < to) setTimeout(answer, to - now);
  else answer();
});
server.keepAliveTimeout = 60_000;
// Up to a thousand connections arrive during the stall (the open model opens one per waiting request).
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  const a = server.address();
  console.log(`port=${typeof a === 'object' && a ? a.port : 0}`);
});
const quit = (): void => {
  console.error(`stall target: ${received} requests`);
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.once('SIGTERM', quit);
setTimeout(quit, lifetimeMs).unref();
