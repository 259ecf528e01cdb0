/**
 * `ballast token create|list|revoke`: the server's API tokens, through its
 * admin routes. A new token's secret is printed once; the server keeps only
 * its hash. Exit codes: 0 done, 1 refused by the server or unreachable, 2 bad
 * input (an unknown id, a bad role).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { BallastClient, defaultServerUrl } from '../../server/client.ts';
import { TokenRecordSchema, TokenResponseSchema, TokenRevokedSchema } from '../../server/schemas.ts';
import { runApiAction } from './apply.ts';
import { table } from './slo.ts';

interface ServerFlags {
  server: string;
  token?: string;
  json?: boolean;
}

const ROLES = ['viewer', 'responder', 'admin'] as const;

function role(value: string): (typeof ROLES)[number] {
  if (!(ROLES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${ROLES.join(', ')}`);
  return value as (typeof ROLES)[number];
}

const out = (s: string) => process.stdout.write(s);
const client = (f: ServerFlags) => new BallastClient(f.server, f.token ?? process.env.BALLAST_TOKEN);

/** A refused body (400) and an unknown id (404) are bad input. */
const run = (action: () => Promise<void>) => runApiAction(action, [400, 404]);

export function registerToken(program: Command): void {
  const token = program.command('token').description("The server's API tokens (admin)");
  const withServer = (c: Command) =>
    c
      .option('--server <url>', 'Ballast server (BALLAST_SERVER)', defaultServerUrl())
      .option('--token <token>', 'an admin token (default $BALLAST_TOKEN)')
      .option('--json', 'print JSON');

  withServer(
    token
      .command('create')
      .description('Create a token; its secret is printed once')
      .argument('<name>', 'what the token is for, e.g. ci-pipeline')
      .requiredOption('--role <role>', 'viewer, responder or admin', role),
  ).action((name: string, flags: ServerFlags & { role: (typeof ROLES)[number] }) =>
    run(async () => {
      const created = await client(flags).request('POST', '/tokens', TokenResponseSchema, {
        name,
        role: flags.role,
      });
      if (flags.json) out(`${JSON.stringify(created, null, 2)}\n`);
      else out(`${created.token}\n`);
      if (!flags.json)
        process.stderr.write(
          `token ${created.id} (${created.name}, ${created.role}): the secret above is shown once\n`,
        );
    }),
  );

  withServer(
    token.command('list').description('Every token: id, name, role, created (never the secrets)'),
  ).action((flags: ServerFlags) =>
    run(async () => {
      const tokens = await client(flags).request('GET', '/tokens', z.array(TokenRecordSchema));
      if (flags.json) {
        out(`${JSON.stringify(tokens, null, 2)}\n`);
        return;
      }
      const rows = tokens.map((t) => [t.id, t.name, t.role, new Date(t.createdAt).toISOString()]);
      out(`${table(['ID', 'NAME', 'ROLE', 'CREATED'], rows)}\n`);
    }),
  );

  withServer(
    token
      .command('revoke')
      .description(
        'Revoke a token at once (its requests get 401, its event streams end); not the last admin token',
      )
      .argument('<id>', 'the token id (see `ballast token list`)'),
  ).action((id: string, flags: ServerFlags) =>
    run(async () => {
      const { revoked } = await client(flags).request(
        'DELETE',
        `/tokens/${encodeURIComponent(id)}`,
        TokenRevokedSchema,
      );
      if (flags.json) out(`${JSON.stringify({ revoked }, null, 2)}\n`);
      else out(`revoked ${revoked.id} (${revoked.name}, ${revoked.role})\n`);
    }),
  );
}
