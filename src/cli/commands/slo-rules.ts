import { stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { generatePrometheusRules } from '../../slo/index.ts';
import { formatDiagnostic, hasErrors, loadSpecDirectory } from '../../spec/index.ts';
import { ExitCode } from '../exit-codes.ts';

interface RulesCliOptions {
  output?: string;
  severityLabel?: string;
  noDataSeverity?: string;
}

/**
 * `ballast slo rules DIR [-o FILE] [--severity-label NAME] [--no-data-severity VALUE]`:
 * Prometheus recording and alerting rules for the Prometheus-backed SLOs of a
 * spec directory. Diagnostics and skipped SLOs go to stderr, the rules to
 * stdout or FILE. Exit 1 on spec errors, 2 on usage errors.
 */
export function registerSloRules(slo: Command): void {
  slo
    .command('rules')
    .description('Generate Prometheus recording and alerting rules for the Prometheus-backed SLOs in DIR')
    .argument('<dir>', 'directory holding the spec files (read recursively)')
    .option('-o, --output <file>', 'write the rules to FILE instead of stdout')
    .option(
      '--severity-label <name>',
      'label name for the alert severity (default: each SLO’s alerting config)',
    )
    .option('--no-data-severity <value>', 'severity value of the absent-data alert', 'ticket')
    .action(async (dir: string, options: RulesCliOptions) => {
      process.exitCode = await runSloRules(dir, options);
    });
}

async function runSloRules(dir: string, options: RulesCliOptions): Promise<ExitCode> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    process.stderr.write(
      `ballast slo rules: ${dir} is not a directory: give the directory that holds the spec files\n`,
    );
    return ExitCode.BadInput;
  }
  if (options.severityLabel !== undefined && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(options.severityLabel)) {
    process.stderr.write(
      `ballast slo rules: --severity-label ${JSON.stringify(options.severityLabel)} is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)\n`,
    );
    return ExitCode.BadInput;
  }
  const bundle = await loadSpecDirectory(dir);
  for (const d of bundle.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (hasErrors(bundle.diagnostics)) {
    process.stderr.write('ballast slo rules: fix the errors above, then run again\n');
    return ExitCode.Failed;
  }
  const result = generatePrometheusRules(bundle.slos, {
    severityLabel: options.severityLabel,
    noDataSeverity: options.noDataSeverity,
  });
  for (const s of result.skipped) process.stderr.write(`skipped SLO ${s.slo}: ${s.message}\n`);
  for (const w of result.warnings) process.stderr.write(`warning: SLO ${w.slo}: ${w.message}\n`);
  const count = bundle.slos.length - result.skipped.length;
  if (options.output !== undefined) {
    try {
      await writeFile(options.output, result.yaml);
    } catch (err) {
      process.stderr.write(`ballast slo rules: cannot write ${options.output}: ${(err as Error).message}\n`);
      return ExitCode.BadInput;
    }
    process.stderr.write(`wrote rules for ${count} SLO${count === 1 ? '' : 's'} to ${options.output}\n`);
  } else {
    process.stdout.write(result.yaml);
  }
  return ExitCode.Ok;
}
