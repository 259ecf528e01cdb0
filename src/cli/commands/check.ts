/**
 * `ballast check run DIR` (checks once, for CI) and `ballast gate` (may this
 * service's change go out now?). Thin: loading and running live in
 * src/checks, output formats are its reporters.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
// Types only: the runners (a browser driver among them) load when `check run` runs, not for every command.
import type { CheckDefinition, CheckResult } from '../../checks/index.ts';
import type { REPORTERS, RunReport } from '../../checks/reporters/index.ts';
import { ApiRequestError, BallastClient, defaultServerUrl } from '../../server/client.ts';
import { GateDecisionSchema } from '../../server/schemas.ts';
import { type Diagnostic, formatDiagnostic, hasErrors, loadSpecDirectory } from '../../spec/index.ts';
import { ExitCode } from '../exit-codes.ts';

type ReporterName = keyof typeof REPORTERS;

interface RunFlags {
  tags?: string;
  check?: string[];
  service?: string;
  reporter: string;
  summaryJson?: string;
  concurrency: string;
  artifacts?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Registers `ballast check run` and `ballast gate`. */
export function registerCheck(program: Command): void {
  const check = program
    .command('check')
    .description('Synthetic checks: run them once (CI) or see them on a server');
  check
    .command('run')
    .description(
      'Run the checks of a spec directory once and report (exit 0 all passed, 1 any failed, 2 bad input)',
    )
    .argument('<dir>', 'directory holding the spec files (Check documents and the Services they name)')
    .option('--tags <tags>', 'only checks with any of these tags (comma-separated)')
    .option('--check <name>', 'only this check (repeatable)', collect)
    .option('--service <name>', "only this service's checks")
    .option('--reporter <name>', 'list, json, junit or github', 'list')
    .option('--summary-json <file>', 'also write the results as JSON')
    .option('--concurrency <n>', 'checks run at once', '8')
    .option('--artifacts <dir>', 'where failed browser checks keep screenshots and traces')
    .addHelpText(
      'after',
      '\nExit codes: 0 every check passed (degraded counts as passed), 1 a check failed, 2 bad input.',
    )
    .action(async (dir: string, flags: RunFlags) => {
      process.exitCode = await checkRun(dir, flags);
    });

  program
    .command('gate')
    .description(
      "Pass only when the service's checks pass now, its SLOs have budget above its ErrorBudgetPolicy and no freeze is active",
    )
    .requiredOption('--service <name>', 'the service the change is for')
    .option('--server <url>', 'Ballast server (BALLAST_SERVER)', defaultServerUrl())
    .option('--token <token>', 'API token (default $BALLAST_TOKEN)')
    .option('--json', 'print the decision as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 the gate is open, 1 it is closed (one line per reason), 2 bad input or server unreachable.',
    )
    .action(async (flags: { service: string; server: string; token?: string; json?: boolean }) => {
      process.exitCode = await gate(flags);
    });
}

