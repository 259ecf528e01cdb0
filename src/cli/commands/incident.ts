/**
 * `ballast incident ...`: incidents from a terminal, through the server's API
 * (the same routes the UI uses). Output is a table or `--json`.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { ApiRequestError, BallastClient, defaultServerUrl } from '../../server/client.ts';
import {
  type IncidentBody,
  IncidentDetailSchema,
  IncidentSchema,
  TimelineEntrySchema,
} from '../../server/schemas.ts';
import { ExitCode } from '../exit-codes.ts';

interface Flags {
  server: string;
  token?: string;
  json?: boolean;
}

const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];

function client(flags: Flags): BallastClient {
  return new BallastClient(flags.server, flags.token ?? process.env.BALLAST_TOKEN);
}

/** Runs one API action; an API error prints its message and maps to an exit code. */
async function run(action: () => Promise<void>): Promise<number> {
  try {
    await action();
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof ApiRequestError) {
      const details = err.body?.details?.map((d) => ` (${d.path}: ${d.message})`).join('') ?? '';
      process.stderr.write(`ballast incident: ${err.message}${details}\n`);
      // 409: the move is not allowed now: a failure of the request, not bad input.
      return err.status === 409 ? ExitCode.Failed : ExitCode.BadInput;
    }
    process.stderr.write(`ballast incident: ${err instanceof Error ? err.message : String(err)}\n`);
    return ExitCode.BadInput;
  }
}

const iso = (t: number | undefined) =>
  t === undefined ? '-' : new Date(t).toISOString().replace('.000Z', 'Z');

function row(i: IncidentBody): string {
  return `#${String(i.id).padEnd(5)} ${i.severity}  ${i.state.padEnd(13)} ${(i.service ?? '-').padEnd(16)} ${iso(i.createdAt)}  ${i.title}`;
}

function transition(id: string, to: string, flags: Flags): Promise<number> {
  return run(async () => {
    const i = await client(flags).request(
      'POST',
      `/incidents/${encodeURIComponent(id)}/transition`,
      IncidentSchema,
      { to },
    );
    process.stdout.write(flags.json ? `${JSON.stringify(i, null, 2)}\n` : `${row(i)}\n`);
  });
}

function withServer(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'Ballast server (BALLAST_SERVER)', defaultServerUrl())
    .option('--token <token>', 'API token (default $BALLAST_TOKEN)')
    .option('--json', 'print JSON');
}

