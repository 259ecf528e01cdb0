/**
 * The controller's side of fault leases: a {@link FaultPort} that applies
 * faults through fault daemons (`ballast chaos proxy`), each under one lease
 * per daemon that this controller renews every third of its TTL. If the
 * controller dies, renewals stop and the daemon reverts the faults itself
 * when the lease lapses; if a renewal finds the lease gone, the run aborts.
 */
import type { FaultHandle, FaultPort, FaultStep } from './runner.ts';

/** An answer from a fault daemon that was not 2xx, with its Toxiproxy-style `{error, status}` body. */
export class DaemonError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function call(
  daemon: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(`${daemon.replace(/\/+$/, '')}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new DaemonError(
      0,
      `cannot reach the fault daemon at ${daemon} (${cause}); is \`ballast chaos proxy\` running?`,
    );
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { error: text.slice(0, 200) };
  }
  if (!res.ok)
    throw new DaemonError(
      res.status,
      `${daemon} ${method} ${path}: ${String(json.error ?? `HTTP ${res.status}`)}`,
    );
  return json;
}

interface DaemonLease {
  daemon: string;
  id: string;
  timer: NodeJS.Timeout;
}

export interface DaemonFaults extends FaultPort {
  /** The leases held now, for the server (a halt there releases them directly). */
  leases(): { daemon: string; id: string }[];
  /** Releases every lease (reverting whatever is still held under it) and stops renewing. */
  close(): Promise<void>;
}

/** Where each fault kind lives on a daemon, and how to take it back. */
function faultRoutes(
  step: FaultStep,
  lease: string,
): { path: string; body: unknown; undo: (r: Record<string, unknown>) => string } {
  const b = step.body;
  if (step.fault === 'toxic') {
    const { proxy, ...toxic } = b;
    const name = typeof toxic.name === 'string' ? toxic.name : `${step.name}`;
    const p = `/proxies/${encodeURIComponent(String(proxy))}/toxics`;
    return { path: p, body: { ...toxic, name, lease }, undo: () => `${p}/${encodeURIComponent(name)}` };
  }
  if (step.fault === 'http') {
    const { proxy, rule } = b;
    const p = `/ballast/v1/http-proxies/${encodeURIComponent(String(proxy))}/rules`;
    return {
      path: p,
      body: { ...(rule as Record<string, unknown>), lease },
      undo: (r) => `${p}/${encodeURIComponent(String(r.id))}`,
    };
  }
  return {
    path: '/ballast/v1/host-faults',
    body: { ...b, lease },
    undo: (r) => `/ballast/v1/host-faults/${encodeURIComponent(String(r.id))}`,
  };
}

/**
 * Faults through daemons under leases held for `holder`.
 *
 * @example
 * const faults = createDaemonFaults({ holder: 'chaos run db-latency', ttlMs: 15_000 });
 * const run = await runExperiment(def, { faults, probes });
 * await faults.close();
 */
export function createDaemonFaults(opts: { holder: string; ttlMs: number }): DaemonFaults {
  const leases = new Map<string, Promise<DaemonLease>>();
  const listeners: ((reason: string) => void)[] = [];
  let closed = false;
  const lost = (reason: string) => {
    for (const l of listeners) l(reason);
  };

  const leaseFor = (daemon: string): Promise<DaemonLease> => {
    let p = leases.get(daemon);
    if (!p) {
      p = (async () => {
        const created = await call(daemon, 'POST', '/ballast/v1/leases', {
          holder: opts.holder,
          ttl_ms: opts.ttlMs,
        });
        const id = String(created.id);
        const timer = setInterval(
          () => {
            call(daemon, 'POST', `/ballast/v1/leases/${encodeURIComponent(id)}/renew`).catch(
              (err: unknown) => {
                if (closed) return;
                // Only a 404 means the daemon gave the faults up; a blip is retried at the next renewal.
                if (err instanceof DaemonError && err.status === 404) {
                  clearInterval(timer);
                  lost(`the daemon at ${daemon} no longer holds lease ${id}; it has reverted its faults`);
                }
              },
            );
          },
          Math.max(250, Math.floor(opts.ttlMs / 3)),
        );
        return { daemon, id, timer };
      })();
      leases.set(daemon, p);
      // A failed lease creation is retried on the next fault rather than cached.
      p.catch(() => leases.delete(daemon));
    }
    return p;
  };

  const settled: DaemonLease[] = [];
  return {
    async apply(step: FaultStep): Promise<FaultHandle> {
      if (closed) throw new Error('the fault port is closed');
      const lease = await leaseFor(step.daemon);
      if (!settled.includes(lease)) settled.push(lease);
      const route = faultRoutes(step, lease.id);
      const created = await call(step.daemon, 'POST', route.path, route.body);
      const undo = route.undo(created);
      return {
        async revert() {
          try {
            await call(step.daemon, 'DELETE', undo);
          } catch (err) {
            // Already gone (lease lapsed, halted, removed by hand) is what a revert wants.
            if (!(err instanceof DaemonError && err.status === 404)) throw err;
          }
        },
      };
    },
    onLeaseLost(listener) {
      listeners.push(listener);
    },
    leases: () => settled.map((l) => ({ daemon: l.daemon, id: l.id })),
    async close() {
      closed = true;
      const all = await Promise.allSettled([...leases.values()]);
      await Promise.all(
        all.map(async (r) => {
          if (r.status !== 'fulfilled') return;
          clearInterval(r.value.timer);
          await call(r.value.daemon, 'DELETE', `/ballast/v1/leases/${encodeURIComponent(r.value.id)}`).catch(
            () => {},
          );
        }),
      );
    },
  };
}
