import { Command, CommanderError } from 'commander';
// Registers the ballast.dev/v1 kinds that capabilities own, so validate and apply know them.
import '../capabilities.ts';
import { registerApply } from './commands/apply.ts';
import { registerChaos } from './commands/chaos.ts';
import { registerCheck } from './commands/check.ts';
import { registerIncident } from './commands/incident.ts';
import { registerLoad } from './commands/load.ts';
import { registerServe } from './commands/serve.ts';
import { registerSlo } from './commands/slo.ts';
import { registerToken } from './commands/token.ts';
import { registerValidate } from './commands/validate.ts';
import { ExitCode } from './exit-codes.ts';

const program = new Command('ballast')
  .description(
    'Ballast: SLOs, load tests, chaos, checks, incidents and capacity in one reliability platform.',
  )
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError();

registerValidate(program);
registerApply(program);
registerServe(program);
registerSlo(program);
registerLoad(program);
registerCheck(program);
registerIncident(program);
registerChaos(program);
registerToken(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are exits with code 0; every other parse problem is a usage error.
    process.exitCode = err.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
  } else {
    process.stderr.write(`ballast: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = ExitCode.Failed;
  }
}
