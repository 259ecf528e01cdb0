/**
 * The host fault manager: applies faults, remembers what each one did, and
 * reverts them. Apply is all-or-nothing (a driver that fails has undone its own
 * steps); revert is idempotent, may be called at any time (also while the
 * fault is still being applied, and concurrently), and retries what failed.
 * Timing faults out is the caller's job (a lease), not the manager's.
 */
import { randomBytes } from 'node:crypto';
import { HostFaultError } from './errors.ts';
import { type CommandRunner, systemRunner } from './exec.ts';
import { type Leftovers, sweepLeftovers } from './leftovers.ts';
import { applyNetwork } from './network.ts';
import { nftTableName } from './nft.ts';
import { applyKill, applyPause } from './process.ts';
import { type FaultKind, type FaultSpec, validateFaultSpec } from './spec.ts';
import { applyCpu, applyMemory } from './stress.ts';
import type { AppliedFault, FaultContext, FaultDriver, FaultState, ListedFault } from './types.ts';
import type { UndoStack } from './undo.ts';

/** Fault ids become nftables table names and URL segments, so they stay plain. */
const ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** The driver of each fault kind. */
export const DEFAULT_DRIVERS: Record<FaultKind, FaultDriver> = {
  netem: applyNetwork as FaultDriver,
  bandwidth: applyNetwork as FaultDriver,
  kill: applyKill as FaultDriver,
  pause: applyPause as FaultDriver,
  cpu: applyCpu as FaultDriver,
  memory: applyMemory as FaultDriver,
};

export interface HostFaultManagerOptions {
  /** Runs `ip`/`tc`/`nft` (default: on this host). */
  run?: CommandRunner;
  /** Replaces drivers by kind (tests of the manager's own logic). */
  drivers?: Partial<Record<FaultKind, FaultDriver>>;
}

interface Entry {
  id: string;
  kind: FaultKind;
  spec: FaultSpec;
  state: FaultState;
  applying: Promise<void>;
  revertRequested: boolean;
  reverting?: Promise<void>;
  applied?: AppliedFault;
  undo?: UndoStack;
}

/**
 * Applies and reverts host faults.
 *
 * @example
 * const faults = new HostFaultManager();
 * const f = await faults.add({ kind: 'bandwidth', interface: 'eth0', rate: '1mbit' });
 * // … later, or when its lease lapses:
 * await faults.revert(f.id);
 */
export class HostFaultManager {
  readonly #run: CommandRunner;
  readonly #drivers: Record<FaultKind, FaultDriver>;
  /** In the order the faults were added (a Map keeps insertion order). */
  readonly #entries = new Map<string, Entry>();
  /** Exclusive resources (`tc:<netns>:<dev>`, `pid:<pid>`) → the fault holding them. */
  readonly #claims = new Map<string, string>();

  constructor(options: HostFaultManagerOptions = {}) {
    this.#run = options.run ?? systemRunner;
    this.#drivers = { ...DEFAULT_DRIVERS, ...options.drivers };
  }

  /**
   * Validates and applies a fault. Resolves once it is in effect; rejects with a
   * {@link HostFaultError} (`invalid_spec` listing every bad field, or what failed, with
   * nothing left behind). `options.id` lets a caller choose the id (a lease id) up front, so
   * it can revert before this resolves; a fault reverted while applying rejects with `reverted`.
   */
  async add(input: unknown, options: { id?: string } = {}): Promise<AppliedFault> {
    const v = validateFaultSpec(input);
    if (!v.ok) {
      const list = v.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      throw new HostFaultError('invalid_spec', `invalid fault spec: ${list}`, {
        field: v.issues[0]?.path,
        issues: v.issues,
      });
    }
    const id = options.id ?? `hf-${randomBytes(6).toString('hex')}`;
    if (!ID.test(id)) {
      throw new HostFaultError('invalid_spec', 'id: must be letters, digits and "-", at most 64 characters', {
        field: 'id',
      });
    }
    if (this.#entries.has(id)) throw new HostFaultError('conflict', `a fault with id ${id} already exists`);
    const spec = v.value;
    const entry: Entry = {
      id,
      kind: spec.kind,
      spec,
      state: 'applying',
      applying: Promise.resolve(),
      revertRequested: false,
    };
    this.#entries.set(id, entry);
    const run = this.#apply(entry);
    entry.applying = run.then(
      () => undefined,
      () => undefined,
    );
    await run;
    if (entry.revertRequested) {
      await this.#revertEntry(entry);
      throw new HostFaultError('reverted', `fault ${id} was reverted while it was being applied`);
    }
    return entry.applied as AppliedFault;
  }

  async #apply(entry: Entry): Promise<void> {
    const ctx: FaultContext = {
      id: entry.id,
      run: this.#run,
      claim: (key, what) => this.#claim(entry.id, key, what),
    };
    try {
      const { details, undo } = await this.#drivers[entry.kind](entry.spec, ctx);
      entry.undo = undo;
      entry.applied = {
        id: entry.id,
        kind: entry.kind,
        spec: entry.spec,
        appliedAt: new Date().toISOString(),
        details,
      };
      entry.state = 'active';
    } catch (err) {
      // The driver has undone its own steps (or says in the error what it could not undo).
      this.#entries.delete(entry.id);
      throw err;
    }
  }

