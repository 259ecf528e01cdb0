/** `ballast chaos proxy` with its fault plugins: the same command in the full CLI and the daemon's own entry. */
import type { Command } from 'commander';
import { parseHostPort } from '../../chaos/proxy/address.ts';
import { registerChaosProxy } from './chaos-proxy.ts';

/**
 * Where a daemon on API port `port` records the namespaces it put faults in: one
 * file per port, so daemons on other ports (tests, a second daemon) keep apart.
 * Port 0 is a new port each start, so its daemon has no predecessor to find.
 */
export function defaultNamespacesFile(api: string): string | undefined {
  const parsed = parseHostPort(api, true);
  if (!parsed.ok || parsed.value.port === 0) return undefined;
  return `/run/ballast/host-faults-${parsed.value.port}.json`;
}

/** Registers `proxy` under `chaos`: TCP and HTTP fault proxies, and host faults with `--host-faults`. */
export function registerDaemon(chaos: Command): Command {
  // The plugins load when the daemon starts, not when another command registers this one.
  return registerChaosProxy(chaos, async (flags) => {
    const [{ httpFaultsPlugin }, { hostFaultsPlugin }] = await Promise.all([
      import('../../chaos/plugins/http-faults.ts'),
      import('../../chaos/plugins/host-faults.ts'),
    ]);
    const state = typeof flags.hostFaultsState === 'string' ? flags.hostFaultsState : undefined;
    const namespacesFile = state ?? defaultNamespacesFile(flags.api);
    return [
      httpFaultsPlugin(),
      hostFaultsPlugin({
        enabled: flags.hostFaults === true,
        ...(namespacesFile === undefined ? {} : { namespacesFile }),
        ...(typeof flags.watchdogLog === 'string' ? { watchdog: { log: flags.watchdogLog } } : {}),
      }),
    ];
  })
    .option(
      '--host-faults',
      'allow host faults (tc, nftables, signals, CPU and memory stress) on this machine; needs root',
    )
    .option(
      '--watchdog-log <file>',
      'append what the host-fault watchdog undoes (after this daemon died or hung) to this file',
    )
    .option(
      '--host-faults-state <file>',
      'where the daemon records the network namespaces it put faults in, swept at the next start after a crash (default /run/ballast/host-faults-<api port>.json)',
    );
}
