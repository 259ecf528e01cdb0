/** What the daemon's fault plugins share: the `lease` field of a fault body, and their error shape. */
import type { FaultRegistry } from '../daemon/index.ts';
import { ProxyApiError } from '../proxy/index.ts';

/** Splits `{lease, ...fault}`: undefined lease when none; a lease that is not live is a 404, nothing created. */
export function takeLease(
  registry: FaultRegistry,
  body: unknown,
): { lease: string | undefined; fault: Record<string, unknown> } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ProxyApiError('bad request body: expected a JSON object', 400);
  const { lease, ...fault } = body as Record<string, unknown>;
  if (lease === undefined || lease === null) return { lease: undefined, fault };
  if (typeof lease !== 'string') throw new ProxyApiError('lease must be a lease id (a string)', 400);
  if (!registry.lease(lease))
    throw new ProxyApiError(`lease not found: ${lease} (expired or released; create a new lease)`, 404);
  return { lease, fault };
}

/** A fault module's error as the daemon's `{error, status}`, with every bad field in the message. */
export function issuesError(
  message: string,
  issues: { path: string; message: string }[],
  status: number,
): ProxyApiError {
  const fields = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new ProxyApiError(fields && !message.includes(fields) ? `${message} (${fields})` : message, status);
}
