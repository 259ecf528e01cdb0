/**
 * The controller's side of the fault daemon: one typed method per route of
 * the Toxiproxy-compatible API and of Ballast's extensions. A non-2xx answer
 * throws {@link FaultDaemonError} carrying the daemon's error body.
 */
import type { ProxyStats, Stream, ToxicType } from '../proxy/index.ts';
import type { LeaseJson, LeaseWithFaultsJson, ProxyJson, ToxicJson } from './json.ts';
import type { FailedRevert, FaultRef } from './registry.ts';

/** The daemon's error body: Toxiproxy's `{error, status}`, sometimes with more (issues, proxies). */
export interface DaemonErrorBody {
  error: string;
  status: number;
  [key: string]: unknown;
}

/** A request the daemon refused, or could not be reached for (`status` 0). */
export class FaultDaemonError extends Error {
  readonly status: number;
  readonly body: DaemonErrorBody;
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, status: number, body: DaemonErrorBody) {
    super(`${method} ${path}: ${status === 0 ? '' : `${status} `}${body.error}`);
    this.name = 'FaultDaemonError';
    this.status = status;
    this.body = body;
    this.method = method;
    this.path = path;
  }
}

export interface NewProxy {
  name: string;
  /** Default `127.0.0.1:0` (a free port; read the bound one from the answer). */
  listen?: string;
  upstream: string;
  enabled?: boolean;
}

export interface NewToxic {
  /** Default `<type>_<stream>`. */
  name?: string;
  type: ToxicType;
  /** Default downstream. */
  stream?: Stream;
  /** Default 1. */
  toxicity?: number;
  attributes?: Record<string, number | string>;
  /** Binds the toxic to this lease: it goes when the lease lapses or is released. */
  lease?: string;
}

export interface ReleasedLease {
  lease: LeaseJson;
  reverted: FaultRef[];
  failed: FailedRevert[];
}

export interface HaltResult {
  released_leases: number;
  reverted_faults: number;
  reverted: FaultRef[];
  failed: FailedRevert[];
}

/** `GET /ballast/v1/proxies/{name}/stats`: the proxy's own counters, as they are. */
export type ProxyStatsJson = ProxyStats;

