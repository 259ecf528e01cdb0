import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store, TokenRecord, TokenRole } from '../store/types.ts';
import { HttpError } from './errors.ts';

/** What a route needs: a role, or nothing at all. */
export type Access = TokenRole | 'public';

const RANK: Record<TokenRole, number> = { viewer: 1, responder: 2, admin: 3 };

/** True when `have` is at least `need` in the order viewer < responder < admin. */
export function roleAllows(have: TokenRole, need: TokenRole): boolean {
  return RANK[have] >= RANK[need];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Overrides the default access rule of a route. */
    access?: Access;
  }
  interface FastifyRequest {
    token?: TokenRecord;
  }
}

/**
 * The default rule: writes need admin unless a route says otherwise; reads of
 * the API need a viewer token unless reads are public; everything outside
 * `/api/` (the web UI's files) is open.
 */
export function requiredAccess(
  method: string,
  url: string,
  publicRead: boolean,
  routeAccess?: Access,
): Access {
  if (routeAccess) return routeAccess === 'viewer' && publicRead ? 'public' : routeAccess;
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') {
    if (!url.startsWith('/api/')) return 'public';
    return publicRead ? 'public' : 'viewer';
  }
  return 'admin';
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  // EventSource cannot set headers, so the SSE stream also takes `?access_token=`.
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.access_token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** Adds the bearer-token check to every route (401 without a valid token, 403 for a weaker role). */
export function installAuth(app: FastifyInstance, store: Store, publicRead: boolean): void {
  app.addHook('onRequest', async (request) => {
    const routeAccess = request.routeOptions.config?.access;
    const need = requiredAccess(request.method, request.url, publicRead, routeAccess);
    const secret = bearer(request);
    if (secret) {
      const token = await store.findToken(secret);
      if (token) request.token = token;
      else if (need !== 'public') throw new HttpError(401, 'unauthorized', 'the bearer token is not valid');
    }
    if (need === 'public') return;
    if (!request.token) {
      throw new HttpError(
        401,
        'unauthorized',
        `this request needs "Authorization: Bearer <token>" (role ${need})`,
      );
    }
    if (!roleAllows(request.token.role, need)) {
      throw new HttpError(
        403,
        'forbidden',
        `token "${request.token.name}" has role ${request.token.role}; this needs ${need}`,
      );
    }
  });
}
