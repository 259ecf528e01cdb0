/**
 * `ballast chaos run FILE` (an experiment, with its faults under leases) and
 * `ballast chaos halt` (stop every run and release every lease). The fault
 * daemon itself is `ballast chaos proxy` (chaos-proxy.ts). What the commands do
 * is in chaos-run.ts, imported when one runs: every other command of the CLI
 * registers this one too and should not pay for the experiment runner.
 */
import type { Command } from 'commander';
import { registerDaemon } from './chaos-daemon.ts';
import type { RunFlags } from './chaos-run.ts';

/** Registers `ballast chaos run`, `ballast chaos halt` and `ballast chaos proxy`. */
export function registerChaos(program: Command): void {
  const chaos = program
    .command('chaos')
    .description('Chaos experiments: faults under leases, steady state judged by SLOs and checks');
  chaos
    .command('run')
    .description('Run an Experiment: exit 0 hypothesis held, 1 deviated or refused, 2 bad input, 3 aborted')
    .argument('<file>', 'YAML file with an Experiment document (apiVersion ballast.dev/v1)')
    .option('--specs <dir>', 'spec directory with the Checks, SLOs and LoadTests the experiment names')
    .option('--experiment <name>', 'which Experiment of FILE, when it holds several')
    .option('--server <url>', 'Ballast server: guards, SLO probes, maintenance window, journal and report')
    .option('--token <token>', 'API token for --server (default $BALLAST_TOKEN)')
    .option('--summary-json <file>', 'write the report and journal as JSON')
    .option('--dry-run', 'print the plan (and the guards, with --server) and apply nothing')
    .option('--override-guards', 'start even when the guards refuse, or without --server to check them')
    .option('--quiet', 'print only the report, not the journal as it happens')
    .action(async (file: string, flags: RunFlags) => {
      const { chaosRun } = await import('./chaos-run.ts');
      process.exitCode = await chaosRun(file, flags);
    });
  chaos
    .command('halt')
    .description(
      'Halt every running experiment (or the run RUN_ID) at once and release the leases of their faults (idempotent)',
    )
    .argument('[run]', 'halt only this run (its id on --server)')
    .option('--server <url>', 'Ballast server whose runs to halt')
    .option('--token <token>', 'API token for --server (default $BALLAST_TOKEN)')
    .option('--daemon <url...>', 'fault daemons to halt directly (every leased fault there is reverted)')
    .action(
      async (run: string | undefined, flags: { server?: string; token?: string; daemon?: string[] }) => {
        const { chaosHalt } = await import('./chaos-run.ts');
        process.exitCode = await chaosHalt(run, flags);
      },
    );
  registerDaemon(chaos);
}
