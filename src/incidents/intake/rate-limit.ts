/**
 * A token bucket per integration key, as PagerDuty limits each routing key:
 * `burst` events at once, refilled at `perMinute`. Pure apart from the map it
 * keeps; the clock is given.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #burst: number;
  readonly #perMs: number;

  constructor(opts: { perMinute: number; burst: number }) {
    this.#burst = opts.burst;
    this.#perMs = opts.perMinute / 60_000;
  }

  /** Takes one token for `key`; false when the key is over its rate. */
  take(key: string, now: number): boolean {
    const b = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    b.tokens = Math.min(this.#burst, b.tokens + Math.max(0, now - b.at) * this.#perMs);
    b.at = now;
    this.#buckets.set(key, b);
    if (this.#buckets.size > 10_000) this.#forgetFull(now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Keys whose bucket refilled completely hold no state worth keeping. */
  #forgetFull(now: number): void {
    for (const [k, b] of this.#buckets) {
      if (b.tokens + (now - b.at) * this.#perMs >= this.#burst) this.#buckets.delete(k);
    }
  }
}
