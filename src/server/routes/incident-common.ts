/** What the incident route modules share: path parameters, the acting user, the error answers. */
import { z } from 'zod';
import type { ChangeError } from '../../incidents/index.ts';
import { HttpError } from '../errors.ts';

export const IdParams = z.object({ id: z.string() });
export type IdReq = { Params: { id: string } };

/** An incident number from a path; anything that cannot be one is a 404 like an unknown one. */
export function incidentId(text: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id < 1) throw new HttpError(404, 'not_found', `no incident ${text}`);
  return id;
}

export function actorOf(req: { token?: { name: string } }): string {
  return req.token?.name ?? 'anonymous';
}

export function notFound(id: number): HttpError {
  return new HttpError(404, 'not_found', `no incident ${id}`);
}

/** A refused change as its HTTP answer; a 409 from the state machine lists the allowed moves. */
export function changeError(e: ChangeError): HttpError {
  const code = e.status === 409 ? 'conflict' : e.status === 404 ? 'not_found' : 'bad_request';
  const details = e.allowed
    ? [{ path: 'to', message: `allowed: ${e.allowed.join(', ') || 'none'}` }]
    : undefined;
  return new HttpError(e.status, code, e.message, details);
}
