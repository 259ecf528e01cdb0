/**
 * The fault registry: which faults each lease holds, and how to revert a
 * fault of each kind. Fault kinds (toxics here; host faults and HTTP fault
 * rules elsewhere) register a {@link FaultManager}; binding a fault to a
 * lease is the same call for all of them, and so is reverting everything
 * when a lease lapses, is released, or the operator halts.
 */
import { type Lease, type LeaseRequest, type LeaseResult, LeaseTable } from '../lease/index.ts';

/** One fault: its kind (`toxic`, `host`, `http`, ...) and its id within the kind. */
export interface FaultRef {
  kind: string;
  id: string;
}

/**
 * How the registry reaches the faults of one kind.
 *
 * @example
 * registry.register({
 *   kind: 'host',
 *   revert: async (id) => hostFaults.remove(id), // a fault already gone is fine
 *   list: () => hostFaults.ids(),
 * });
 */
export interface FaultManager {
  readonly kind: string;
  /** Removes the fault. Must be idempotent: a fault already gone is not an error. */
  revert(id: string): Promise<void>;
  /** Every fault of this kind now active, leased or not (for `halt` with `all`). */
  list?(): string[] | Promise<string[]>;
}

export interface FailedRevert extends FaultRef {
  error: string;
}

export interface RevertReport {
  reverted: FaultRef[];
  failed: FailedRevert[];
}

export interface HaltReport extends RevertReport {
  /** Leases released. */
  leases: number;
}

export interface FaultRegistryOptions {
  /** Epoch milliseconds; default a monotonic clock anchored at process start. */
  now?: () => number;
  /** One line per reverted fault; default stderr. */
  log?: (line: string) => void;
  newId?: () => string;
}

const key = (ref: FaultRef) => `${ref.kind}\u0000${ref.id}`;

export class FaultRegistry {
  readonly leases: LeaseTable;
  private readonly managers = new Map<string, FaultManager>();
  /** Per lease id, its faults by key, in the order bound. */
  private readonly faults = new Map<string, Map<string, FaultRef>>();
  private readonly owner = new Map<string, string>();
  private readonly log: (line: string) => void;
  private sweeping: Promise<Array<RevertReport & { lease: Lease }>> | undefined;

