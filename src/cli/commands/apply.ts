import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { ApiRequestError, BallastClient, defaultServerUrl } from '../../server/client.ts';
import { ApplyResponseSchema } from '../../server/schemas.ts';
import { formatDiagnostic, hasErrors, loadSpecSources } from '../../spec/index.ts';
import { ExitCode } from '../exit-codes.ts';

interface ApplyFlags {
  server: string;
  token?: string;
  json?: boolean;
}

/** Prints the server's field-level problems, one per line, like local diagnostics. */
export function printApiError(err: unknown, write: (s: string) => void): void {
  if (err instanceof ApiRequestError) {
    write(`error: ${err.message}\n`);
    for (const d of err.body?.details ?? []) write(`  ${d.path}: ${d.message}\n`);
    if (err.status === 401) write('  give a token with --token or BALLAST_TOKEN\n');
    return;
  }
  write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
}

/**
 * Runs the API work of a read or admin command: an API error is printed with
 * its details, and the exit code is BadInput for a status in `badInput` (the
 * thing named does not exist, the input was refused), else Failed.
 */
export async function runApiAction(
  action: () => Promise<void>,
  badInput: readonly number[] = [404],
): Promise<void> {
  try {
    await action();
  } catch (err) {
    printApiError(err, (s) => process.stderr.write(s));
    process.exitCode =
      err instanceof ApiRequestError && badInput.includes(err.status) ? ExitCode.BadInput : ExitCode.Failed;
  }
}

async function applyDirectory(dir: string, flags: ApplyFlags): Promise<number> {
  const err = (s: string) => process.stderr.write(s);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    err(`error: ${dir} is not a directory\n`);
    return ExitCode.BadInput;
  }
  // The spec reader brings the check and capability modules; only apply needs them.
  const { readSpecDirectory } = await import('../../server/specs-dir.ts');
  const sources = await readSpecDirectory(dir);
  if (sources.length === 0) {
    err(`error: no .yaml or .yml files under ${dir}\n`);
    return ExitCode.BadInput;
  }
  // Validate here first so mistakes show with file:line:col before anything is sent.
  const bundle = loadSpecSources(sources);
  for (const d of bundle.diagnostics) err(`${formatDiagnostic(d)}\n`);
  if (hasErrors(bundle.diagnostics)) return ExitCode.Failed;
  const client = new BallastClient(flags.server, flags.token ?? process.env.BALLAST_TOKEN);
  try {
    const result = await client.request('POST', '/apply', ApplyResponseSchema, { documents: sources });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      for (const [verb, names] of Object.entries(result))
        for (const n of names) process.stdout.write(`${n} ${verb}\n`);
      const { created, updated, unchanged } = result;
      process.stdout.write(
        `${created.length} created, ${updated.length} updated, ${unchanged.length} unchanged\n`,
      );
    }
    return ExitCode.Ok;
  } catch (e) {
    printApiError(e, err);
    return ExitCode.Failed;
  }
}

/** `ballast apply DIR --server URL`: validate locally, then store the specs through the API (idempotent). */
export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('Validate a spec directory and store it on a Ballast server (idempotent)')
    .argument('<dir>', 'spec directory')
    .option('--server <url>', 'Ballast server (BALLAST_SERVER)', defaultServerUrl())
    .option('--token <token>', 'admin token (BALLAST_TOKEN)')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, flags: ApplyFlags) => {
      process.exitCode = await applyDirectory(dir, flags);
    });
}
