/**
 * The live view of a running load test: one refreshing block on a terminal
 * (log-update), one plain line per second otherwise (CI logs, pipes). Both go
 * to stderr so stdout carries only the end-of-run summary.
 */
import { createLogUpdate } from 'log-update';
import { formatMs, type LiveStatus, type SecondSample } from '../../load/index.ts';

/** One line of live status: `12s/30s  rate 500/500  p50 1.2 ms  p99 4.0 ms  errors 0  in-flight 3  dropped 0`. */
export function formatLiveLine(live: LiveStatus, plannedMs: number | undefined): string {
  const elapsed = `${Math.round(live.elapsedMs / 1000)}s${plannedMs ? `/${Math.round(plannedMs / 1000)}s` : ''}`;
  // Past the plan the generator only waits for answers still in flight: a rate
  // of 0/0 there would read like an outage.
  if (plannedMs !== undefined && live.elapsedMs > plannedMs + 500) {
    return [elapsed.padEnd(9), 'draining', `errors ${live.errors}`, `in-flight ${live.inFlight}`].join('  ');
  }
  return [
    elapsed.padEnd(9),
    `rate ${live.achievedRate.toFixed(0)}/${live.targetRate.toFixed(0)} req/s`,
    `p50 ${formatMs(live.p50)}`,
    `p99 ${formatMs(live.p99)}`,
    `errors ${live.errors}`,
    `in-flight ${live.inFlight}`,
    `dropped ${live.dropped}`,
  ].join('  ');
}

/** A text progress bar for the TTY view. */
function bar(fraction: number, width = 30): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export interface LiveView {
  update(sample: SecondSample, live: LiveStatus): void;
  /** Leaves the last frame on screen (TTY) and stops updating. */
  done(): void;
}

/**
 * Picks the view for the stream: log-update on a TTY, plain lines otherwise,
 * nothing when quiet.
 */
export function createLiveView(
  name: string,
  plannedMs: number | undefined,
  opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {},
): LiveView {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return { update: () => {}, done: () => {} };
  if (!stream.isTTY) {
    return {
      update: (_s, live) => stream.write(`${name}  ${formatLiveLine(live, plannedMs)}\n`),
      done: () => {},
    };
  }
  const log = createLogUpdate(stream);
  return {
    update: (_s, live) => {
      const progress = plannedMs ? `${bar(live.elapsedMs / plannedMs)} ` : '';
      log(`${name}  ${progress}\n${formatLiveLine(live, plannedMs)}`);
    },
    done: () => log.done(),
  };
}
