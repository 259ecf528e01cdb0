import { type Command, InvalidArgumentError } from 'commander';

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
