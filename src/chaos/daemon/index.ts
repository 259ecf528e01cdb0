/**
 * The fault daemon's public face: the daemon itself (Toxiproxy-compatible API
 * plus leases), the fault registry other fault kinds plug into, and the
 * controller-side client and lease keeper.
 */
export {
  type ClientOptions,
  type DaemonErrorBody,
  FaultDaemonClient,
  FaultDaemonError,
  type HaltResult,
  type NewProxy,
  type NewToxic,
  type ProxyStatsJson,
  type ReleasedLease,
} from './client.ts';
export {
  createFaultDaemon,
  type FaultDaemon,
  type FaultDaemonContext,
  type FaultDaemonOptions,
  type FaultDaemonPlugin,
} from './daemon.ts';
export type { LeaseJson, LeaseWithFaultsJson, ProxyJson, ToxicJson } from './json.ts';
export { LeaseKeeper, type LeaseKeeperOptions } from './lease-keeper.ts';
export {
  type FailedRevert,
  type FaultManager,
  type FaultRef,
  FaultRegistry,
  type FaultRegistryOptions,
  type HaltReport,
  type RevertReport,
} from './registry.ts';
export { TOXIC_KIND, toxicFaultId } from './toxic-faults.ts';
export { TOXIPROXY_API_VERSION } from './toxiproxy-routes.ts';
