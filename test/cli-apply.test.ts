import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../src/slo/model.ts';
import { ADMIN, DRIVERS, type Harness, SPEC_FILES, startHarness } from './server-harness.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The pinned Node 24 (the machine's own node may be older). */
const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const BIN = join(ROOT, 'bin', 'ballast.js');

async function ballast(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(NODE, [BIN, ...args], {
      env: { ...process.env, BALLAST_TOKEN: '', ...env },
      cwd: ROOT,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe.each(DRIVERS)('ballast apply and slo against a server on %s', (driver) => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await startHarness(driver);
    dir = await mkdtemp(join(tmpdir(), 'ballast-cli-'));
    await mkdir(join(dir, 'specs'));
    for (const f of SPEC_FILES) await writeFile(join(dir, f.file), f.content);
  });
  afterAll(async () => {
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates everything on the first run and reports all unchanged on the second', async () => {
    const first = await ballast([
      'apply',
      join(dir, 'specs'),
      '--server',
      h.server.url,
      '--token',
      ADMIN,
      '--json',
    ]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const created = JSON.parse(first.stdout);
    expect(created.created.length).toBeGreaterThan(0);
    const second = await ballast(['apply', join(dir, 'specs'), '--server', h.server.url], {
      BALLAST_TOKEN: ADMIN,
    });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`0 created, 0 updated, ${created.created.length} unchanged`);
  });

  it('stops on local diagnostics with exit 1 and sends nothing', async () => {
    const bad = join(dir, 'bad');
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, 'slo.yaml'), SPEC_FILES[1]!.content.replace('target: 0.99', 'target: 7'));
    const res = await ballast(['apply', bad, '--server', h.server.url, '--token', ADMIN]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/slo\.yaml:\d+:\d+: error:/);
  });

  it('refuses to apply without a token', async () => {
    const res = await ballast(['apply', join(dir, 'specs'), '--server', h.server.url]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Bearer');
  });

  it('lists SLOs and shows one in detail, as tables and as JSON', async () => {
    const now = h.clock.now;
    await h.call('POST', '/api/v1/slos/checkout-availability/events', {
      body: { events: [{ timestamp: now - 10 * MINUTE_MS, good: 95, total: 100 }] },
    });
    const json = await ballast(['slo', 'list', '--server', h.server.url, '--token', ADMIN, '--json']);
    expect(json.code).toBe(0);
    const slos = JSON.parse(json.stdout);
    const row = slos.find((s: { name: string }) => s.name === 'checkout-availability');
    expect(row.status.events).toEqual({ good: 95, total: 100 });
    const table = await ballast(['slo', 'list', '--server', h.server.url, '--token', ADMIN]);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^SLO\s+SERVICE\s+OBJECTIVE\s+WINDOW\s+SLI\s+BUDGET LEFT\s+FASTEST BURN\s+ALERT$/,
    );
    expect(table.stdout).toContain('95.000%');
    const status = await ballast([
      'slo',
      'status',
      'checkout-availability',
      '--server',
      h.server.url,
      '--token',
      ADMIN,
    ]);
    expect(status.code).toBe(0);
    for (const label of Object.keys(row.status.burnRates))
      expect(status.stdout).toMatch(new RegExp(`^${label}\\s`, 'm'));
    const missing = await ballast(['slo', 'status', 'nope', '--server', h.server.url, '--token', ADMIN]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope');
  });
});
