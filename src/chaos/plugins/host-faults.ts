/**
 * Host faults on the fault daemon, under `/ballast/v1/host-faults`: network
 * (tbf, netem or nftables loss), process kill/pause, CPU and memory stress on
 * the daemon's machine, each bound to a lease. Off unless the daemon is
 * started with `--host-faults`: they act on the whole host.
 */
import { randomUUID } from 'node:crypto';
import type { FaultDaemonPlugin } from '../daemon/index.ts';
import { HostFaultError, HostFaultManager } from '../host/index.ts';
import { startWatchdog, type Watchdog } from '../host/watchdog.ts';
import { ProxyApiError } from '../proxy/index.ts';
import { targetsAfterApply, targetsBeforeApply } from './host-watchdog.ts';
import { issuesError, takeLease } from './lease-body.ts';
import { NamespaceRecord, netnsExists } from './netns-record.ts';

export const HOST_FAULT_KIND = 'host';

const STATUS: Partial<Record<HostFaultError['code'], number>> = {
  invalid_spec: 400,
  unsupported: 501,
  permission: 403,
  not_found: 404,
  conflict: 409,
  refused: 409,
  reverted: 409,
};

/** HostFaultError as the daemon's `{error, status}`. */
function apiError(err: unknown): unknown {
  return err instanceof HostFaultError ? issuesError(err.message, err.issues, STATUS[err.code] ?? 500) : err;
}

export interface HostFaultsOptions {
  enabled: boolean;
  manager?: HostFaultManager;
  /**
   * Network namespaces (undefined: the host's own) swept at start for the tc
   * qdiscs and nftables tables a daemon killed hard left behind; default the
   * host's. Only one daemon with host faults may run per host: another live
   * one's faults look exactly like leftovers.
   */
  sweepNamespaces?: (string | undefined)[];
  /**
   * A file naming the network namespaces this daemon put faults in
   * ({@link NamespaceRecord}); at start the namespaces a previous daemon recorded
   * there are swept too. Without it only `sweepNamespaces` are.
   */
  namespacesFile?: string;
  /**
   * The dead man's switch (src/chaos/host/watchdog.ts): a detached process that
   * undoes this daemon's host faults if it dies, or is silent for `ttlMs`
   * (default 15 s). On by default with host faults; `false` turns it off.
   */
  watchdog?: false | { ttlMs?: number; log?: string };
}

/** How long a silent daemon may stay silent before its watchdog undoes its faults. */
export const WATCHDOG_TTL_MS = 15_000;

/** Mounts host faults; with `enabled: false` the routes exist and say how to turn them on. */
export function hostFaultsPlugin(opts: HostFaultsOptions): FaultDaemonPlugin {
  const manager = opts.manager ?? new HostFaultManager();
  return async (app, { registry, log }) => {
    const record = opts.enabled && opts.namespacesFile ? new NamespaceRecord(opts.namespacesFile) : undefined;
    if (opts.enabled) await sweepAtStart(manager, record, opts.sweepNamespaces ?? [undefined], log);
    const dog = opts.enabled && opts.watchdog !== false ? (opts.watchdog ?? {}) : undefined;
    const ttlMs = dog?.ttlMs ?? WATCHDOG_TTL_MS;
    const watchdog: Watchdog | undefined =
      dog && startWatchdog({ ttlMs, ...(dog.log ? { log: dog.log } : {}) });
    if (watchdog)
      log(
        `host faults: watchdog pid ${watchdog.pid} undoes them if this daemon dies or is silent for ${ttlMs} ms`,
      );
    const revert = async (id: string) => {
      await manager.revert(id);
      watchdog?.disarm(id);
    };
    const off = () => {
      if (!opts.enabled)
        throw new ProxyApiError(
          'host faults are off on this daemon: start it with `ballast chaos proxy --host-faults`',
          403,
        );
    };
    registry.register({
      kind: HOST_FAULT_KIND,
      revert,
      list: () => manager.list().map((f) => f.id),
    });
    // A daemon that stops takes its host faults with it.
    app.addHook('onClose', async () => {
      await manager.revertAll();
      await record?.clear();
      watchdog?.close();
    });

    app.get('/ballast/v1/host-faults', async () => {
      off();
      return manager.list();
    });
    app.post('/ballast/v1/host-faults', async (req, reply) => {
      off();
      const { lease, fault } = takeLease(registry, req.body);
      const id = `host-${randomUUID()}`;
      // Recorded before it is applied: a crash between apply and the next write must not hide it.
      const netns = (fault as { netns?: unknown } | undefined)?.netns;
      if (record && typeof netns === 'string') await record.add(netns);
      // Bound before it is applied: a lease that lapses mid-apply reverts it, and add rejects.
      if (lease !== undefined) registry.bind(lease, { kind: HOST_FAULT_KIND, id });
      watchdog?.arm(id, targetsBeforeApply(id, fault));
      try {
        const applied = await manager.add(fault, { id });
        const after = targetsAfterApply(applied);
        if (after.length > 0) watchdog?.arm(id, after);
        return reply.code(201).send(lease !== undefined ? { ...applied, lease } : applied);
      } catch (err) {
        watchdog?.disarm(id);
        registry.unbind({ kind: HOST_FAULT_KIND, id });
        throw apiError(err);
      }
    });
    app.delete<{ Params: { id: string } }>('/ballast/v1/host-faults/:id', async (req) => {
      const known = manager.get(req.params.id);
      if (!known) throw new ProxyApiError(`host fault not found: ${req.params.id}`, 404);
      try {
        await revert(req.params.id);
      } catch (err) {
        throw apiError(err);
      }
      registry.unbind({ kind: HOST_FAULT_KIND, id: req.params.id });
      return { reverted: req.params.id };
    });
  };
}

/**
 * Removes what a daemon killed hard left: Ballast's qdiscs and nftables tables in
 * `namespaces` and in those the previous daemon recorded, then forgets the record.
 * Child processes (stress, memory) die with a crashed daemon; kernel state does not.
 */
async function sweepAtStart(
  manager: HostFaultManager,
  record: NamespaceRecord | undefined,
  namespaces: (string | undefined)[],
  log: (line: string) => void,
): Promise<void> {
  const recorded = record ? await record.read() : { names: [] };
  if (recorded.problem) log(`host faults: ${recorded.problem}`);
  for (const netns of new Set([...namespaces, ...recorded.names])) {
    const where = netns === undefined ? 'the host' : `netns ${netns}`;
    // A namespace deleted since took its qdiscs and tables with it.
    if (netns !== undefined && !netnsExists(netns)) continue;
    try {
      const gone = await manager.sweepLeftovers(netns === undefined ? {} : { netns });
      for (const q of gone.qdiscs) log(`host faults: removed a leftover Ballast qdisc on ${q} (${where})`);
      for (const t of gone.tables) log(`host faults: removed a leftover nftables table ${t} (${where})`);
    } catch (err) {
      log(
        `host faults: could not sweep leftovers in ${where}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  await record?.clear();
}
