/**
 * Host faults' public face: the manager that applies and reverts faults on this
 * Linux host (netem and tbf through tc, loss through nftables, kill and pause,
 * CPU stress, memory pressure), the spec schemas, the error type and the kernel
 * capability probe. Other modules import from here, never from the files behind it.
 */

export { type Capability, type NetworkCapabilities, probeNetworkCapabilities } from './capabilities.ts';
export {
  HostFaultError,
  type HostFaultErrorCode,
  type HostFaultIssue,
  NETEM_MISSING,
} from './errors.ts';
export { type Command, CommandError, type CommandOutput, type CommandRunner, systemRunner } from './exec.ts';
export type { Leftovers } from './leftovers.ts';
export { HostFaultManager, type HostFaultManagerOptions } from './manager.ts';
export {
  type BandwidthSpec,
  BandwidthSpecSchema,
  type CpuSpec,
  CpuSpecSchema,
  DestinationSchema,
  type DestinationSpec,
  FAULT_KINDS,
  type FaultKind,
  type FaultSpec,
  type KillSpec,
  KillSpecSchema,
  type MemorySpec,
  MemorySpecSchema,
  type NetemSpec,
  NetemSpecSchema,
  type PauseSpec,
  PauseSpecSchema,
  type Validated,
  validateFaultSpec,
} from './spec.ts';
export type {
  AppliedFault,
  FaultDetails,
  FaultState,
  ListedFault,
  NetworkDetails,
  ProcessDetails,
  ProcessTarget,
  StressDetails,
} from './types.ts';
