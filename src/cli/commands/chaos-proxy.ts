/**
 * `ballast chaos proxy`: runs the fault daemon (the TCP fault proxy with the
 * Toxiproxy API, fault leases under /ballast/v1) until SIGINT or SIGTERM.
 * `--config` takes Toxiproxy's populate JSON; a bad file exits 2, naming the
 * file and the entry.
 */
import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import type { FaultDaemonPlugin } from '../../chaos/daemon/index.ts';
import { parseHostPort, parsePopulate } from '../../chaos/proxy/index.ts';
import { ExitCode } from '../exit-codes.ts';

/** The command's flags. */
export interface ChaosProxyFlags {
  api: string;
  config?: string;
}

/** What a caller wiring the command can add: more fault kinds (route plugins), where output goes. */
export interface ChaosProxyOptions {
  plugins?: FaultDaemonPlugin[];
  out?: (line: string) => void;
  err?: (line: string) => void;
}

function apiAddress(value: string): string {
  const r = parseHostPort(value, true);
  if (!r.ok) throw new InvalidArgumentError(r.error);
  return value;
}

/** Reads and checks the populate file; returns the entries, or the message to print. */
async function loadConfig(file: string): Promise<{ entries: unknown } | { error: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { error: `cannot read ${file}: ${(err as Error).message}` };
  }
  try {
    return { entries: JSON.parse(text) };
  } catch (err) {
    return { error: `${file} is not valid JSON: ${(err as Error).message}` };
  }
}

/**
 * Runs the daemon; resolves with the exit code once a signal stopped it
 * (or at once with 2 when the config or an address is bad).
 */
export async function runChaosProxy(flags: ChaosProxyFlags, opts: ChaosProxyOptions = {}): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = opts.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  let populate: unknown;
  if (flags.config !== undefined) {
    const loaded = await loadConfig(flags.config);
    if ('error' in loaded) {
      err(`ballast chaos proxy: ${loaded.error}`);
      return ExitCode.BadInput;
    }
    const checked = parsePopulate(loaded.entries);
    if (!checked.ok) {
      err(`ballast chaos proxy: ${flags.config}: ${checked.error.message}`);
      return ExitCode.BadInput;
    }
    populate = loaded.entries;
  }
  // Loaded here so other commands do not pay for Fastify at start-up.
  const { createFaultDaemon } = await import('../../chaos/daemon/index.ts');
  const api = parseHostPort(flags.api, true);
  if (!api.ok) {
    err(`ballast chaos proxy: --api ${flags.api}: ${api.error}`);
    return ExitCode.BadInput;
  }
  let daemon: Awaited<ReturnType<typeof createFaultDaemon>>;
  try {
    daemon = await createFaultDaemon({
      host: api.value.host,
      port: api.value.port,
      populate,
      plugins: opts.plugins,
      log: err,
    });
  } catch (e) {
    const message = (e as Error).message;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const where = /^listen tcp .* at proxy \d+/.test(message)
      ? `${flags.config}: `
      : ['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'ENOTFOUND'].includes(code)
        ? `--api ${flags.api}: `
        : '';
    err(`ballast chaos proxy: ${where}${message}`);
    return ExitCode.BadInput;
  }
  out(`Fault daemon listening on ${daemon.url} (Toxiproxy API; leases and halt under /ballast/v1)`);
  for (const p of daemon.proxies.list())
    out(`  proxy ${p.name}: ${p.listen} -> ${p.upstream}${p.enabled ? '' : ' (disabled)'}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  out('Stopping: reverting every fault');
  await daemon.close();
  return ExitCode.Ok;
}

/**
 * Registers `proxy` under the `chaos` command. `plugins` (given the parsed
 * flags) mounts more fault kinds on the daemon, e.g. host and HTTP faults.
 */
export function registerChaosProxy(
  chaos: Command,
  plugins?: (
    flags: ChaosProxyFlags & Record<string, unknown>,
  ) => FaultDaemonPlugin[] | Promise<FaultDaemonPlugin[]>,
): Command {
  return chaos
    .command('proxy')
    .description(
      'Run the fault daemon: TCP fault proxy with the Toxiproxy HTTP API, fault leases and halt under /ballast/v1',
    )
    .option('--api <host:port>', 'address of the HTTP API', apiAddress, '127.0.0.1:8474')
    .option(
      '--config <file>',
      "proxies to create at start: Toxiproxy's populate JSON ([{name, listen, upstream}])",
    )
    .addHelpText(
      'after',
      '\nRuns until SIGINT or SIGTERM, then reverts every fault. Exit codes: 0 stopped, 2 bad config or address.',
    )
    .action(async (flags: ChaosProxyFlags & Record<string, unknown>) => {
      process.exitCode = await runChaosProxy(flags, { plugins: await plugins?.(flags) });
    });
}
