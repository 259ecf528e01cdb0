/**
 * Where a redirect leads, as browsers and Go's client follow them: 303 (and
 * 301/302 after a POST) become a GET without a body, 307/308 repeat the
 * request as it was, and credentials are not carried to another origin. Pure.
 */

/** A request about to be sent: the check's request, or one a redirect made from it. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that describe the dropped body. */
const BODY_HEADERS = new Set(['content-type', 'content-length', 'content-encoding', 'transfer-encoding']);
/** Headers that must not reach another origin. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'host']);

export type RedirectDecision =
  | { kind: 'final' }
  | { kind: 'follow'; request: OutgoingRequest }
  | { kind: 'invalid'; message: string };

/** Decides what a response means for the request that got it: the final answer, or the next request. */
export function redirectDecision(
  status: number,
  location: string | undefined,
  from: OutgoingRequest,
): RedirectDecision {
  if (!REDIRECT_STATUSES.has(status) || location === undefined || location === '') return { kind: 'final' };
  let url: URL;
  try {
    url = new URL(location, from.url);
  } catch {
    return { kind: 'invalid', message: `redirect to an invalid location ${JSON.stringify(location)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { kind: 'invalid', message: `redirect to a non-HTTP location ${url.protocol}` };
  }
  // The fragment stays in the client; it never goes on the wire.
  url.hash = '';
  const becomesGet =
    (status === 303 && from.method !== 'HEAD') ||
    ((status === 301 || status === 302) && from.method === 'POST');
  const crossOrigin = url.origin !== from.url.origin;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(from.headers)) {
    const lower = name.toLowerCase();
    if (becomesGet && BODY_HEADERS.has(lower)) continue;
    if (crossOrigin && CREDENTIAL_HEADERS.has(lower)) continue;
    headers[name] = value;
  }
  const request: OutgoingRequest = { method: becomesGet ? 'GET' : from.method, url, headers };
  if (!becomesGet && from.body !== undefined) request.body = from.body;
  return { kind: 'follow', request };
}
