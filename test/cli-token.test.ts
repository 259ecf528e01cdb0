/** `ballast token create|list|revoke` as a process against a real server (PGlite). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type Harness, startHarness } from './server-harness.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const BIN = join(ROOT, 'bin', 'ballast.js');

async function ballast(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(NODE, [BIN, ...args], {
      env: { ...process.env, BALLAST_TOKEN: ADMIN },
      cwd: ROOT,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('ballast token', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates a token whose secret is printed once, lists it without the secret, and revokes it', async () => {
    const created = await ballast([
      'token',
      'create',
      'ci-pipeline',
      '--role',
      'responder',
      '--server',
      h.server.url,
    ]);
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^blst_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(
      /token [0-9a-f-]{36} \(ci-pipeline, responder\): the secret above is shown once/,
    );
    expect((await h.call('GET', '/api/v1/slos', { token: secret })).status).toBe(200);

    const listed = await ballast(['token', 'list', '--server', h.server.url]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+ROLE\s+CREATED$/);
    expect(listed.stdout).toContain('ci-pipeline');
    expect(listed.stdout).not.toContain(secret);
    const json = JSON.parse(
      (await ballast(['token', 'list', '--server', h.server.url, '--json'])).stdout,
    ) as {
      id: string;
      name: string;
    }[];
    const id = json.find((t) => t.name === 'ci-pipeline')?.id as string;

    const revoked = await ballast(['token', 'revoke', id, '--server', h.server.url]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${id} (ci-pipeline, responder)\n` });
    expect((await h.call('GET', '/api/v1/slos', { token: secret })).status).toBe(401);
  });

  it('exits 2 for an unknown id or role, and 1 when the server refuses (the last admin token)', async () => {
    const unknown = await ballast(['token', 'revoke', 'no-such-id', '--server', h.server.url]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no token with id "no-such-id"');
    const badRole = await ballast(['token', 'create', 'x', '--role', 'root', '--server', h.server.url]);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('expected one of viewer, responder, admin');
    const admin = JSON.parse(
      (await ballast(['token', 'list', '--server', h.server.url, '--json'])).stdout,
    ).find((t: { role: string }) => t.role === 'admin');
    const last = await ballast(['token', 'revoke', admin.id, '--server', h.server.url]);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('this is the last admin token');
  });
});
