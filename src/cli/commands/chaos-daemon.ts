/** `ballast chaos proxy` with its fault plugins: the same command in the full CLI and the daemon's own entry. */
import type { Command } from 'commander';
import { hostFaultsPlugin } from '../../chaos/plugins/host-faults.ts';
import { httpFaultsPlugin } from '../../chaos/plugins/http-faults.ts';
import { registerChaosProxy } from './chaos-proxy.ts';

/** Registers `proxy` under `chaos`: TCP and HTTP fault proxies, and host faults with `--host-faults`. */
export function registerDaemon(chaos: Command): Command {
  return registerChaosProxy(chaos, (flags) => [
    httpFaultsPlugin(),
    hostFaultsPlugin({ enabled: flags.hostFaults === true }),
  ]).option(
    '--host-faults',
    'allow host faults (tc, nftables, signals, CPU and memory stress) on this machine; needs root',
  );
}