async function checkRun(dir: string, flags: RunFlags): Promise<number> {
  const { BrowserHost, executeCheck } = await import('../../checks/index.ts');
  const { listReport, REPORTERS, summaryJson } = await import('../../checks/reporters/index.ts');
  const reporter = REPORTERS[flags.reporter as ReporterName];
  const concurrency = Number(flags.concurrency);
  if (!reporter) return usage(`--reporter ${flags.reporter}: use list, json, junit or github`);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    return usage(`--concurrency ${flags.concurrency}: a whole number ≥ 1`);
  const loaded = await loadChecks(dir);
  for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (hasErrors(loaded.diagnostics)) return ExitCode.BadInput;
  const selected = select(loaded.checks, flags);
  if (selected.length === 0) return usage(`no check in ${dir} matches ${describeFilter(flags)}`);
  const skipped = selected
    .filter((c) => c.spec.type === 'heartbeat')
    .map((c) => ({
      check: c.name,
      service: c.service,
      reason: 'heartbeat checks are judged by the server from pings',
    }));
  const runnable = selected.filter((c) => c.spec.type !== 'heartbeat');
  const artifactsDir = resolve(flags.artifacts ?? join(tmpdir(), 'ballast-check-artifacts'));
  await mkdir(artifactsDir, { recursive: true });
  const browsers = new BrowserHost();
  const startedAt = Date.now();
  let results: CheckResult[];
  try {
    results = await runAll(runnable, concurrency, (c) => executeCheck(c, { artifactsDir, browsers }));
  } finally {
    await browsers.close();
  }
  const report: RunReport = { results, skipped, startedAt, durationMs: Date.now() - startedAt };
  // Colour only for a person at a terminal; CI logs and pipes get plain text.
  const colour = flags.reporter === 'list' && process.stdout.isTTY && !process.env.NO_COLOR;
  process.stdout.write(colour ? listReport(report, { color: true }) : reporter(report));
  if (flags.summaryJson) {
    await mkdir(dirname(resolve(flags.summaryJson)), { recursive: true });
    await writeFile(flags.summaryJson, `${JSON.stringify(summaryJson(report), null, 2)}\n`);
  }
  if (results.some((r) => r.artifacts))
    process.stderr.write(`artifacts of failed browser checks are in ${artifactsDir}\n`);
  return results.some((r) => r.status === 'fail') ? ExitCode.Failed : ExitCode.Ok;
}

/** Loads the spec directory and maps its Check documents (certificate and script files are read here). */
async function loadChecks(dir: string): Promise<{ checks: CheckDefinition[]; diagnostics: Diagnostic[] }> {
  const { checkFromDocument } = await import('../../checks/index.ts');
  const bundle = await loadSpecDirectory(dir);
  const diagnostics = [...bundle.diagnostics];
  const checks: CheckDefinition[] = [];
  if (hasErrors(diagnostics)) return { checks, diagnostics };
  for (const doc of bundle.documents) {
    if (doc.apiVersion !== 'ballast.dev/v1' || doc.kind !== 'Check') continue;
    const r = checkFromDocument(doc, { baseDir: dirname(doc.file) });
    diagnostics.push(...r.diagnostics);
    if (r.check) checks.push(r.check);
  }
  return { checks, diagnostics };
}

function select(checks: CheckDefinition[], flags: RunFlags): CheckDefinition[] {
  const tags = flags.tags
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return checks.filter(
    (c) =>
      (!tags?.length || c.tags.some((t) => tags.includes(t))) &&
      (!flags.check?.length || flags.check.includes(c.name)) &&
      (flags.service === undefined || c.service === flags.service),
  );
}

function describeFilter(flags: RunFlags): string {
  const parts = [
    flags.tags ? `--tags ${flags.tags}` : '',
    flags.check?.length ? `--check ${flags.check.join(', ')}` : '',
    flags.service ? `--service ${flags.service}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' ') : '(there are no Check documents)';
}

/** Runs `items` with at most `limit` at once, keeping their order in the output. */
async function runAll<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await run(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function usage(message: string): number {
  process.stderr.write(`ballast check run: ${message}\n`);
  return ExitCode.BadInput;
}

async function gate(flags: {
  service: string;
  server: string;
  token?: string;
  json?: boolean;
}): Promise<number> {
  const client = new BallastClient(flags.server, flags.token ?? process.env.BALLAST_TOKEN);
  try {
    const decision = await client.request(
      'GET',
      `/gate?service=${encodeURIComponent(flags.service)}`,
      GateDecisionSchema,
    );
    if (flags.json) process.stdout.write(`${JSON.stringify(decision, null, 2)}\n`);
    else {
      process.stdout.write(`gate ${decision.pass ? 'OPEN' : 'CLOSED'} for ${decision.service}\n`);
      for (const r of decision.reasons) process.stdout.write(`${r.ok ? '  ok  ' : '  FAIL'} ${r.message}\n`);
    }
    return decision.pass ? ExitCode.Ok : ExitCode.Failed;
  } catch (err) {
    const message = err instanceof ApiRequestError ? err.message : String(err);
    process.stderr.write(`ballast gate: ${message}\n`);
    return ExitCode.BadInput;
  }
}
