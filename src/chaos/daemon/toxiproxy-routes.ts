/**
 * Toxiproxy's HTTP API, route for route (its README "HTTP API" and api.go):
 * same paths, JSON shapes, status codes and error bodies, so existing
 * Toxiproxy clients work unchanged. The one addition: a toxic body may carry
 * `"lease": "<id>"`, binding the toxic to that fault lease.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ProxyApiError, type ProxyCollection, ProxyErrors } from '../proxy/index.ts';
import { proxyJson, toxicJson } from './json.ts';
import type { FaultRegistry } from './registry.ts';
import { TOXIC_KIND, toxicFaultId } from './toxic-faults.ts';

/** The Toxiproxy API level served (its toxics and routes); `+ballast` marks who serves it. */
export const TOXIPROXY_API_VERSION = '2.5.0+ballast.0.1.0';

export interface ToxiproxyRoutesOptions {
  proxies: ProxyCollection;
  registry: FaultRegistry;
}

type ProxyParams = { Params: { proxy: string } };
type ToxicParams = { Params: { proxy: string; toxic: string } };

/** The lease a toxic body asks for: undefined when none, else a live lease id (404 otherwise). */
function requestedLease(registry: FaultRegistry, body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('lease' in body)) return undefined;
  const lease = (body as { lease?: unknown }).lease;
  if (lease === undefined || lease === null) return undefined;
  if (typeof lease !== 'string') throw ProxyErrors.badBody('lease must be a lease id (a string)');
  if (!registry.lease(lease))
    throw new ProxyApiError(`lease not found: ${lease} (expired or released; create a new lease)`, 404);
  return lease;
}

export const toxiproxyRoutes: FastifyPluginAsync<ToxiproxyRoutesOptions> = async (
  app,
  { proxies, registry },
) => {
  app.get('/version', async () => ({ version: TOXIPROXY_API_VERSION }));

  app.get('/proxies', async () => Object.fromEntries(proxies.list().map((p) => [p.name, proxyJson(p)])));

  app.post('/proxies', async (req, reply) => {
    const proxy = await proxies.create(req.body);
    return reply.code(201).send(proxyJson(proxy));
  });

  app.post('/populate', async (req, reply) => {
    try {
      const list = await proxies.populate(req.body);
      return reply.code(201).send({ proxies: list.map(proxyJson) });
    } catch (err) {
      // Toxiproxy's populate error carries the (empty) proxy list beside the error.
      if (!(err instanceof ProxyApiError)) throw err;
      return reply.code(err.status).send({ error: err.message, status: err.status, proxies: [] });
    }
  });

  app.get<ProxyParams>('/proxies/:proxy', async (req) => proxyJson(proxies.get(req.params.proxy)));

  app.route<ProxyParams>({
    method: ['POST', 'PATCH'],
    url: '/proxies/:proxy',
    handler: async (req) => proxyJson(await proxies.update(req.params.proxy, req.body)),
  });

  app.delete<ProxyParams>('/proxies/:proxy', async (req, reply) => {
    proxies.remove(req.params.proxy);
    return reply.code(204).send();
  });

  app.get<ProxyParams>('/proxies/:proxy/toxics', async (req) =>
    proxies.get(req.params.proxy).toxics().map(toxicJson),
  );

  app.post<ProxyParams>('/proxies/:proxy/toxics', async (req) => {
    proxies.get(req.params.proxy);
    const lease = requestedLease(registry, req.body);
    // Check, create and bind with no await in between: the lease cannot lapse in a gap.
    const toxic = proxies.addToxic(req.params.proxy, req.body, lease);
    if (lease !== undefined)
      registry.bind(lease, { kind: TOXIC_KIND, id: toxicFaultId(req.params.proxy, toxic.name) });
    // 200, not 201: what Toxiproxy answers.
    return toxicJson(toxic);
  });

  app.get<ToxicParams>('/proxies/:proxy/toxics/:toxic', async (req) => {
    const toxic = proxies.get(req.params.proxy).toxic(req.params.toxic);
    if (!toxic) throw ProxyErrors.toxicNotFound();
    return toxicJson(toxic);
  });

  app.route<ToxicParams>({
    method: ['POST', 'PATCH'],
    url: '/proxies/:proxy/toxics/:toxic',
    handler: async (req) => toxicJson(proxies.updateToxic(req.params.proxy, req.params.toxic, req.body)),
  });

  app.delete<ToxicParams>('/proxies/:proxy/toxics/:toxic', async (req, reply) => {
    proxies.removeToxic(req.params.proxy, req.params.toxic);
    return reply.code(204).send();
  });

  app.post('/reset', async (_req, reply) => {
    await proxies.reset();
    return reply.code(204).send();
  });
};