export interface ClientOptions {
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

const seg = encodeURIComponent;

/**
 * @example
 * const daemon = new FaultDaemonClient('http://127.0.0.1:8474');
 * const lease = await daemon.createLease({ holder: 'exp-1', ttlMs: 15_000 });
 * await daemon.addToxic('pg', { type: 'latency', attributes: { latency: 200 }, lease: lease.id });
 */
export class FaultDaemonClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, opts: ClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const why =
        err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new FaultDaemonError(method, path, 0, {
        error: `fault daemon at ${this.baseUrl} unreachable: ${why}`,
        status: 0,
      });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const errorBody =
        typeof json === 'object' && json !== null && typeof (json as DaemonErrorBody).error === 'string'
          ? (json as DaemonErrorBody)
          : { error: text.trim() || res.statusText, status: res.status };
      throw new FaultDaemonError(method, path, res.status, errorBody);
    }
    return json as T;
  }

  // Toxiproxy API

  async version(): Promise<string> {
    return (await this.call<{ version: string }>('GET', '/version')).version;
  }
  proxies(): Promise<Record<string, ProxyJson>> {
    return this.call('GET', '/proxies');
  }
  proxy(name: string): Promise<ProxyJson> {
    return this.call('GET', `/proxies/${seg(name)}`);
  }
  createProxy(proxy: NewProxy): Promise<ProxyJson> {
    return this.call('POST', '/proxies', proxy);
  }
  /** Changes `enabled`, `listen` or `upstream`; the rest stays. */
  updateProxy(name: string, patch: Partial<Omit<NewProxy, 'name'>>): Promise<ProxyJson> {
    return this.call('POST', `/proxies/${seg(name)}`, patch);
  }
  async deleteProxy(name: string): Promise<void> {
    await this.call('DELETE', `/proxies/${seg(name)}`);
  }
  /** Creates or replaces proxies, all or nothing. */
  async populate(proxies: NewProxy[]): Promise<ProxyJson[]> {
    return (await this.call<{ proxies: ProxyJson[] }>('POST', '/populate', proxies)).proxies;
  }
  /** Enables every proxy and removes every toxic. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }
  toxics(proxy: string): Promise<ToxicJson[]> {
    return this.call('GET', `/proxies/${seg(proxy)}/toxics`);
  }
  toxic(proxy: string, name: string): Promise<ToxicJson> {
    return this.call('GET', `/proxies/${seg(proxy)}/toxics/${seg(name)}`);
  }
  addToxic(proxy: string, toxic: NewToxic): Promise<ToxicJson> {
    return this.call('POST', `/proxies/${seg(proxy)}/toxics`, toxic);
  }
  /** Merges `attributes` over the current ones; toxicity stays unless given. */
  updateToxic(
    proxy: string,
    name: string,
    patch: { attributes?: Record<string, number | string>; toxicity?: number },
  ): Promise<ToxicJson> {
    return this.call('POST', `/proxies/${seg(proxy)}/toxics/${seg(name)}`, patch);
  }
  async removeToxic(proxy: string, name: string): Promise<void> {
    await this.call('DELETE', `/proxies/${seg(proxy)}/toxics/${seg(name)}`);
  }

  // Ballast extensions

  createLease(req: { holder: string; ttlMs?: number }): Promise<LeaseJson> {
    return this.call('POST', '/ballast/v1/leases', { holder: req.holder, ttl_ms: req.ttlMs });
  }
  /** Throws FaultDaemonError 404 when the lease lapsed or was released: its faults are gone. */
  renewLease(id: string): Promise<LeaseJson> {
    return this.call('POST', `/ballast/v1/leases/${seg(id)}/renew`);
  }
  /** Reverts every fault under the lease and ends it. */
  releaseLease(id: string): Promise<ReleasedLease> {
    return this.call('DELETE', `/ballast/v1/leases/${seg(id)}`);
  }
  leases(): Promise<LeaseWithFaultsJson[]> {
    return this.call('GET', '/ballast/v1/leases');
  }
  lease(id: string): Promise<LeaseWithFaultsJson> {
    return this.call('GET', `/ballast/v1/leases/${seg(id)}`);
  }
  /** Reverts every leased fault and releases every lease; with `all`, unleased toxics too. */
  halt(opts: { all?: boolean } = {}): Promise<HaltResult> {
    return this.call('POST', '/ballast/v1/halt', opts.all ? { all: true } : {});
  }
  /** Every toxic on the daemon, with its lease if any. */
  faults(): Promise<Array<FaultRef & { lease?: string }>> {
    return this.call('GET', '/ballast/v1/faults');
  }
  proxyStats(proxy: string): Promise<ProxyStatsJson> {
    return this.call('GET', `/ballast/v1/proxies/${seg(proxy)}/stats`);
  }
  /**
   * Checks toxics as adding them would, without adding any. Throws 400 with
   * `body.issues` ([{index, error, status}]) listing every bad entry.
   */
  validateToxics(
    toxics: Array<NewToxic & { proxy: string }>,
  ): Promise<{ ok: true; toxics: Array<ToxicJson & { proxy: string }> }> {
    return this.call('POST', '/ballast/v1/validate', { toxics });
  }

  // HTTP fault proxies and host faults (the daemon's plugins, src/chaos/plugins)

  httpProxy(name: string): Promise<Record<string, unknown>> {
    return this.call('GET', `/ballast/v1/http-proxies/${seg(name)}`);
  }
  /** Adds an HTTP fault rule (camelCase, src/chaos/http), bound to `lease` when given. */
  addHttpRule(proxy: string, rule: Record<string, unknown>): Promise<{ id: string; lease?: string }> {
    return this.call('POST', `/ballast/v1/http-proxies/${seg(proxy)}/rules`, rule);
  }
  async removeHttpRule(proxy: string, id: string): Promise<void> {
    await this.call('DELETE', `/ballast/v1/http-proxies/${seg(proxy)}/rules/${seg(id)}`);
  }
  hostFaults(): Promise<Array<{ id: string }>> {
    return this.call('GET', '/ballast/v1/host-faults');
  }
  /** Applies a host fault (src/chaos/host), bound to `lease` when given; 403 unless the daemon runs with --host-faults. */
  addHostFault(spec: Record<string, unknown>): Promise<{ id: string; details?: unknown }> {
    return this.call('POST', '/ballast/v1/host-faults', spec);
  }
  async removeHostFault(id: string): Promise<void> {
    await this.call('DELETE', `/ballast/v1/host-faults/${seg(id)}`);
  }
}
