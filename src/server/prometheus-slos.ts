import { evaluatePrometheusSlo, PrometheusClient } from '../slo/index.ts';
import type { SloDefinition } from '../slo/model.ts';
import type { Store } from '../store/types.ts';
import type { ExternalEvaluator } from './runtime.ts';

/** Where a DataSource document keeps its URL (OpenSLO `connectionDetails`, with common spellings). */
export function dataSourceUrl(body: unknown): string | undefined {
  const spec = (body as { spec?: { connectionDetails?: Record<string, unknown> } } | undefined)?.spec;
  const details = spec?.connectionDetails ?? {};
  for (const key of ['url', 'address', 'prometheusUrl', 'baseUrl']) {
    const value = details[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** Where Prometheus-backed SLOs are queried when their DataSource names no URL. */
export const DEFAULT_PROMETHEUS_URL = 'http://127.0.0.1:9090';

/**
 * The Prometheus base URL of an SLO: its DataSource document's URL, else
 * `BALLAST_PROMETHEUS_URL`, else {@link DEFAULT_PROMETHEUS_URL}.
 */
export async function prometheusUrlFor(store: Store, def: SloDefinition): Promise<string> {
  const source = def.indicator.source;
  if (source.kind === 'prometheus' && source.dataSource) {
    const docs = await store.listDocuments('DataSource');
    const doc = docs.find((d) => d.name === source.dataSource);
    const url = doc ? dataSourceUrl(doc.body) : undefined;
    if (url) return url;
  }
  // Sloth files and DataSources without a URL mean "the Prometheus next to Ballast".
  return process.env.BALLAST_PROMETHEUS_URL ?? DEFAULT_PROMETHEUS_URL;
}

/** The (cached) client for an SLO's Prometheus. */
export async function clientFor(
  store: Store,
  def: SloDefinition,
  clients: Map<string, PrometheusClient> = new Map(),
): Promise<PrometheusClient> {
  const url = await prometheusUrlFor(store, def);
  let client = clients.get(url);
  if (!client) {
    client = new PrometheusClient({ url });
    clients.set(url, client);
  }
  return client;
}

/** Evaluates Prometheus-backed SLOs through their DataSource, one client per URL. */
export function prometheusEvaluator(store: Store): ExternalEvaluator {
  const clients = new Map<string, PrometheusClient>();
  return async (def, now, previous) =>
    evaluatePrometheusSlo(def, await clientFor(store, def, clients), now, previous?.alerts);
}