/** Registers `ballast incident list|show|declare|ack|resolve|move|merge|note|update|postmortem`. */
export function registerIncident(program: Command): void {
  const incident = program
    .command('incident')
    .description('Incidents: list, declare, acknowledge, resolve, annotate, postmortems');

  withServer(incident.command('list').description('Incidents, newest first'))
    .option('--state <states>', 'open (default), all, or comma-separated states', 'open')
    .option('--severity <sev>', 'SEV1..SEV4')
    .option('--service <name>', 'only this service')
    .action(async (flags: Flags & { state: string; severity?: string; service?: string }) => {
      process.exitCode = await run(async () => {
        const q = new URLSearchParams();
        if (flags.state !== 'all') q.set('state', flags.state);
        if (flags.severity) q.set('severity', flags.severity);
        if (flags.service) q.set('service', flags.service);
        const list = await client(flags).request('GET', `/incidents?${q}`, z.array(IncidentSchema));
        if (flags.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.length === 0) process.stdout.write('no incidents\n');
        else for (const i of list) process.stdout.write(`${row(i)}\n`);
      });
    });

  withServer(incident.command('show').description('One incident with its timeline').argument('<id>')).action(
    async (id: string, flags: Flags) => {
      process.exitCode = await run(async () => {
        const d = await client(flags).request(
          'GET',
          `/incidents/${encodeURIComponent(id)}`,
          IncidentDetailSchema,
        );
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
          return;
        }
        const i = d.incident;
        process.stdout.write(`${row(i)}\n\n`);
        const m = i.milestones;
        process.stdout.write(
          `  detected ${iso(m.detectedAt)}  acknowledged ${iso(m.acknowledgedAt)}  mitigated ${iso(m.mitigatedAt)}  resolved ${iso(m.resolvedAt)}\n`,
        );
        if (i.roles.commander) process.stdout.write(`  commander ${i.roles.commander}\n`);
        process.stdout.write(`  next moves: ${d.allowedMoves.join(', ') || 'none (final)'}\n\n`);
        for (const e of d.timeline)
          process.stdout.write(`  ${iso(e.at)}  ${e.kind.padEnd(17)} ${e.actor.padEnd(14)} ${e.text}\n`);
      });
    },
  );

  withServer(
    incident.command('declare').description('Declare an incident by hand (you become its commander)'),
  )
    .requiredOption('--title <title>', 'what is wrong, in a line')
    .option('--severity <sev>', 'SEV1..SEV4', 'SEV3')
    .option('--service <name>', 'the service it affects')
    .option('--summary <text>', 'first note')
    .action(
      async (flags: Flags & { title: string; severity: string; service?: string; summary?: string }) => {
        if (!SEVERITIES.includes(flags.severity)) {
          process.stderr.write(
            `ballast incident declare: --severity ${flags.severity}: use SEV1, SEV2, SEV3 or SEV4\n`,
          );
          process.exitCode = ExitCode.BadInput;
          return;
        }
        process.exitCode = await run(async () => {
          const body = {
            title: flags.title,
            severity: flags.severity,
            ...(flags.service ? { service: flags.service } : {}),
            ...(flags.summary ? { summary: flags.summary } : {}),
          };
          const i = await client(flags).request('POST', '/incidents', IncidentSchema, body);
          process.stdout.write(flags.json ? `${JSON.stringify(i, null, 2)}\n` : `declared ${row(i)}\n`);
        });
      },
    );

  const move = (name: string, to: string, description: string) =>
    withServer(incident.command(name).description(description).argument('<id>')).action(
      async (id: string, flags: Flags) => {
        process.exitCode = await transition(id, to, flags);
      },
    );
  move('ack', 'acknowledged', 'Acknowledge an incident (stops escalation)');
  move('resolve', 'resolved', 'Resolve an incident');
  withServer(
    incident
      .command('move')
      .description(
        'Move an incident to a state (investigating, identified, monitoring, closed, declined, ...)',
      )
      .argument('<id>')
      .argument('<state>'),
  ).action(async (id: string, state: string, flags: Flags) => {
    process.exitCode = await transition(id, state, flags);
  });

  withServer(
    incident.command('note').description('Add a note to the timeline').argument('<id>').argument('<text>'),
  ).action(async (id: string, text: string, flags: Flags) => {
    process.exitCode = await run(async () => {
      const e = await client(flags).request(
        'POST',
        `/incidents/${encodeURIComponent(id)}/notes`,
        TimelineEntrySchema,
        { text },
      );
      process.stdout.write(flags.json ? `${JSON.stringify(e, null, 2)}\n` : `noted at ${iso(e.at)}\n`);
    });
  });

  withServer(
    incident
      .command('merge')
      .description('Merge an incident into another (its alerts move there; both timelines say so)')
      .argument('<id>', 'the duplicate')
      .argument('<into>', 'the incident that carries on'),
  ).action(async (id: string, into: string, flags: Flags) => {
    const target = Number(into);
    if (!Number.isInteger(target) || target < 1) {
      process.stderr.write(`ballast incident merge: ${into} is not an incident number\n`);
      process.exitCode = ExitCode.BadInput;
      return;
    }
    process.exitCode = await run(async () => {
      const i = await client(flags).request(
        'POST',
        `/incidents/${encodeURIComponent(id)}/transition`,
        IncidentSchema,
        { to: 'merged', mergedInto: target },
      );
      process.stdout.write(flags.json ? `${JSON.stringify(i, null, 2)}\n` : `${row(i)} → #${target}\n`);
    });
  });

  withServer(
    incident
      .command('update')
      .description('Post a public update for the status page (the first needs --title)')
      .argument('<id>')
      .argument('<text>'),
  )
    .option('--title <title>', 'what the status page calls the incident (never its internal title)')
    .action(async (id: string, text: string, flags: Flags & { title?: string }) => {
      process.exitCode = await run(async () => {
        const i = await client(flags).request(
          'POST',
          `/incidents/${encodeURIComponent(id)}/updates`,
          IncidentSchema,
          { body: text, ...(flags.title ? { title: flags.title } : {}) },
        );
        const u = i.publicUpdates.at(-1);
        process.stdout.write(
          flags.json ? `${JSON.stringify(i, null, 2)}\n` : `posted "${u?.title}" at ${iso(u?.at)}\n`,
        );
      });
    });

  withServer(
    incident
      .command('postmortem')
      .description(
        'Write the postmortem draft from the evidence (or print the stored one) as Markdown; an edited postmortem is never replaced without --force',
      )
      .argument('<id>'),
  )
    .option('-o, --output <file>', 'write the Markdown to this file')
    .option('--keep', 'print the stored postmortem instead of writing a new draft')
    .option('--force', 'replace a postmortem someone edited with a new draft (the edit is lost)')
    .action(async (id: string, flags: Flags & { output?: string; keep?: boolean; force?: boolean }) => {
      if (flags.keep && flags.force) {
        process.stderr.write('ballast incident postmortem: --keep and --force ask for opposite things\n');
        process.exitCode = ExitCode.BadInput;
        return;
      }
      process.exitCode = await run(async () => {
        const c = client(flags);
        let markdown: string;
        if (flags.keep) {
          const d = await c.request('GET', `/incidents/${encodeURIComponent(id)}`, IncidentDetailSchema);
          if (!d.incident.postmortem)
            throw new Error(`incident ${id} has no postmortem yet: run without --keep to write the draft`);
          markdown = d.incident.postmortem;
        } else {
          try {
            const i = await c.request(
              'POST',
              `/incidents/${encodeURIComponent(id)}/postmortem`,
              IncidentSchema,
              flags.force ? { force: true } : {},
            );
            markdown = i.postmortem ?? '';
          } catch (err) {
            if (err instanceof ApiRequestError && err.status === 409)
              throw new ApiRequestError(
                409,
                `${err.message}\n  --keep prints the edited postmortem; --force replaces it with a new draft`,
              );
            throw err;
          }
        }
        if (flags.output) {
          await writeFile(flags.output, markdown);
          process.stderr.write(`wrote ${flags.output}\n`);
        } else process.stdout.write(markdown);
      });
    });
}
