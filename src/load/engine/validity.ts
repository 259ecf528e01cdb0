/**
 * Is a run's measurement honest? A generator that fell behind its own
 * schedule reports latencies the target never caused (or hides ones it did),
 * so such a run is marked not valid, with every reason spelled out. Pure.
 */

/** Bounds a valid run stays within. Documented in the README's load section. */
export const VALIDITY_BOUNDS = {
  /** p99 of schedule lag (actual start − intended start), ms. */
  lagP99Ms: 50,
  /** p99 of a worker's event-loop delay in any one second, ms. */
  eventLoopDelayP99Ms: 100,
  /** Event-loop utilisation at or above this … */
  elu: 0.95,
  /** … for this many consecutive seconds means the generator's CPU was saturated. */
  eluSeconds: 3,
} as const;

/** What the run measured about its own generator. */
export interface GeneratorHealth {
  /** Open model only (closed-model iterations have no intended time). */
  openModel: boolean;
  lagP99Ms: number;
  dropped: number;
  /** Per second: worst worker's event-loop delay p99 and utilisation, and whether the connection cap was hit while requests waited. */
  seconds: { eventLoopDelayP99Ms: number; elu: number; capHit: boolean; maxQueued: number }[];
  maxConnections: number;
  workers: number;
  /** Workers that failed or had to be terminated. */
  workerFailures: string[];
}

/** Every reason the run is not valid; empty when it is. */
export function invalidReasons(h: GeneratorHealth): string[] {
  const reasons: string[] = [];
  const b = VALIDITY_BOUNDS;
  if (h.openModel && h.lagP99Ms > b.lagP99Ms) {
    reasons.push(
      `schedule lag p99 was ${h.lagP99Ms.toFixed(1)} ms (bound ${b.lagP99Ms} ms): the generator started requests late; use more workers or a lower rate`,
    );
  }
  if (h.dropped > 0) {
    reasons.push(
      `${h.dropped} iterations were dropped because too many requests were waiting for a connection`,
    );
  }
  const worstEld = Math.max(0, ...h.seconds.map((s) => s.eventLoopDelayP99Ms));
  if (worstEld > b.eventLoopDelayP99Ms) {
    reasons.push(
      `event-loop delay p99 reached ${worstEld.toFixed(0)} ms in a second (bound ${b.eventLoopDelayP99Ms} ms): the generator was blocked`,
    );
  }
  let run = 0;
  let longest = 0;
  for (const s of h.seconds) {
    run = s.elu >= b.elu ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  if (longest >= b.eluSeconds) {
    reasons.push(
      `generator CPU saturated: a worker was busy ≥ ${b.elu * 100}% for ${longest} consecutive seconds; use more workers or a lower rate`,
    );
  }
  const capSeconds = h.seconds.filter((s) => s.capHit);
  if (capSeconds.length > 0) {
    const waited = Math.max(...capSeconds.map((s) => s.maxQueued));
    reasons.push(
      `connection cap hit: all ${h.maxConnections} connections per worker (http.maxConnections, ${h.workers} worker(s)) were busy while up to ${waited} requests waited, in ${capSeconds.length} second(s); raise http.maxConnections or lower the load`,
    );
  }
  for (const f of h.workerFailures) reasons.push(f);
  return reasons;
}
