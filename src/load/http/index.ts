/** HTTP/1.1 load client on raw sockets: request building, response parsing, the connection pool. */
export { classifySocketError } from './errors.ts';
export type { DoneCallback, PoolOptions, RequestOutcome } from './outcome.ts';
export { NEED_MORE, PARSE_ERROR, ResponseParser } from './parser.ts';
export { HttpPool } from './pool.ts';
export { type BuildRequestInput, buildRequest, type PreparedRequest } from './request.ts';