  constructor(opts: FaultRegistryOptions = {}) {
    const now = opts.now ?? (() => performance.timeOrigin + performance.now());
    this.leases = new LeaseTable({ now, newId: opts.newId });
    this.log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Adds a fault kind; throws when the kind is taken. */
  register(manager: FaultManager): void {
    if (this.managers.has(manager.kind))
      throw new Error(`fault kind "${manager.kind}" is already registered`);
    this.managers.set(manager.kind, manager);
  }

  kinds(): string[] {
    return [...this.managers.keys()];
  }

  createLease(req: LeaseRequest): LeaseResult {
    const r = this.leases.create(req);
    if (r.ok) this.faults.set(r.lease.id, new Map());
    return r;
  }

  /** The live lease, or undefined (unknown, released or lapsed). */
  lease(id: string): Lease | undefined {
    return this.leases.get(id);
  }

  /** Renews a live lease. A lapsed one is not renewed, and its faults are reverted now rather than at the next sweep. */
  renewLease(id: string): Lease | undefined {
    const lease = this.leases.renew(id);
    if (!lease && this.faults.has(id)) void this.sweep();
    return lease;
  }

  /**
   * Binds a fault to a live lease. Returns false (and binds nothing) when the
   * lease is not live, so the caller can refuse to create the fault. Check
   * and bind with no await in between, or the lease may lapse in the gap.
   */
  bind(leaseId: string, ref: FaultRef): boolean {
    const faults = this.faults.get(leaseId);
    if (!faults || !this.leases.get(leaseId)) return false;
    this.unbind(ref);
    faults.set(key(ref), { ...ref });
    this.owner.set(key(ref), leaseId);
    return true;
  }

  /** Forgets a fault that went away by other means (deleted directly, reset). */
  unbind(ref: FaultRef): void {
    const k = key(ref);
    const leaseId = this.owner.get(k);
    if (leaseId === undefined) return;
    this.owner.delete(k);
    this.faults.get(leaseId)?.delete(k);
  }

  /** The lease holding a fault, if any. */
  leaseOf(ref: FaultRef): string | undefined {
    return this.owner.get(key(ref));
  }

  /** The faults a lease holds, in the order bound. */
  faultsOf(leaseId: string): FaultRef[] {
    return [...(this.faults.get(leaseId)?.values() ?? [])];
  }

  /** Releases a lease and reverts its faults; undefined when it was not in the table. */
  async releaseLease(id: string): Promise<(RevertReport & { lease: Lease }) | undefined> {
    const lease = this.leases.release(id);
    if (!lease) return undefined;
    return { lease, ...(await this.revertLease(lease, 'released')) };
  }

  /** Reverts the faults of every lapsed lease. Concurrent calls share one sweep. */
  sweep(): Promise<Array<RevertReport & { lease: Lease }>> {
    if (this.sweeping) return this.sweeping;
    const run = (async () => {
      const out: Array<RevertReport & { lease: Lease }> = [];
      for (const lease of this.leases.expired())
        out.push({ lease, ...(await this.revertLease(lease, 'lapsed')) });
      return out;
    })();
    // Cleared only after the assignment below: a sweep with nothing to do settles at once.
    this.sweeping = run;
    run
      .finally(() => {
        if (this.sweeping === run) this.sweeping = undefined;
      })
      .catch(() => {});
    return run;
  }

  /**
   * Releases every lease and reverts its faults; with `all`, also every other
   * fault the managers list. Idempotent: a second halt finds nothing to do.
   */
  async halt(opts: { all?: boolean } = {}): Promise<HaltReport> {
    const report: HaltReport = { leases: 0, reverted: [], failed: [] };
    for (const listed of this.leases.list()) {
      const lease = this.leases.release(listed.id);
      if (!lease) continue;
      report.leases++;
      const r = await this.revertLease(lease, 'halted');
      report.reverted.push(...r.reverted);
      report.failed.push(...r.failed);
    }
    if (opts.all) {
      for (const manager of this.managers.values()) {
        if (!manager.list) continue;
        for (const id of await manager.list()) {
          const r = await this.revert({ kind: manager.kind, id });
          if ('error' in r) report.failed.push(r);
          else {
            report.reverted.push(r);
            this.log(`halt: reverted ${r.kind} ${r.id}`);
          }
        }
      }
    }
    return report;
  }

  private async revertLease(lease: Lease, why: 'lapsed' | 'released' | 'halted'): Promise<RevertReport> {
    const refs = this.faultsOf(lease.id);
    this.faults.delete(lease.id);
    for (const ref of refs) this.owner.delete(key(ref));
    const report: RevertReport = { reverted: [], failed: [] };
    for (const ref of refs) {
      const r = await this.revert(ref);
      if ('error' in r) {
        report.failed.push(r);
        this.log(
          `lease ${lease.id} (${lease.holder}) ${why}: could not revert ${ref.kind} ${ref.id}: ${r.error}`,
        );
      } else {
        report.reverted.push(r);
        this.log(`lease ${lease.id} (${lease.holder}) ${why}: reverted ${ref.kind} ${ref.id}`);
      }
    }
    return report;
  }

  private async revert(ref: FaultRef): Promise<FaultRef | FailedRevert> {
    const manager = this.managers.get(ref.kind);
    if (!manager) return { ...ref, error: `no manager for fault kind "${ref.kind}"` };
    try {
      await manager.revert(ref.id);
      return { ...ref };
    } catch (err) {
      return { ...ref, error: err instanceof Error ? err.message : String(err) };
    }
  }
}
