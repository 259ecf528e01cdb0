/**
 * Fault leases: every fault a controller applies is held by a lease it must
 * renew; a lease not renewed within its TTL lapses, and whoever holds the
 * faults reverts them, so a crashed controller never leaves a fault behind.
 * This table is the bookkeeping only, pure, with the clock injected.
 */
import { randomUUID } from 'node:crypto';

/** TTL when the caller gives none. */
export const DEFAULT_LEASE_TTL_MS = 15_000;
/** Shorter leases would lapse between renewals over a slow network. */
export const MIN_LEASE_TTL_MS = 1_000;
/** Longer leases defeat the point: a crashed controller's faults would linger. */
export const MAX_LEASE_TTL_MS = 3_600_000;

export interface Lease {
  id: string;
  /** Who holds it, e.g. `experiment:checkout-latency run 42`. */
  holder: string;
  ttlMs: number;
  /** Milliseconds on the table's clock; the lease lapses at this instant. */
  expiresAt: number;
}

export interface LeaseRequest {
  holder: string;
  ttlMs?: number;
}

export type LeaseResult = { ok: true; lease: Lease } | { ok: false; error: string };

export interface LeaseTableOptions {
  /** The clock, in milliseconds (Date.now in the daemon, a counter in tests). */
  now: () => number;
  newId?: () => string;
}

/**
 * Checks a lease request: a holder (1..200 characters) and a whole TTL from 1 s to 1 h.
 * Returns the problems, empty when the request is fine.
 */
export function checkLeaseRequest(req: { holder?: unknown; ttlMs?: unknown }): string[] {
  const problems: string[] = [];
  if (typeof req.holder !== 'string' || req.holder.trim() === '' || req.holder.length > 200)
    problems.push('holder must be a non-empty string of at most 200 characters (who holds the faults)');
  if (req.ttlMs !== undefined) {
    const t = req.ttlMs;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < MIN_LEASE_TTL_MS || t > MAX_LEASE_TTL_MS)
      problems.push(
        `ttl_ms must be a whole number of milliseconds from ${MIN_LEASE_TTL_MS} to ${MAX_LEASE_TTL_MS} (got ${JSON.stringify(t)})`,
      );
  }
  return problems;
}

/**
 * The live leases. A lease is live while `now() < expiresAt`; renewing a
 * lapsed lease fails even before {@link expired} has swept it, so a
 * controller never believes in a fault that is being reverted.
 *
 * @example
 * const table = new LeaseTable({ now: () => clock });
 * const r = table.create({ holder: 'exp-1', ttlMs: 5000 });
 * // later: table.renew(id) each ttl/3; table.expired() in the sweeper
 */
export class LeaseTable {
  private readonly leases = new Map<string, Lease>();
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(opts: LeaseTableOptions) {
    this.now = opts.now;
    this.newId = opts.newId ?? randomUUID;
  }

  create(req: LeaseRequest): LeaseResult {
    const problems = checkLeaseRequest(req);
    if (problems.length > 0) return { ok: false, error: problems.join('; ') };
    const ttlMs = req.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    const lease: Lease = { id: this.newId(), holder: req.holder, ttlMs, expiresAt: this.now() + ttlMs };
    this.leases.set(lease.id, lease);
    return { ok: true, lease: { ...lease } };
  }

  /** The live lease, or undefined when unknown, released or lapsed. */
  get(id: string): Lease | undefined {
    const lease = this.leases.get(id);
    return lease && this.now() < lease.expiresAt ? { ...lease } : undefined;
  }

  /** Extends a live lease by its TTL from now; undefined when it is unknown, released or lapsed. */
  renew(id: string): Lease | undefined {
    const lease = this.leases.get(id);
    if (!lease) return undefined;
    const now = this.now();
    if (now >= lease.expiresAt) return undefined;
    lease.expiresAt = now + lease.ttlMs;
    return { ...lease };
  }

  /** Removes a lease (lapsed or not); returns it, or undefined when it was not in the table. */
  release(id: string): Lease | undefined {
    const lease = this.leases.get(id);
    if (!lease) return undefined;
    this.leases.delete(id);
    return { ...lease };
  }

  /** Removes and returns every lease that lapsed by `now`. */
  expired(now: number = this.now()): Lease[] {
    const lapsed: Lease[] = [];
    for (const lease of this.leases.values()) {
      if (now >= lease.expiresAt) {
        lapsed.push({ ...lease });
        this.leases.delete(lease.id);
      }
    }
    return lapsed;
  }

  /** Every lease still in the table (live, or lapsed and not yet swept), soonest expiry first. */
  list(): Lease[] {
    return [...this.leases.values()].map((l) => ({ ...l })).sort((a, b) => a.expiresAt - b.expiresAt);
  }
}
