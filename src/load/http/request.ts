/**
 * Building request bytes once: the load loop reuses the same Buffer for
 * every send of a template without placeholders, so the hot path never
 * formats strings.
 */

/** A request ready to write: complete HTTP/1.1 bytes plus what the pool needs to route and parse it. */
export interface PreparedRequest {
  /** Request line, headers and body, exactly as written to the socket. */
  readonly bytes: Buffer;
  /** `http://host:port` or `https://host:port` (port always explicit); the pool key. */
  readonly origin: string;
  /** A HEAD request: its response has headers only, whatever Content-Length says. */
  readonly head: boolean;
  /** Safe to send again when a reused keep-alive connection closed before answering. */
  readonly idempotent: boolean;
}

export interface BuildRequestInput {
  method: string;
  url: URL | string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Send `Connection: keep-alive` (default) or `Connection: close`. */
  keepAlive?: boolean;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
/** Methods whose requests carry a body by convention: send `Content-Length: 0` when there is none. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Headers the builder owns; a user-supplied value would contradict the framing it writes. */
const OWNED = new Set(['content-length', 'connection', 'transfer-encoding']);

/**
 * Builds the complete bytes of an HTTP/1.1 request.
 * Throws a TypeError on input that cannot form a valid request (not http/https,
 * a method that is not a token, CR/LF in a header): callers validate user input
 * before and only reach this with checked values.
 *
 * @example
 * const req = buildRequest({ method: 'GET', url: 'http://127.0.0.1:8080/health', headers: {} });
 * pool.send(req, (o) => console.log(o.ok && o.status));
 */
export function buildRequest(input: BuildRequestInput): PreparedRequest {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`unsupported protocol ${url.protocol} in ${url.href}: use http or https`);
  }
  const method = input.method.toUpperCase();
  if (!TOKEN.test(method)) throw new TypeError(`invalid HTTP method ${JSON.stringify(input.method)}`);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const body =
    input.body === undefined
      ? undefined
      : typeof input.body === 'string'
        ? Buffer.from(input.body)
        : input.body;

  let head = `${method} ${url.pathname || '/'}${url.search} HTTP/1.1\r\n`;
  const userHost = Object.keys(input.headers).some((n) => n.toLowerCase() === 'host');
  if (!userHost) head += `Host: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(input.headers)) {
    if (!TOKEN.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (/[\r\n\0]/.test(value)) throw new TypeError(`header ${name} contains a line break`);
    if (OWNED.has(name.toLowerCase())) continue;
    head += `${name}: ${value}\r\n`;
  }
  if (body !== undefined) head += `Content-Length: ${body.length}\r\n`;
  else if (BODY_METHODS.has(method)) head += 'Content-Length: 0\r\n';
  head += input.keepAlive === false ? 'Connection: close\r\n\r\n' : 'Connection: keep-alive\r\n\r\n';

  const headBytes = Buffer.from(head, 'utf8');
  return {
    bytes: body === undefined || body.length === 0 ? headBytes : Buffer.concat([headBytes, body]),
    origin: `${url.protocol}//${url.hostname}:${port}`,
    head: method === 'HEAD',
    idempotent: IDEMPOTENT.has(method),
  };
}
