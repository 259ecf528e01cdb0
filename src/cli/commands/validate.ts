import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatDiagnostic, listSpecFiles, loadSpecDirectory } from '../../spec/index.ts';
import { ExitCode } from '../exit-codes.ts';

/** `ballast validate DIR [--json]`: every diagnostic, a summary, exit 0 (clean), 1 (errors) or 2 (usage). */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Check a directory of spec files (OpenSLO v1, Sloth prometheus/v1) and print every problem')
    .argument('<dir>', 'directory holding *.yaml / *.yml spec files (read recursively)')
    .option('--json', 'print {diagnostics, errors, warnings} as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const isDir = await stat(dir).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!isDir) {
        process.stderr.write(
          `ballast validate: ${dir} is not a directory: give the directory that holds the spec files\n`,
        );
        process.exitCode = ExitCode.BadInput;
        return;
      }
      const bundle = await loadSpecDirectory(dir);
      const errors = bundle.diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = bundle.diagnostics.length - errors;
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ diagnostics: bundle.diagnostics, errors, warnings }, null, 2)}\n`,
        );
      } else {
        const files = (await listSpecFiles(dir)).length;
        for (const d of bundle.diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
        process.stdout.write(
          `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files, 'file')}\n`,
        );
      }
      process.exitCode = errors > 0 ? ExitCode.Failed : ExitCode.Ok;
    });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
