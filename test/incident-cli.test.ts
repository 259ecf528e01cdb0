/**
 * `ballast incident` against a real server: declare, list, move (and a move
 * the lifecycle refuses), note, resolve, postmortem to a file, show as JSON,
 * and the exit codes (0 done, 1 refused move, 2 bad input or unknown incident).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server/index.ts';

const ADMIN = 'incident-cli-token';
const BIN = join(import.meta.dirname, '..', 'bin', 'ballast.js');
let server: RunningServer;
let dir = '';

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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ballast-incident-cli-'));
  server = await startServer({ port: 0, inMemory: true, adminToken: ADMIN, runChecks: false, paging: false });
});

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

  it('exits 2 for bad input and unknown incidents', async () => {
    expect((await cli(['declare', '--title', 'x', '--severity', 'SEV9'])).code).toBe(2);
    const unknown = await cli(['show', '999999']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no incident 999999');
  });
});
