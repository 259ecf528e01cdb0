import { type Command, InvalidArgumentError } from 'commander';
import type { ServerOptions } from '../../server/index.ts';
import { parseDuration } from '../../spec/index.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError('a port is a whole number 0-65535');
  return n;
}

interface ServeFlags {
  specs?: string;
  port: number;
  host: string;
  data?: string;
  publicRead?: boolean;
  demo?: boolean;
  alertmanager?: string;
  groupWindow?: string;
  groupBy?: string;
  smtp?: string;
  smtpFrom: string;
  externalUrl?: string;
  retainResults?: string;
  retainSli?: string;
}

/** Shorter than this is surely a mistake (`90` read as 90 ms): it would empty the result history at once. */
const MIN_RETENTION_MS = 86_400_000;

/** A retention flag's value as ms (undefined when not given); at least a day. */
function retentionMs(flag: string, example: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms < MIN_RETENTION_MS)
    throw new InvalidArgumentError(`${flag} ${text}: a duration of at least 1d, ${example}`);
  return ms;
}

/** `--retain-results` (or BALLAST_RESULT_RETENTION) as ms; undefined for the default. */
export function retentionOption(text: string | undefined): number | undefined {
  return retentionMs(
    '--retain-results',
    'such as 30d or 180d (daily uptime counts are kept either way)',
    text,
  );
}

/** `--retain-sli` (or BALLAST_SLI_RETENTION) as ms; undefined for the default. */
export function sliRetentionOption(text: string | undefined): number | undefined {
  return retentionMs('--retain-sli', 'such as 90d or 400d (each SLO keeps at least its own windows)', text);
}

/** `ballast serve`: API, web UI, SLO engine and (with --demo) a demo workload in one process. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the Ballast server: API, web UI, SLO evaluation and alerting')
    .option('--specs <dir>', 'load and watch this spec directory')
    .option('--port <port>', 'port to listen on', port, 7420)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'embedded database directory (DATABASE_URL wins)', '.ballast')
    .option('--public-read', 'allow reads without a token (default with --demo)')
    .option('--demo', 'run a demo workload that feeds the events-sourced SLOs')
    .option('--alertmanager <url>', 'post alert changes to this Alertmanager (or BALLAST_ALERTMANAGER_URL)')
    .option(
      '--group-window <duration>',
      'alerts of one service within this long join one incident (default 30m, 0 turns it off)',
    )
    .option(
      '--group-by <labels>',
      'alerts with equal values of these labels join one incident (comma-separated, e.g. alertname,cluster)',
    )
    .option(
      '--smtp <host:port>',
      'SMTP server for e-mail pages (or BALLAST_SMTP); --smtp-from sets the sender',
    )
    .option('--smtp-from <address>', 'sender of e-mail pages', 'ballast@localhost')
    .option(
      '--external-url <url>',
      'base URL of this server in the links of pages (default the listen address)',
    )
    .option(
      '--retain-results <duration>',
      'keep raw check results this long (or BALLAST_RESULT_RETENTION; default 90d, at least 1d); daily uptime counts are kept for good',
    )
    .option(
      '--retain-sli <duration>',
      'keep per-minute SLI data this long (or BALLAST_SLI_RETENTION; default 400d, at least 1d); each SLO keeps at least its window and alert windows',
    )
    .action(async (flags: ServeFlags) => {
      // Loaded here so other commands do not pay for the server's imports at start-up.
      const { startServer } = await import('../../server/index.ts');
      const databaseUrl = process.env.DATABASE_URL || undefined;
      const publicRead = flags.publicRead ?? flags.demo ?? false;
      const server = await startServer({
        port: flags.port,
        host: flags.host,
        dataDir: databaseUrl ? undefined : flags.data,
        databaseUrl,
        specsDir: flags.specs,
        publicRead,
        demo: flags.demo,
        alertmanagerUrl: flags.alertmanager ?? process.env.BALLAST_ALERTMANAGER_URL,
        log: true,
        ...retention(flags.retainResults ?? process.env.BALLAST_RESULT_RETENTION),
        ...sliRetention(flags.retainSli ?? process.env.BALLAST_SLI_RETENTION),
        ...incidentOptions(flags),
      });
      const out = process.stdout;
      out.write(`Ballast is serving on ${server.url}\n`);
      out.write(`  database: ${databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${flags.data}`}\n`);
      out.write(`  API:      ${server.url}/api/v1 (OpenAPI: ${server.url}/api/v1/openapi.json)\n`);
      if (publicRead) out.write('  reads are public (--public-read): the web UI works without a token\n');
      if (server.adminToken) {
        out.write(`\nAdmin token (shown once, store it now):\n  ${server.adminToken}\n`);
        out.write(
          'Use it as BALLAST_TOKEN for `ballast apply`, or set BALLAST_ADMIN_TOKEN to choose your own.\n\n',
        );
      }
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`\n${signal}: stopping\n`);
          server.close().then(resolve, (err: unknown) => {
            process.stderr.write(`error while stopping: ${String(err)}\n`);
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}

function retention(text: string | undefined): Pick<ServerOptions, 'resultRetentionMs'> {
  const ms = retentionOption(text);
  return ms === undefined ? {} : { resultRetentionMs: ms };
}

function sliRetention(text: string | undefined): Pick<ServerOptions, 'sliRetentionMs'> {
  const ms = sliRetentionOption(text);
  return ms === undefined ? {} : { sliRetentionMs: ms };
}

/** Grouping, SMTP and link options of `serve`, checked (a bad value stops the server before it starts). */
function incidentOptions(flags: ServeFlags): Pick<ServerOptions, 'grouping' | 'smtp' | 'externalUrl'> {
  const out: Pick<ServerOptions, 'grouping' | 'smtp' | 'externalUrl'> = {};
  if (flags.groupWindow !== undefined || flags.groupBy !== undefined) {
    const windowMs =
      flags.groupWindow === undefined
        ? 30 * 60_000
        : flags.groupWindow === '0'
          ? 0
          : parseDuration(flags.groupWindow);
    if (windowMs === undefined)
      throw new InvalidArgumentError(`--group-window ${flags.groupWindow}: a duration such as 30m or 2h`);
    const byLabels = (flags.groupBy ?? '')
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
    out.grouping = { windowMs, byLabels };
  }
  const smtp = flags.smtp ?? process.env.BALLAST_SMTP;
  if (smtp) {
    const m = /^([^:]+):(\d+)$/.exec(smtp);
    if (!m) throw new InvalidArgumentError(`--smtp ${smtp}: give host:port, e.g. 127.0.0.1:25`);
    out.smtp = { host: m[1] as string, port: Number(m[2]), from: flags.smtpFrom };
  }
  if (flags.externalUrl) out.externalUrl = flags.externalUrl;
  return out;
}
