/**
 * `ballast incident` against a real server: declare, list, move (and a move
 * the lifecycle refuses), note, resolve, postmortem to a file (never over an
 * edited one without --force), merge, public updates, acknowledging (again
 * after an ack-timeout re-trigger, on a controllable clock), show as JSON, and
 * the exit codes (0 done, 1 refused move, 2 bad input or unknown incident).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server/index.ts';

const ADMIN = 'incident-cli-token';
const BIN = join(import.meta.dirname, '..', 'bin', 'ballast.js');
const MINUTE = 60_000;
let server: RunningServer;
let dir = '';
/** The server's clock: the ack timeout runs on it, not on the wall. */
let clock = Date.UTC(2026, 10, 23, 10, 0);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'incident', ...args, '--server', server.url, '--token', ADMIN],
      { timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const SPECS = `apiVersion: ballast.dev/v1
kind: User
metadata: { name: alice }
spec: { contacts: [{ email: alice@example.com }] }
---
apiVersion: ballast.dev/v1
kind: EscalationPolicy
metadata: { name: web }
spec:
  steps: [{ delay: 5m, targets: [{ user: alice }] }]
  ackTimeout: 30m
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ballast-incident-cli-'));
  await writeFile(join(dir, 'oncall.yaml'), SPECS);
  server = await startServer({
    port: 0,
    inMemory: true,
    adminToken: ADMIN,
    runChecks: false,
    paging: false,
    specsDir: dir,
    now: () => clock,
  });
});

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ballast incident', () => {
  it('declares, lists, moves, notes, resolves and writes the postmortem', async () => {
    const declared = await cli([
      'declare',
      '--title',
      'Checkout 502s',
      '--severity',
      'SEV2',
      '--service',
      'checkout',
    ]);
    expect(declared.code).toBe(0);
    const id = /#(\d+)/.exec(declared.stdout)?.[1] as string;
    expect(id).toMatch(/^\d+$/);
    const list = await cli(['list']);
    expect(list.stdout).toMatch(new RegExp(`#${id}\\s+SEV2\\s+investigating\\s+checkout`));
    const refused = await cli(['ack', id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot move from investigating to acknowledged \(allowed: .*identified/);
    expect((await cli(['move', id, 'identified'])).code).toBe(0);
    expect((await cli(['note', id, 'Rolled back release 42'])).code).toBe(0);
    expect((await cli(['resolve', id])).code).toBe(0);
    const file = join(dir, 'pm.md');
    const pm = await cli(['postmortem', id, '-o', file]);
    expect(pm.code).toBe(0);
    const markdown = await readFile(file, 'utf8');
    expect(markdown).toContain('## Timeline');
    expect(markdown).toContain('Rolled back release 42');
    const shown = await cli(['show', id, '--json']);
    const detail = JSON.parse(shown.stdout) as { incident: { state: string }; timeline: { kind: string }[] };
    expect(detail.incident.state).toBe('resolved');
    expect(detail.timeline.map((e) => e.kind)).toEqual(['state', 'state', 'note', 'state', 'note']);
  });

  it('acknowledges, and acknowledges again after the ack timeout re-triggered the incident', async () => {
    const { key } = await api<{ key: string }>('POST', '/integrations', {
      name: 'web',
      kind: 'events-v2',
      service: 'web',
      escalationPolicy: 'web',
    });
    const sent = await api<{ dedup_key: string }>('POST', '/integrations/events/v2/enqueue', {
      routing_key: key,
      event_action: 'trigger',
      dedup_key: 'web-5xx',
      payload: { summary: 'Web 5xx above 2%', source: 'lb', severity: 'critical' },
    });
    expect(sent.dedup_key).toBe('web-5xx');
    const open = await api<{ id: number; title: string }[]>('GET', '/incidents?state=triggered');
    const id = String(open.find((i) => i.title === 'Web 5xx above 2%')?.id);
    const acked = await cli(['ack', id]);
    expect(acked).toMatchObject({ code: 0, stderr: '' });
    expect(acked.stdout).toMatch(new RegExp(`#${id}\\s+SEV2\\s+acknowledged\\s+web`));
    // Half an hour without progress: the ack times out and the incident is triggered again.
    clock += 31 * MINUTE;
    await server.paging.tick();
    await server.paging.settled();
    expect((await cli(['show', id, '--json'])).stdout).toContain('"state": "triggered"');
    const again = await cli(['ack', id]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/acknowledged/);
    const detail = JSON.parse((await cli(['show', id, '--json'])).stdout) as {
      incident: { state: string };
      timeline: { kind: string; data?: { to?: string } }[];
    };
    expect(detail.incident.state).toBe('acknowledged');
    expect(detail.timeline.filter((e) => e.kind === 'state').map((e) => e.data?.to)).toEqual([
      'acknowledged',
      'triggered',
      'acknowledged',
    ]);
    // A second ack while acknowledged succeeds and changes nothing.
    expect((await cli(['ack', id])).code).toBe(0);
  });

  it('never replaces an edited postmortem without --force', async () => {
    const declared = await cli(['declare', '--title', 'Search results empty', '--severity', 'SEV3']);
    const id = /#(\d+)/.exec(declared.stdout)?.[1] as string;
    expect((await cli(['resolve', id])).code).toBe(0);
    const draft = await cli(['postmortem', id]);
    expect(draft.code).toBe(0);
    expect(draft.stdout).toContain('## Root causes');
    // A second draft over an unedited one is fine.
    expect((await cli(['postmortem', id])).code).toBe(0);
    const edited = `${draft.stdout}\n## Notes\n\nThe index alias pointed at an empty index.\n`;
    await api('PUT', `/incidents/${id}/postmortem`, { markdown: edited });
    const refused = await cli(['postmortem', id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the postmortem was edited by admin');
    expect(refused.stderr).toContain('--force');
    expect(refused.stdout).toBe('');
    expect((await cli(['postmortem', id, '--keep'])).stdout).toBe(edited);
    expect((await cli(['postmortem', id, '--keep', '--force'])).code).toBe(2);
    const forced = await cli(['postmortem', id, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).not.toContain('The index alias');
    const after = JSON.parse((await cli(['show', id, '--json'])).stdout) as {
      incident: { postmortem: string; postmortemEdit?: unknown };
      timeline: { text: string }[];
    };
    expect(after.incident.postmortem).toBe(forced.stdout);
    expect(after.incident.postmortemEdit).toBeUndefined();
    expect(after.timeline.at(-1)?.text).toBe(
      'postmortem draft regenerated from the evidence, replacing the edit by admin',
    );
  });

  it('merges a duplicate into an open incident and posts a public update under its own title', async () => {
    const a = /#(\d+)/.exec(
      (await cli(['declare', '--title', 'Login slow (dup)', '--service', 'auth'])).stdout,
    )?.[1] as string;
    const b = /#(\d+)/.exec(
      (await cli(['declare', '--title', 'Login slow', '--service', 'auth'])).stdout,
    )?.[1] as string;
    const merged = await cli(['merge', a, b]);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toMatch(new RegExp(`#${a}\\s+SEV3\\s+merged.*→ #${b}`));
    const target = JSON.parse((await cli(['show', b, '--json'])).stdout) as {
      timeline: { kind: string; text: string }[];
    };
    expect(target.timeline.at(-1)).toMatchObject({ kind: 'merge', text: `#${a} merged into this incident` });
    // Into itself, into something that is not a number, into a merged one.
    expect((await cli(['merge', b, b])).code).toBe(2);
    expect((await cli(['merge', b, 'x'])).code).toBe(2);
    const intoMerged = await cli(['merge', b, a]);
    expect(intoMerged.code).toBe(1);
    expect(intoMerged.stderr).toContain(`merge into #${b} instead`);
    expect((await cli(['merge', b, '999999'])).code).toBe(2);

    expect((await cli(['update', b, 'We are looking into slow logins'])).code).toBe(2);
    const posted = await cli(['update', b, 'We are looking into slow logins', '--title', 'Slow sign-in']);
    expect(posted.code).toBe(0);
    expect(posted.stdout).toMatch(/^posted "Slow sign-in" at /);
  });

  it('exits 2 for bad input and unknown incidents', async () => {
    expect((await cli(['declare', '--title', 'x', '--severity', 'SEV9'])).code).toBe(2);
    const unknown = await cli(['show', '999999']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no incident 999999');
  });
});
