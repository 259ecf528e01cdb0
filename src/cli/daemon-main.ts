/**
 * The entry for `ballast chaos proxy` alone (bin/ballast.js picks it). The
 * fault daemon runs for days beside the services it faults, so it loads only
 * the daemon and its fault plugins, not the whole CLI (the store, the SLO
 * engine, Chromium's driver): measured ~100 MB resident against ~330 MB.
 */
import { Command, CommanderError } from 'commander';
import { registerDaemon } from './commands/chaos-daemon.ts';
import { ExitCode } from './exit-codes.ts';

const program = new Command('ballast').exitOverride().showHelpAfterError();
registerDaemon(program.command('chaos').description('Chaos experiments'));
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
  else {
    process.stderr.write(`ballast: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = ExitCode.Failed;
  }
}
