/**
 * All proxies of a daemon, with Toxiproxy's operations on them: create,
 * update (enable, disable, move), delete, populate (all or nothing), reset,
 * and toxics. Throws {@link ProxyApiError}s carrying Toxiproxy's statuses;
 * changes that bind ports run one at a time so two cannot interleave.
 */
import { Errors, ProxyApiError } from './errors.ts';
import { TcpProxy } from './proxy.ts';
import { parsePopulate, parseProxyCreate, parseProxyUpdate } from './proxy-spec.ts';
import { type Checked, parseNewToxic, parseToxicUpdate } from './toxic-spec.ts';
import type { ProxyConfig, Toxic } from './types.ts';

export interface ProxyCollectionOptions {
  /** One line per notable event; default stderr. */
  log?: (line: string) => void;
  /** Toxicity, jitter and loss rolls; default Math.random. */
  random?: () => number;
  /**
   * Called for every toxic that goes away, whatever the cause (deleted, reset,
   * its proxy deleted or replaced), so a lease registry can forget it.
   */
  onToxicRemoved?: (proxy: string, toxic: Toxic) => void;
}

/** The error with `where` (which populate entry) added to its message. */
function named(err: unknown, where: string): unknown {
  if (err instanceof ProxyApiError) return new ProxyApiError(`${err.message}${where}`, err.status);
  return err;
}

function unwrap<T>(r: Checked<T>): T {
  if (!r.ok) throw r.error;
  return r.value;
}

