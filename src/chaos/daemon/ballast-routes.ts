/**
 * Ballast's extensions under `/ballast/v1/`: fault leases, halt, proxy
 * counters, and a dry run of toxics, so an experiment runner can check a
 * whole method before it applies any of it.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ProxyApiError, type ProxyCollection, ProxyErrors } from '../proxy/index.ts';
import { leaseJson, toxicJson } from './json.ts';
import type { FaultRegistry } from './registry.ts';
import { TOXIC_KIND, toxicFaultId } from './toxic-faults.ts';

export interface BallastRoutesOptions {
  proxies: ProxyCollection;
  registry: FaultRegistry;
}

type IdParams = { Params: { id: string } };

const leaseGone = (id: string) =>
  new ProxyApiError(`lease not found: ${id} (expired or released: its faults are reverted)`, 404);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const ballastRoutes: FastifyPluginAsync<BallastRoutesOptions> = async (app, { proxies, registry }) => {
  const withFaults = (id: string) => {
    const lease = registry.lease(id);
    return lease ? { ...leaseJson(lease), faults: registry.faultsOf(id) } : undefined;
  };

  app.post('/ballast/v1/leases', async (req, reply) => {
    const body = isRecord(req.body) ? req.body : {};
    const r = registry.createLease({
      holder: body.holder as string,
      ttlMs: body.ttl_ms as number | undefined,
    });
    if (!r.ok) throw ProxyErrors.badBody(r.error);
    return reply.code(201).send(leaseJson(r.lease));
  });

  app.get('/ballast/v1/leases', async () =>
    registry.leases
      .list()
      .map((l) => withFaults(l.id))
      .filter((l) => l !== undefined),
  );

  app.get<IdParams>('/ballast/v1/leases/:id', async (req) => {
    const lease = withFaults(req.params.id);
    if (!lease) throw leaseGone(req.params.id);
    return lease;
  });

  app.post<IdParams>('/ballast/v1/leases/:id/renew', async (req) => {
    const lease = registry.renewLease(req.params.id);
    if (!lease) throw leaseGone(req.params.id);
    return leaseJson(lease);
  });

  app.delete<IdParams>('/ballast/v1/leases/:id', async (req) => {
    const released = await registry.releaseLease(req.params.id);
    if (!released) throw leaseGone(req.params.id);
    return { lease: leaseJson(released.lease), reverted: released.reverted, failed: released.failed };
  });

  app.post('/ballast/v1/halt', async (req) => {
    const all = isRecord(req.body) && req.body.all === true;
    const r = await registry.halt({ all });
    return {
      released_leases: r.leases,
      reverted_faults: r.reverted.length,
      reverted: r.reverted,
      failed: r.failed,
    };
  });

  app.get('/ballast/v1/faults', async () => {
    const out: Array<{ kind: string; id: string; lease?: string }> = [];
    for (const p of proxies.list())
      for (const t of p.toxics()) {
        const ref = { kind: TOXIC_KIND, id: toxicFaultId(p.name, t.name) };
        const lease = registry.leaseOf(ref);
        out.push(lease ? { ...ref, lease } : ref);
      }
    return out;
  });

  app.get<{ Params: { proxy: string } }>('/ballast/v1/proxies/:proxy/stats', async (req) =>
    proxies.get(req.params.proxy).stats(),
  );

  app.post('/ballast/v1/validate', async (req, reply) => {
    const list = isRecord(req.body) ? req.body.toxics : undefined;
    if (!Array.isArray(list)) throw ProxyErrors.badBody('expected {"toxics": [{"proxy": NAME, ...toxic}]}');
    const issues: Array<{ index: number; error: string; status: number }> = [];
    const toxics: unknown[] = [];
    const seen = new Set<string>();
    for (const [index, entry] of list.entries()) {
      try {
        if (!isRecord(entry) || typeof entry.proxy !== 'string')
          throw ProxyErrors.missingField('proxy (the proxy to add the toxic to)');
        if (entry.lease !== undefined && (typeof entry.lease !== 'string' || !registry.lease(entry.lease)))
          throw leaseGone(String(entry.lease));
        const toxic = proxies.checkToxic(entry.proxy, entry);
        const key = `${entry.proxy}\u0000${toxic.name}`;
        if (seen.has(key)) throw ProxyErrors.toxicExists();
        seen.add(key);
        toxics.push({ proxy: entry.proxy, ...toxicJson(toxic) });
      } catch (err) {
        if (!(err instanceof ProxyApiError)) throw err;
        issues.push({ index, error: err.message, status: err.status });
      }
    }
    if (issues.length === 0) return { ok: true, toxics };
    const summary = issues.map((i) => `toxic ${i.index + 1}: ${i.error}`).join('; ');
    return reply.code(400).send({ error: summary, status: 400, issues });
  });
};
