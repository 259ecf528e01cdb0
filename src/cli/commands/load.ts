/**
 * `ballast load run` and `ballast load capacity`: the thin commander layer.
 * Parsing, running and reporting live in the load-*.ts helpers.
 */
import type { Command } from 'commander';
import type { CapacityFlags } from './load-capacity.ts';
import type { RunFlags } from './load-run.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The target and safety flags both commands share (the quick form of `scenario/quick.ts`). */
function targetOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'quick form: the URL to load (instead of FILE)')
    .option('-X, --method <method>', 'quick form: HTTP method (default GET)')
    .option('-H, --header <header>', "quick form: request header 'name: value' (repeatable)", collect)
    .option('--body <body>', 'quick form: request body')
    .option('--specs <dir>', 'spec directory with the services and SLOs the test refers to')
    .option('--allow-host <host>', 'allow traffic to this non-loopback host (repeatable)', collect)
    .option('--max-rate <n>', 'raise the hard cap on the arrival rate (default 5000 req/s)')
    .option('--max-duration <d>', 'raise the hard cap on the duration (default 10m)')
    .option('--max-vus <n>', 'raise the hard cap on VUs (default 1000)')
    .option('--max-connections <n>', 'connections per worker (default 100)')
    .option('--pipelining <n>', 'requests in flight per connection (default 1)')
    .option('--timeout <d>', 'request timeout (default 10s)')
    .option('-k, --insecure', 'skip TLS verification (self-signed test targets)')
    .option('--workers <n>', 'worker threads (default: cores - 1)')
    .option('--name <name>', 'quick form: the run name')
    .option('--server <url>', 'send the results to this Ballast server')
    .option('--token <token>', 'API token for --server (default $BALLAST_TOKEN)')
    .option('-q, --quiet', 'no live view');
}

/** Registers `ballast load run|capacity`. */
export function registerLoad(program: Command): void {
  const load = program
    .command('load')
    .description('Load tests: open-model traffic, honest latency, capacity at SLO');

  targetOptions(
    load
      .command('run')
      .description('Run a load test from a LoadTest FILE or the quick form (--url URL --rate N --duration D)')
      .argument('[file]', 'YAML file with LoadTest documents (apiVersion ballast.dev/v1)'),
  )
    .option('--rate <n>', 'quick form: arrival rate, requests per second (open model)')
    .option('--vus <n>', 'quick form: virtual users (closed model)')
    .option('--duration <d>', 'quick form: how long (e.g. 30s, 5m; default 10s)')
    .option('--iterations <n>', 'quick form: run this many iterations in total')
    .option('--threshold <expr>', "quick form: threshold such as 'p(99) < 300ms' (repeatable)", collect)
    .option('--summary-json <file>', 'write the summary as JSON (docs/load-summary.md)')
    .option('--report-html <file>', 'write a self-contained HTML report')
    .addHelpText(
      'after',
      '\nExit codes: 0 passed, 1 a threshold failed, 2 bad input, 3 the run was not valid (generator fell behind) or was interrupted.',
    )
    .action(async (file: string | undefined, flags: RunFlags) => {
      const { loadRun } = await import('./load-run.ts');
      process.exitCode = await loadRun(file, flags);
    });

  targetOptions(
    load
      .command('capacity')
      .description('Find the highest arrival rate at which the SLO (or the given bounds) still holds')
      .argument(
        '[file]',
        'YAML file with one LoadTest document (its requests are used; its executor is replaced)',
      ),
  )
    .option('--slo <name>', 'judge each step by this SLO (latency threshold and objective; with --specs)')
    .option('--latency <d>', 'latency bound at p99, e.g. 300ms')
    .option('--error-rate <r>', 'highest error rate, e.g. 0.1%')
    .option('--start-rate <n>', 'first rate, req/s (default 10)')
    .option('--ceiling <n>', 'highest rate to try, req/s (default 1000)')
    .option('--step-duration <d>', 'how long each step runs (default 10s)')
    .option('--mode <mode>', 'step (raise until it breaks) or bisect (then narrow down; default)')
    .option('--step-factor <f>', 'multiply the rate by this each step (default 1.5)')
    .option('--step-add <n>', 'add this many req/s each step instead of multiplying')
    .option('--precision <n>', 'bisect until the bracket is this narrow, req/s (default 5%)')
    .option('--service <name>', 'the service to store the capacity on (with --server)')
    .option('--json <file>', 'write the steps and the result as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 capacity found, 1 not even the start rate held, 2 bad input, 3 a step was not valid (generator fell behind) or interrupted.',
    )
    .action(async (file: string | undefined, flags: CapacityFlags) => {
      const { loadCapacity } = await import('./load-capacity.ts');
      process.exitCode = await loadCapacity(file, flags);
    });
}