export class ProxyCollection {
  private readonly proxies = new Map<string, TcpProxy>();
  private readonly log: (line: string) => void;
  private readonly random: () => number;
  private readonly onToxicRemoved: (proxy: string, toxic: Toxic) => void;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: ProxyCollectionOptions = {}) {
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.random = opts.random ?? Math.random;
    this.onToxicRemoved = opts.onToxicRemoved ?? (() => {});
  }

  /** Runs changes that await (binding ports) one after another. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  private newProxy(config: ProxyConfig): TcpProxy {
    return new TcpProxy(config, { log: this.log, random: this.random });
  }

  /** Every proxy, by name. */
  list(): TcpProxy[] {
    return [...this.proxies.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The proxy called `name`; throws 404 `proxy not found`. */
  get(name: string): TcpProxy {
    const p = this.proxies.get(name);
    if (!p) throw Errors.proxyNotFound();
    return p;
  }

  /** Creates and (unless `enabled: false`) starts a proxy from a `POST /proxies` body. */
  create(body: unknown): Promise<TcpProxy> {
    const config = unwrap(parseProxyCreate(body));
    return this.exclusive(async () => {
      if (this.proxies.has(config.name)) throw Errors.proxyExists();
      const proxy = this.newProxy(config);
      if (config.enabled) await proxy.start();
      this.proxies.set(config.name, proxy);
      return proxy;
    });
  }

  /**
   * Applies a `POST /proxies/{proxy}` body. A new listen address is bound before
   * the old one is let go, so a failed move leaves the proxy as it was. A new
   * upstream drops the live connections, as Toxiproxy restarts the proxy.
   */
  update(name: string, body: unknown): Promise<TcpProxy> {
    return this.exclusive(async () => {
      const proxy = this.get(name);
      const current: ProxyConfig = {
        name,
        listen: proxy.listen,
        upstream: proxy.upstream,
        enabled: proxy.enabled,
      };
      const next = unwrap(parseProxyUpdate(current, body));
      if (!proxy.listensOn(next.listen)) {
        const server = next.enabled ? await proxy.bind(next.listen) : undefined;
        proxy.stop();
        proxy.configuredListen = next.listen;
        proxy.listen = next.listen;
        proxy.upstream = next.upstream;
        if (server) proxy.adopt(server);
        return proxy;
      }
      if (next.upstream !== proxy.upstream) {
        proxy.dropConnections();
        proxy.upstream = next.upstream;
      }
      if (next.enabled) await proxy.start();
      else proxy.stop();
      return proxy;
    });
  }

  /** Deletes a proxy: its listener closes, its connections drop, its toxics go. */
  remove(name: string): void {
    const proxy = this.get(name);
    proxy.stop();
    this.proxies.delete(name);
    for (const t of proxy.toxics()) this.onToxicRemoved(name, t);
  }

  /**
   * Creates or replaces the proxies of a populate body (Toxiproxy's config
   * format). Every entry is checked and every new listener bound before any
   * existing proxy changes; a proxy whose listen and upstream are unchanged is
   * kept as it is, toxics and all. Returns the proxies of the body, in order.
   */
  populate(body: unknown): Promise<TcpProxy[]> {
    const configs = unwrap(parsePopulate(body));
    return this.exclusive(async () => {
      const plan = configs.map((config) => {
        const existing = this.proxies.get(config.name);
        const keep = existing?.listensOn(config.listen) && existing.upstream === config.upstream;
        return { config, existing, keep: keep === true, proxy: keep ? existing : this.newProxy(config) };
      });
      const replaced = plan.filter((p) => p.existing && !p.keep).map((p) => p.existing as TcpProxy);
      // A replacement may reuse the port its predecessor holds: that one binds after the swap.
      const later = (c: ProxyConfig) => replaced.some((r) => r.listensOn(c.listen));
      const bound: TcpProxy[] = [];
      for (const [i, p] of plan.entries()) {
        if (p.keep || !p.config.enabled || later(p.config)) continue;
        try {
          await (p.proxy as TcpProxy).start();
        } catch (err) {
          for (const b of bound) b.stop();
          throw named(err, ` at proxy ${i + 1} (${p.config.name})`);
        }
        bound.push(p.proxy as TcpProxy);
      }
      for (const r of replaced) {
        r.stop();
        for (const t of r.toxics()) this.onToxicRemoved(r.name, t);
      }
      for (const p of plan) this.proxies.set(p.config.name, p.proxy as TcpProxy);
      for (const [i, p] of plan.entries()) {
        if (p.keep || !p.config.enabled || !later(p.config)) continue;
        // The predecessor let the port go a moment ago; failing now leaves this one disabled.
        await (p.proxy as TcpProxy).start().catch((err) => {
          throw named(err, ` at proxy ${i + 1} (${p.config.name})`);
        });
      }
      return plan.map((p) => p.proxy as TcpProxy);
    });
  }

  /** Enables every proxy and removes every toxic (Toxiproxy's `POST /reset`). */
  reset(): Promise<void> {
    return this.exclusive(async () => {
      for (const proxy of this.proxies.values()) {
        for (const t of proxy.toxics()) {
          proxy.removeToxic(t.name);
          this.onToxicRemoved(proxy.name, t);
        }
        await proxy.start();
      }
    });
  }

  /**
   * Adds a toxic from a `POST /proxies/{proxy}/toxics` body; `lease` binds it
   * (the caller has checked the lease). Throws 404, 400 or 409 as Toxiproxy.
   */
  addToxic(proxyName: string, body: unknown, lease?: string): Toxic {
    const proxy = this.get(proxyName);
    const toxic = unwrap(parseNewToxic(body));
    if (proxy.toxic(toxic.name)) throw Errors.toxicExists();
    if (lease !== undefined) toxic.lease = lease;
    proxy.addToxic(toxic);
    return toxic;
  }

  /** Checks a toxic body as {@link addToxic} would, without adding it. */
  checkToxic(proxyName: string, body: unknown): Toxic {
    const proxy = this.get(proxyName);
    const toxic = unwrap(parseNewToxic(body));
    if (proxy.toxic(toxic.name)) throw Errors.toxicExists();
    return toxic;
  }

  /** Applies a `POST /proxies/{proxy}/toxics/{toxic}` body to live connections too. */
  updateToxic(proxyName: string, toxicName: string, body: unknown): Toxic {
    const proxy = this.get(proxyName);
    const current = proxy.toxic(toxicName);
    if (!current) throw Errors.toxicNotFound();
    const next = unwrap(parseToxicUpdate(current, body));
    proxy.updateToxic(next);
    return next;
  }

  /** Removes a toxic; throws 404 when the proxy or the toxic is not there. */
  removeToxic(proxyName: string, toxicName: string): Toxic {
    const toxic = this.get(proxyName).removeToxic(toxicName);
    if (!toxic) throw Errors.toxicNotFound();
    this.onToxicRemoved(proxyName, toxic);
    return toxic;
  }

  /** Stops every proxy (the daemon is shutting down). */
  close(): void {
    for (const p of this.proxies.values()) p.stop();
  }
}
