/**
 * Errors of the proxy collection, each with the HTTP status Toxiproxy answers
 * for it, so the daemon's routes only format them (`{"error": ..., "status": ...}`).
 */

/** A problem a caller can act on; `status` is the HTTP status Toxiproxy uses for it. */
export class ProxyApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'ProxyApiError';
    this.status = status;
  }
}

/** Toxiproxy's messages, so clients that match on them keep working. */
export const Errors = {
  proxyNotFound: () => new ProxyApiError('proxy not found', 404),
  proxyExists: () => new ProxyApiError('proxy already exists', 409),
  toxicNotFound: () => new ProxyApiError('toxic not found', 404),
  toxicExists: () => new ProxyApiError('toxic already exists', 409),
  invalidStream: () => new ProxyApiError('stream was invalid, can be either upstream or downstream', 400),
  invalidToxicType: (type: unknown, known: readonly string[]) =>
    new ProxyApiError(`invalid toxic type: ${JSON.stringify(type)} (one of ${known.join(', ')})`, 400),
  missingField: (what: string) => new ProxyApiError(`missing required field: ${what}`, 400),
  badBody: (why: string) => new ProxyApiError(`bad request body: ${why}`, 400),
} as const;
