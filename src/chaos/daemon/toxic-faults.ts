/**
 * Toxics as a fault kind of the registry: a leased toxic's fault id is
 * `<proxy>/<toxic>` (each part URI-encoded), reverting it removes the toxic.
 */
import { ProxyApiError, type ProxyCollection } from '../proxy/index.ts';
import type { FaultManager } from './registry.ts';

export const TOXIC_KIND = 'toxic';

/** The fault id of a toxic: `pg/latency_downstream`. */
export function toxicFaultId(proxy: string, toxic: string): string {
  return `${encodeURIComponent(proxy)}/${encodeURIComponent(toxic)}`;
}

function parseToxicFaultId(id: string): { proxy: string; toxic: string } | undefined {
  const parts = id.split('/');
  if (parts.length !== 2) return undefined;
  return { proxy: decodeURIComponent(parts[0] as string), toxic: decodeURIComponent(parts[1] as string) };
}

/** The registry's manager for toxics of `proxies`; a toxic already gone counts as reverted. */
export function toxicFaultManager(proxies: ProxyCollection): FaultManager {
  return {
    kind: TOXIC_KIND,
    async revert(id) {
      const ref = parseToxicFaultId(id);
      if (!ref) throw new Error(`"${id}" is not a toxic fault id (proxy/toxic)`);
      try {
        proxies.removeToxic(ref.proxy, ref.toxic);
      } catch (err) {
        if (!(err instanceof ProxyApiError && err.status === 404)) throw err;
      }
    },
    list: () => proxies.list().flatMap((p) => p.toxics().map((t) => toxicFaultId(p.name, t.name))),
  };
}
