/** The types shared by the host fault manager and the fault drivers behind it. */
import type { CommandRunner } from './exec.ts';
import type { FaultKind, FaultSpec } from './spec.ts';
import type { UndoStack } from './undo.ts';

/** What a network fault did: the backend, every command that ran, and the root qdisc it found. */
export interface NetworkDetails {
  backend: 'tc' | 'nftables';
  interface: string;
  netns?: string;
  /** Each command that changed the host, in order (argv, without the `ip netns exec` prefix). */
  commands: string[][];
  /** The root qdisc before the fault, and who owned it. */
  priorRoot?: { kind: string; handle: string; owner: 'default' | 'ballast' | 'foreign' };
  /** The nftables table of a loss fault (`ballast_<id>`, family netdev). */
  table?: string;
  /** Why the fault was applied the way it was (a fallback, a replaced qdisc). */
  note?: string;
}

/** One process a process fault signalled. */
export interface ProcessTarget {
  pid: number;
  cmdline: string;
  /** Start time in clock ticks since boot (/proc/PID/stat field 22): tells a reused PID apart. */
  startTime: number;
}

/** What a kill or pause fault did. */
export interface ProcessDetails {
  signal: string;
  targets: ProcessTarget[];
  note?: string;
}

/** The child processes a stress fault runs. */
export interface StressDetails {
  pids: number[];
  /** cpu: the duty cycle each worker keeps; memory: the bytes resident in the holder when it was ready. */
  loadPct?: number;
  rssBytes?: number;
  note?: string;
}

export type FaultDetails = NetworkDetails | ProcessDetails | StressDetails;

/** A fault that is in effect. */
export interface AppliedFault {
  id: string;
  kind: FaultKind;
  spec: FaultSpec;
  /** ISO 8601, when apply finished. */
  appliedAt: string;
  details: FaultDetails;
}

/**
 * Where a fault is: `applying`, `active`, `reverting`, or `revert_failed` (some undo steps
 * failed; `pendingUndo` lists them, and calling revert again retries them).
 */
export type FaultState = 'applying' | 'active' | 'reverting' | 'revert_failed';

/** A fault as `list()` shows it; `appliedAt` and `details` once apply has finished. */
export interface ListedFault {
  id: string;
  kind: FaultKind;
  spec: FaultSpec;
  state: FaultState;
  appliedAt?: string;
  details?: FaultDetails;
  pendingUndo?: string[];
}

/** What a driver gets from the manager while applying one fault. */
export interface FaultContext {
  id: string;
  run: CommandRunner;
  /**
   * Claims an exclusive resource (`tc:<netns>:<dev>`, `pid:<pid>`) for this fault; throws a
   * `conflict` error naming the holder when another fault has it. Returns the release, which
   * the driver pushes onto its undo stack (so a failed apply and a revert both release it).
   */
  claim(key: string, what: string): () => void;
}

/** What a driver hands back: the details to show and the undo steps that revert the fault. */
export interface AppliedState {
  details: FaultDetails;
  undo: UndoStack;
}

/** Applies one fault all-or-nothing: on failure it has already undone its own steps. */
export type FaultDriver<S extends FaultSpec = FaultSpec> = (
  spec: S,
  ctx: FaultContext,
) => Promise<AppliedState>;
