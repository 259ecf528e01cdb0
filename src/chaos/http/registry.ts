/**
 * The proxies of one process by name: what a daemon's JSON routes and the fault
 * lease reaper work against.
 */

import type { Random } from './decide.ts';
import { HttpFaultError, invalidInput } from './errors.ts';
import { createHttpFaultProxy, type HttpFaultProxy } from './proxy.ts';
import type { HttpFaultProxyConfig } from './schema.ts';
import { validateHttpFaultProxyConfig } from './validate.ts';

/** Options shared by every proxy the registry creates. */
export interface HttpFaultProxiesOptions {
  random?: Random;
}

/**
 * A set of named proxies.
 *
 * @example
 * const proxies = new HttpFaultProxies();
 * const p = await proxies.create({ name: 'orders', listen: '127.0.0.1:0', upstream: 'http://127.0.0.1:8080' });
 * const rule = p.addRule({ delay: { ms: 200 } });
 * // when the fault's lease lapses, from any code path, any number of times:
 * proxies.revertRule('orders', rule.id);
 */
export class HttpFaultProxies {
  readonly #proxies = new Map<string, HttpFaultProxy>();
  /** Names being created: taken, so two concurrent creates cannot both bind. */
  readonly #starting = new Set<string>();
  readonly #random: Random | undefined;

  constructor(options: HttpFaultProxiesOptions = {}) {
    this.#random = options.random;
  }

  /**
   * Validates the config (JSON welcome) and starts the proxy. Throws HttpFaultError
   * `invalid_config`, `conflict` (name taken) or `listen_failed`.
   */
  async create(config: HttpFaultProxyConfig): Promise<HttpFaultProxy> {
    const valid = validateHttpFaultProxyConfig(config);
    if (!valid.ok) throw invalidInput('invalid_config', valid.issues);
    const { name } = valid.value;
    if (this.#proxies.has(name) || this.#starting.has(name)) {
      throw new HttpFaultError('conflict', `a proxy named "${name}" already exists`, [
        { path: 'name', message: 'is already taken' },
      ]);
    }
    this.#starting.add(name);
    try {
      const proxy = await createHttpFaultProxy({
        ...valid.value,
        ...(this.#random ? { random: this.#random } : {}),
      });
      this.#proxies.set(name, proxy);
      return proxy;
    } finally {
      this.#starting.delete(name);
    }
  }

  get(name: string): HttpFaultProxy | undefined {
    return this.#proxies.get(name);
  }

  /** Every proxy, by name. */
  list(): HttpFaultProxy[] {
    return [...this.#proxies.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Closes and forgets a proxy; false when there was none of that name. */
  async delete(name: string): Promise<boolean> {
    const proxy = this.#proxies.get(name);
    if (proxy === undefined) return false;
    this.#proxies.delete(name);
    await proxy.close();
    return true;
  }

  /**
   * Removes one rule, ending its fault. Safe at any time and idempotent: false
   * (never a throw) when the proxy or the rule is already gone, so an expiring
   * lease can call it without knowing what happened since.
   */
  revertRule(proxyName: string, ruleId: string): boolean {
    return this.#proxies.get(proxyName)?.removeRule(ruleId) ?? false;
  }

  /** Closes every proxy (shutdown). */
  async closeAll(): Promise<void> {
    const proxies = [...this.#proxies.values()];
    this.#proxies.clear();
    await Promise.all(proxies.map((p) => p.close()));
  }
}
