/**
 * The controller's side of fault leases: a {@link FaultPort} that applies
 * faults through fault daemons (`ballast chaos proxy`), each under one lease
 * per daemon kept alive by a {@link LeaseKeeper}. If the controller dies,
 * renewals stop and the daemon reverts the faults itself when the lease
 * lapses; if a renewal finds the lease gone, the run aborts.
 */
import { FaultDaemonClient, FaultDaemonError, LeaseKeeper } from '../daemon/index.ts';
import type { FaultHandle, FaultPort, FaultStep } from './runner.ts';

export interface DaemonFaults extends FaultPort {
  /** The leases held now, for the server (a halt there releases them directly). */
  leases(): { daemon: string; id: string }[];
  /** Releases every lease (reverting whatever is still held under it) and stops renewing. */
  close(): Promise<void>;
}

/** Reverting something already gone (lease lapsed, halted, removed by hand) is what a revert wants. */
async function gone(undo: () => Promise<void>): Promise<void> {
  try {
    await undo();
  } catch (err) {
    if (!(err instanceof FaultDaemonError && err.status === 404)) throw err;
  }
}

async function applyOne(client: FaultDaemonClient, step: FaultStep, lease: string): Promise<FaultHandle> {
  const b = step.body;
  if (step.fault === 'toxic') {
    const { proxy, ...toxic } = b;
    const name = typeof toxic.name === 'string' ? toxic.name : step.name;
    await client.addToxic(String(proxy), { ...toxic, name, lease } as never);
    return { revert: () => gone(() => client.removeToxic(String(proxy), name)) };
  }
  if (step.fault === 'http') {
    const proxy = String(b.proxy);
    const rule = await client.addHttpRule(proxy, { ...(b.rule as Record<string, unknown>), lease });
    return { revert: () => gone(() => client.removeHttpRule(proxy, rule.id)) };
  }
  const fault = await client.addHostFault({ ...b, lease });
  return { revert: () => gone(() => client.removeHostFault(fault.id)) };
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
  const keepers = new Map<
    string,
    { client: FaultDaemonClient; keeper: LeaseKeeper; ready: Promise<string> }
  >();
  const listeners: ((reason: string) => void)[] = [];
  let closed = false;

  const keeperFor = (daemon: string) => {
    let k = keepers.get(daemon);
    if (!k) {
      const client = new FaultDaemonClient(daemon);
      const keeper = new LeaseKeeper(client, {
        holder: opts.holder,
        ttlMs: opts.ttlMs,
        onLost: (lease) => {
          if (closed) return;
          for (const l of listeners)
            l(`the daemon at ${daemon} no longer holds lease ${lease.id}; it has reverted its faults`);
        },
      });
      const ready = keeper.start().then((lease) => lease.id);
      k = { client, keeper, ready };
      keepers.set(daemon, k);
      // A failed lease creation is retried on the next fault rather than cached.
      ready.catch(() => keepers.delete(daemon));
    }
    return k;
  };

  return {
    async apply(step: FaultStep): Promise<FaultHandle> {
      if (closed) throw new Error('the fault port is closed');
      const k = keeperFor(step.daemon);
      return applyOne(k.client, step, await k.ready);
    },
    onLeaseLost(listener) {
      listeners.push(listener);
    },
    leases: () =>
      [...keepers].flatMap(([daemon, k]) => (k.keeper.lease ? [{ daemon, id: k.keeper.lease.id }] : [])),
    async close() {
      closed = true;
      await Promise.all([...keepers.values()].map((k) => k.keeper.stop().catch(() => {})));
    },
  };
}
