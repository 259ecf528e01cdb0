/**
 * What the watchdog (src/chaos/host/watchdog.ts) must undo for a host fault if
 * the daemon dies. Network faults are armed before they are applied (their
 * interface is in the spec: a crash mid-apply is covered too); a pause is
 * armed once its targets are chosen. Kill needs nothing; CPU and memory
 * stress children end with the daemon by themselves.
 */
import type { AppliedFault, ProcessDetails } from '../host/index.ts';
import { nftTableName } from '../host/nft.ts';
import type { WatchdogTarget } from '../host/watchdog.ts';

/** Targets known from the request body alone (not validated yet: a bad body arms nothing useful and is disarmed). */
export function targetsBeforeApply(id: string, fault: unknown): WatchdogTarget[] {
  const f = fault as { kind?: unknown; interface?: unknown; netns?: unknown } | undefined;
  if ((f?.kind !== 'netem' && f?.kind !== 'bandwidth') || typeof f.interface !== 'string') return [];
  const netns = typeof f.netns === 'string' ? { netns: f.netns } : {};
  const targets: WatchdogTarget[] = [{ kind: 'qdisc', dev: f.interface, ...netns }];
  // Loss without netem goes through nftables instead, in a table named after the fault.
  if (f.kind === 'netem') targets.push({ kind: 'nft', table: nftTableName(id), ...netns });
  return targets;
}

/** Targets known once the fault is applied: the processes a pause stopped. */
export function targetsAfterApply(applied: AppliedFault): WatchdogTarget[] {
  if (applied.kind !== 'pause') return [];
  return (applied.details as ProcessDetails).targets.map((t) => ({
    kind: 'resume' as const,
    pid: t.pid,
    startTime: t.startTime,
  }));
}
