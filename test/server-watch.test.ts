/**
 * `startServer({ specsDir })` watches the spec directory: files added or
 * edited there are applied after the edits settle, and a directory with a spec
 * error is refused as a whole while the server keeps serving what it had.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningServer, startServer } from '../src/server/index.ts';

const ADMIN = 'admin-token-for-watch-tests';
/** Upper bound for one change to show up; polls end as soon as it does. */
const WAIT_MS = 10_000;
const POLL_MS = 150;

const SERVICE = `apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
spec:
  description: Checkout API
`;

/** An events-sourced ratio SLO named `name` with objective `target`. */
function sloYaml(name: string, target: number): string {
  return `apiVersion: openslo/v1
kind: SLO
metadata:
  name: ${name}
spec:
  service: checkout
  indicator:
    metadata:
      name: ${name}-requests
    spec:
      ratioMetric:
        counter: true
        good: {}
        total: {}
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: ${target}
`;
}

interface Summary {
  name: string;
  objective: number;
}

let dir = '';
let server: RunningServer;
const stderrLines: string[] = [];

async function listSlos(): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/api/v1/slos`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as Summary[];
  return new Map(body.map((s) => [s.name, s.objective]));
}

/** Polls `probe` until it returns true, failing after {@link WAIT_MS}. */
async function eventually(what: string, probe: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ballast-watch-'));
  await writeFile(join(dir, 'service.yaml'), SERVICE);
  await writeFile(join(dir, 'first.yaml'), sloYaml('first-slo', 0.99));
  // The server logs to stderr: the only sign a refused re-apply ran, and where its diagnostics go.
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    stderrLines.push(String(chunk));
    return write(chunk, ...rest);
  }) as typeof process.stderr.write);
  server = await startServer({
    port: 0,
    inMemory: true,
    specsDir: dir,
    adminToken: ADMIN,
    publicRead: true,
    log: true,
  });
});

afterAll(async () => {
  await server?.close();
  vi.restoreAllMocks();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a server watching its spec directory', () => {
  it('serves the SLO that was in the directory at start', async () => {
    expect(await listSlos()).toEqual(new Map([['first-slo', 0.99]]));
  });

  it('applies a new SLO file written into the directory', async () => {
    await writeFile(join(dir, 'second.yaml'), sloYaml('second-slo', 0.95));
    await eventually('second-slo is listed', async () => (await listSlos()).has('second-slo'));
    expect(await listSlos()).toEqual(
      new Map([
        ['first-slo', 0.99],
        ['second-slo', 0.95],
      ]),
    );
  });

  it('applies an edited objective', async () => {
    await writeFile(join(dir, 'first.yaml'), sloYaml('first-slo', 0.995));
    await eventually(
      'first-slo has objective 0.995',
      async () => (await listSlos()).get('first-slo') === 0.995,
    );
    expect((await listSlos()).get('second-slo')).toBe(0.95);
  });

  it('refuses a directory with a spec error as a whole and keeps serving what it had', async () => {
    const before = await listSlos();
    const refusals = () => stderrLines.filter((l) => l.includes(`specs in ${dir} have errors`)).length;
    const seen = refusals();
    // A valid edit in the same change must not be applied either: the directory is one unit.
    // The broken file goes first, so a re-apply between the two writes is refused too.
    await writeFile(join(dir, 'broken.yaml'), `${sloYaml('broken-slo', 0.99)}  nonsense: [unclosed\n`);
    await writeFile(join(dir, 'second.yaml'), sloYaml('second-slo', 0.9));
    await eventually('the server logs that the directory has errors', () => refusals() > seen);
    // The diagnostic names the file and a line:column in it.
    expect(stderrLines.join('')).toMatch(/broken\.yaml:\d+:\d+/);
    expect(await listSlos()).toEqual(before);
    const health = await fetch(`${server.url}/api/v1/health`);
    expect(health.status).toBe(200);
  });

  it('applies the directory once the broken file is fixed', async () => {
    await writeFile(join(dir, 'broken.yaml'), sloYaml('broken-slo', 0.98));
    await eventually('broken-slo is listed', async () => (await listSlos()).has('broken-slo'));
    expect(await listSlos()).toEqual(
      new Map([
        ['first-slo', 0.995],
        ['second-slo', 0.9],
        ['broken-slo', 0.98],
      ]),
    );
  });
});