  #claim(id: string, key: string, what: string): () => void {
    const holder = this.#claims.get(key);
    if (holder !== undefined && holder !== id) {
      throw new HostFaultError('conflict', `${what} is already held by fault ${holder}; revert it first`);
    }
    this.#claims.set(key, id);
    return () => {
      if (this.#claims.get(key) === id) this.#claims.delete(key);
    };
  }

  /**
   * Reverts a fault. Resolves true once a known fault is no longer in effect, false when the
   * id is unknown (never added, already reverted, or its apply failed). Safe to call at any time:
   * during apply it waits for apply to finish and then reverts; concurrent calls share one
   * revert. If some undo steps fail it rejects with `revert_failed`, the fault stays listed
   * in that state, and calling revert again retries the steps that are left.
   */
  async revert(id: string): Promise<boolean> {
    const entry = this.#entries.get(id);
    if (entry === undefined) return false;
    if (entry.state === 'applying') {
      entry.revertRequested = true;
      await entry.applying;
      // add() reverts it as soon as apply finishes; wait for that too.
      const after = this.#entries.get(id);
      if (after === undefined) return true;
      await this.#revertEntry(after);
      return true;
    }
    await this.#revertEntry(entry);
    return true;
  }

  #revertEntry(entry: Entry): Promise<void> {
    entry.reverting ??= (async () => {
      entry.state = 'reverting';
      const errors = (await entry.undo?.unwind()) ?? [];
      if (errors.length > 0) {
        entry.state = 'revert_failed';
        throw new HostFaultError(
          'revert_failed',
          `fault ${entry.id} is not fully reverted: ${errors.join('; ')}`,
        );
      }
      this.#entries.delete(entry.id);
    })().finally(() => {
      entry.reverting = undefined;
    });
    return entry.reverting;
  }

  /**
   * Reverts every fault, newest first (a later fault may sit on top of an earlier one),
   * also those still applying. Every fault is tried; resolves with the reverted ids, or
   * rejects with an AggregateError of the faults that could not be reverted.
   */
  async revertAll(): Promise<string[]> {
    const ids = [...this.#entries.keys()].reverse();
    const done: string[] = [];
    const errors: unknown[] = [];
    for (const id of ids) {
      try {
        if (await this.revert(id)) done.push(id);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0)
      throw new AggregateError(errors, `${errors.length} fault(s) could not be reverted`);
    return done;
  }

  /** Every known fault in the order added, with its state. */
  list(): ListedFault[] {
    return [...this.#entries.values()].map((e) => ({
      id: e.id,
      kind: e.kind,
      spec: e.spec,
      state: e.state,
      ...(e.applied ? { appliedAt: e.applied.appliedAt, details: e.applied.details } : {}),
      ...(e.state === 'revert_failed' && e.undo ? { pendingUndo: e.undo.pending } : {}),
    }));
  }

  /**
   * Removes network faults a crashed Ballast left in one namespace (the host's when `netns`
   * is undefined): root qdiscs with handle `ba11:` and nftables tables `ballast_*`. This
   * manager's own faults there are kept. Call it only where this manager is the sole
   * Ballast applying faults (at agent start-up): another live manager's faults look the same.
   */
  sweepLeftovers(options: { netns?: string; dryRun?: boolean } = {}): Promise<Leftovers> {
    const keep = new Set<string>();
    for (const e of this.#entries.values()) {
      if ((e.spec.kind !== 'netem' && e.spec.kind !== 'bandwidth') || e.spec.netns !== options.netns)
        continue;
      keep.add(nftTableName(e.id));
      if (!(e.applied && 'backend' in e.applied.details && e.applied.details.backend === 'nftables')) {
        keep.add(e.spec.interface);
      }
    }
    return sweepLeftovers(this.#run, { ...options, keep });
  }

  /** One fault by id. */
  get(id: string): ListedFault | undefined {
    return this.list().find((f) => f.id === id);
  }
}
