/**
 * HTTP fault proxies on the fault daemon, under `/ballast/v1/http-proxies`:
 * create and delete reverse proxies, add rules (abort, delay, reset) bound to
 * a lease like toxics are, so a lapsed lease removes them.
 */
import type { FaultDaemonPlugin } from '../daemon/index.ts';
import { HttpFaultError, HttpFaultProxies } from '../http/index.ts';
import { ProxyApiError } from '../proxy/index.ts';
import { issuesError, takeLease } from './lease-body.ts';

export const HTTP_FAULT_KIND = 'http';
const SEP = '\u0000';

const STATUS: Record<HttpFaultError['code'], number> = {
  invalid_rule: 400,
  invalid_config: 400,
  not_found: 404,
  conflict: 409,
  listen_failed: 409,
};

/** HttpFaultError as the daemon's `{error, status}`, with every bad field in the message. */
function apiError(err: unknown): unknown {
  return err instanceof HttpFaultError ? issuesError(err.message, err.issues, STATUS[err.code]) : err;
}

type NameParams = { Params: { name: string } };
type RuleParams = { Params: { name: string; id: string } };

/** Mounts the HTTP fault mode on a daemon; `proxies` is exposed for tests and shutdown. */
export function httpFaultsPlugin(proxies = new HttpFaultProxies()): FaultDaemonPlugin {
  return async (app, { registry }) => {
    registry.register({
      kind: HTTP_FAULT_KIND,
      revert: async (id) => {
        const [proxy, rule] = id.split(SEP);
        if (proxy !== undefined && rule !== undefined) proxies.revertRule(proxy, rule);
      },
      list: () => proxies.list().flatMap((p) => p.rules().map((r) => `${p.name}${SEP}${r.id}`)),
    });
    app.addHook('onClose', async () => proxies.closeAll());
    const find = (name: string) => {
      const p = proxies.get(name);
      if (!p) throw new ProxyApiError(`http proxy not found: ${name}`, 404);
      return p;
    };

    app.get('/ballast/v1/http-proxies', async () => proxies.list().map((p) => p.info()));
    app.post('/ballast/v1/http-proxies', async (req, reply) => {
      try {
        const p = await proxies.create(req.body as never);
        return reply.code(201).send(p.info());
      } catch (err) {
        throw apiError(err);
      }
    });
    app.get<NameParams>('/ballast/v1/http-proxies/:name', async (req) => {
      const p = find(req.params.name);
      return { ...p.info(), stats: p.stats() };
    });
    app.delete<NameParams>('/ballast/v1/http-proxies/:name', async (req, reply) => {
      const p = find(req.params.name);
      for (const r of p.rules()) registry.unbind({ kind: HTTP_FAULT_KIND, id: `${p.name}${SEP}${r.id}` });
      await proxies.delete(p.name);
      return reply.code(204).send();
    });
    app.get<NameParams>('/ballast/v1/http-proxies/:name/rules', async (req) => find(req.params.name).rules());
    app.post<NameParams>('/ballast/v1/http-proxies/:name/rules', async (req, reply) => {
      const p = find(req.params.name);
      const { lease, fault } = takeLease(registry, req.body);
      try {
        // Check, add and bind with no await in between: the lease cannot lapse in a gap.
        const rule = p.addRule(fault as never);
        if (lease !== undefined)
          registry.bind(lease, { kind: HTTP_FAULT_KIND, id: `${p.name}${SEP}${rule.id}` });
        return reply.code(201).send(lease !== undefined ? { ...rule, lease } : rule);
      } catch (err) {
        throw apiError(err);
      }
    });
    app.delete<RuleParams>('/ballast/v1/http-proxies/:name/rules/:id', async (req, reply) => {
      const p = find(req.params.name);
      if (!p.removeRule(req.params.id))
        throw new ProxyApiError(`rule not found: ${req.params.id} on http proxy ${p.name}`, 404);
      registry.unbind({ kind: HTTP_FAULT_KIND, id: `${p.name}${SEP}${req.params.id}` });
      return reply.code(204).send();
    });
  };
}
