/**
 * Keeps a fault lease alive from the controller's side: creates it, renews
 * it every ttl/3, and says so at once when a renewal finds it gone (404), so
 * the experiment can stop assuming its faults are active. Releases it on stop.
 */
import { type FaultDaemonClient, FaultDaemonError, type ReleasedLease } from './client.ts';
import type { LeaseJson } from './json.ts';

export interface LeaseKeeperOptions {
  holder: string;
  /** Default 15 s. */
  ttlMs?: number;
  /** The lease is gone (lapsed or released elsewhere): its faults are reverted. */
  onLost?: (lease: LeaseJson, err: FaultDaemonError) => void;
  /** A renewal failed for another reason (daemon unreachable); the keeper retries sooner. */
  onError?: (err: unknown) => void;
}

/**
 * @example
 * const keeper = new LeaseKeeper(client, { holder: 'exp-1', ttlMs: 15_000, onLost: () => abort() });
 * const lease = await keeper.start();
 * await client.addToxic('pg', { type: 'latency', attributes: { latency: 200 }, lease: lease.id });
 * // ... keeper.signal aborts if the lease is lost
 * await keeper.stop(); // reverts the toxic
 */
export class LeaseKeeper {
  private readonly client: FaultDaemonClient;
  private readonly opts: LeaseKeeperOptions;
  private readonly controller = new AbortController();
  private current: LeaseJson | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(client: FaultDaemonClient, opts: LeaseKeeperOptions) {
    this.client = client;
    this.opts = opts;
  }

  /** Aborted when the lease is lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get lost(): boolean {
    return this.controller.signal.aborted;
  }

  get lease(): LeaseJson | undefined {
    return this.current;
  }

  /** Creates the lease and starts renewing it. */
  async start(): Promise<LeaseJson> {
    if (this.current) return this.current;
    this.current = await this.client.createLease({ holder: this.opts.holder, ttlMs: this.opts.ttlMs });
    this.schedule(this.current.ttl_ms / 3);
    return this.current;
  }

  private schedule(ms: number): void {
    if (this.stopped || this.lost) return;
    this.timer = setTimeout(() => void this.renew(), ms);
    // The keeper alone must not keep a controller process alive.
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    const lease = this.current;
    if (!lease || this.stopped) return;
    try {
      this.current = await this.client.renewLease(lease.id);
      this.schedule(lease.ttl_ms / 3);
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof FaultDaemonError && err.status === 404) {
        this.controller.abort(err);
        this.opts.onLost?.(lease, err);
        return;
      }
      this.opts.onError?.(err);
      // Two more tries before the lease could lapse.
      this.schedule(lease.ttl_ms / 6);
    }
  }

  /** Stops renewing and releases the lease (reverting its faults); undefined when it was already gone. */
  async stop(): Promise<ReleasedLease | undefined> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const lease = this.current;
    if (!lease || this.lost) return undefined;
    try {
      return await this.client.releaseLease(lease.id);
    } catch (err) {
      if (err instanceof FaultDaemonError && err.status === 404) return undefined;
      throw err;
    }
  }
}
