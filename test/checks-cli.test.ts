/**
 * `ballast check run DIR` as CI runs it: the real CLI against real local
 * servers (HTTP and a TCP port), every reporter, tag filters, the summary
 * file, and the exit codes (0 all passed, 1 a check failed, 2 bad input).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'ballast.js');

const SECRET = 'cli-secret-0123456789';

let target: Server;
let base = '';
let dir = '';

const SERVICE = `apiVersion: openslo/v1
kind: Service
metadata:
  name: api
spec:
  description: An API
`;

function check(name: string, tags: string[], body: string): string {
  return `---
apiVersion: ballast.dev/v1
kind: Check
metadata:
  name: ${name}
spec:
  service: api
  type: http
  tags: [${tags.join(', ')}]
${body}`;
}

function run(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'check', 'run', ...args],
      { timeout: 60_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function specDir(name: string, content: string): Promise<string> {
  const d = join(dir, name);
  await import('node:fs/promises').then((fs) => fs.mkdir(d, { recursive: true }));
  await writeFile(join(d, 'checks.yaml'), content);
  return d;
}

beforeAll(async () => {
  target = createServer((req, res) => {
    if (req.url === '/private') {
      const ok = req.headers.authorization === `Bearer ${SECRET}`;
      res.writeHead(ok ? 200 : 401).end(ok ? 'welcome' : `bad credentials: ${req.headers.authorization}`);
      return;
    }
    if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 300);
      return;
    }
    const ok = req.url !== '/broken';
    res.writeHead(ok ? 200 : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: [{ id: 5 }], ok }));
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'ballast-check-cli-'));
});

afterAll(async () => {
  await new Promise((r) => target?.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ballast check run', () => {
  it('exits 0 when every check passes (degraded counts as passed) and lists them', async () => {
    const d = await specDir(
      'pass',
      SERVICE +
        check(
          'home',
          ['smoke'],
          `  http: { url: ${base}/ }\n  conditions: ["[STATUS] == 200", "[BODY].data[0].id == 5"]\n`,
        ) +
        check('slow', ['smoke'], `  http: { url: ${base}/slow }\n  degradedResponseTime: 100ms\n`),
    );
    const r = await run([d]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/home/);
    expect(r.stdout).toMatch(/slow/);
    expect(r.stdout).toMatch(/1 passed, 1 degraded, 0 failed/);
  });

  it('exits 1 when a check fails, and the JUnit report and summary file say which condition', async () => {
    const d = await specDir(
      'fail',
      SERVICE +
        check('home', ['smoke'], `  http: { url: ${base}/ }\n`) +
        check(
          'broken',
          ['smoke', 'api'],
          `  http: { url: ${base}/broken }\n  conditions: ["[STATUS] == any(200, 204)"]\n`,
        ),
    );
    const summary = join(dir, 'summary.json');
    const r = await run([d, '--reporter', 'junit', '--summary-json', summary]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('<testsuite');
    expect(r.stdout).toMatch(/<testcase[^>]*name="broken"/);
    expect(r.stdout).toContain('[STATUS] (500) == any(200, 204)');
    const json = JSON.parse(await readFile(summary, 'utf8')) as {
      passed: number;
      failed: number;
      results: { check: string; status: string }[];
    };
    expect(json.passed).toBe(1);
    expect(json.failed).toBe(1);
    expect(json.results.find((x) => x.check === 'broken')?.status).toBe('fail');
  });

  it('runs only the checks with a given tag, and the GitHub reporter annotates failures', async () => {
    const d = join(dir, 'fail');
    const onlySmoke = await run([d, '--tags', 'api', '--reporter', 'github']);
    expect(onlySmoke.code).toBe(1);
    expect(onlySmoke.stdout).toMatch(/^::error title=[^\n]*broken/m);
    expect(onlySmoke.stdout).not.toMatch(/title=[^\n]*home/);
    const json = await run([d, '--check', 'home', '--reporter', 'json']);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { results: unknown[] }).results).toHaveLength(1);
  });

  it('exits 2 for a condition that does not parse, naming the file, line, check and column', async () => {
    const d = await specDir(
      'bad',
      SERVICE + check('typo', [], `  http: { url: ${base}/ }\n  conditions: ["[STATS] == 200"]\n`),
    );
    const r = await run([d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /checks\.yaml:\d+:\d+: error: spec\.conditions\[0\]: check typo: condition "\[STATS\] == 200": unknown placeholder \[STATS\] at column 1/,
    );
  });

  it('reads ${env.NAME} from its own environment: the header arrives and the value is never printed', async () => {
    const d = await specDir(
      'env',
      SERVICE +
        check(
          'private',
          [],
          `  http:\n    url: ${base}/private\n    headers:\n      authorization: "Bearer \${env.BALLAST_CLI_TOKEN}"\n  conditions: ["[STATUS] == 200"]\n`,
        ),
    );
    const ok = await run([d, '--reporter', 'json'], { BALLAST_CLI_TOKEN: SECRET });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toContain(SECRET);
    // A wrong value gets 401 and the server echoes it: the report shows the reference, not the value.
    const wrong = await run([d, '--reporter', 'json'], { BALLAST_CLI_TOKEN: `${SECRET}-old` });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).not.toContain(SECRET);
  });

  it('warns at file:line when a variable is not set, then fails the check with a config error naming it', async () => {
    const d = join(dir, 'env');
    const r = await run([d], { BALLAST_CLI_TOKEN: undefined });
    const yaml = await readFile(join(d, 'checks.yaml'), 'utf8');
    const line = yaml.slice(0, yaml.indexOf('authorization:')).split('\n').length;
    expect(r.stderr).toMatch(
      new RegExp(
        `checks\\.yaml:${line}:\\d+: warning: check private: environment variable BALLAST_CLI_TOKEN is not set here`,
      ),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('environment variable BALLAST_CLI_TOKEN is not set');
  });

  it('exits 2 for a malformed reference, naming the field', async () => {
    const d = await specDir(
      'env-bad',
      SERVICE +
        check('bad-ref', [], `  http:\n    url: ${base}/\n    headers: { x-key: "\${env.MY-KEY}" }\n`),
    );
    const r = await run([d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /checks\.yaml:\d+:\d+: error: spec\.http\.headers\.x-key: \$\{env\.MY-KEY\}: an environment variable name/,
    );
  });

  it('exits 2 when no check matches the filter, and for an unknown reporter', async () => {
    const d = join(dir, 'pass');
    expect((await run([d, '--tags', 'nothing'])).code).toBe(2);
    expect((await run([d, '--reporter', 'xml'])).code).toBe(2);
  });
});
