/**
 * Environment references as `ballast validate` and `ballast check run` see
 * them: bad syntax and references in fields never filled in are errors at the
 * field; variables this process lacks are warnings naming file:line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic, loadSpecSources } from '../../spec/index.ts';
import '../index.ts';

const SET = 'BALLAST_TEST_ENV_SET';
const UNSET = 'BALLAST_TEST_ENV_UNSET';

function checkYaml(body: string): string {
  return `apiVersion: openslo/v1
kind: Service
metadata:
  name: shop
---
apiVersion: ballast.dev/v1
kind: Check
metadata:
  name: web
spec:
  service: shop
${body}`;
}

function diagnostics(text: string, file = 'checks.yaml'): string[] {
  return loadSpecSources([{ file, content: text }]).diagnostics.map(formatDiagnostic);
}

/** 1-based line of the first `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`${needle} is not in the text`);
  return text.slice(0, i).split('\n').length;
}

beforeEach(() => {
  process.env[SET] = 'value-that-is-set';
  delete process.env[UNSET];
});
afterEach(() => {
  delete process.env[SET];
});

describe('environment references in a Check', () => {
  it('a variable that is set loads cleanly', () => {
    expect(
      diagnostics(
        checkYaml(
          `  type: http\n  http:\n    url: http://127.0.0.1:1/\n    headers: { authorization: "Bearer \${env.${SET}}" }\n`,
        ),
      ),
    ).toEqual([]);
  });

  it('a variable that is not set is a warning at the line that reads it', () => {
    const text = checkYaml(
      `  type: http\n  http:\n    url: http://127.0.0.1:1/\n    headers:\n      authorization: "Bearer \${env.${UNSET}}"\n`,
    );
    const [d, ...rest] = diagnostics(text);
    expect(rest).toEqual([]);
    expect(d).toMatch(
      new RegExp(
        `^checks\\.yaml:${lineOf(text, 'authorization:')}:\\d+: warning: check web: environment variable ${UNSET} is not set here: runs of this check fail with a config error`,
      ),
    );
  });

  it('a bad name is an error naming the field and the reference', () => {
    const text = checkYaml(
      `  type: tcp\n  tcp:\n    host: 127.0.0.1\n    port: 25\n    send: "AUTH \${env.MY-PASSWORD}"\n`,
    );
    expect(diagnostics(text)).toEqual([
      `checks.yaml:${lineOf(text, 'send:')}:11: error: spec.tcp.send: \${env.MY-PASSWORD}: an environment variable name is letters, digits and _, not starting with a digit, with no spaces (\${env.API_TOKEN})`,
    ]);
  });

  it('a reference in a field that is never filled in is an error', () => {
    const text = checkYaml(`  type: tls\n  tls:\n    host: "\${env.HOST}"\n`);
    const [d] = diagnostics(text);
    expect(d).toMatch(
      new RegExp(
        `^checks\\.yaml:${lineOf(text, 'host:')}:\\d+: error: spec\\.tls\\.host: environment references are filled in only in a request url, headers and body`,
      ),
    );
  });

  it('multistep steps read them in the url, headers and body of every step', () => {
    const text = checkYaml(`  type: multistep
  multistep:
    steps:
      - name: login
        url: http://127.0.0.1:1/login
        body: '{"password":"\${env.${UNSET}}"}'
        extract: { token: { json: token } }
      - name: cart
        url: http://127.0.0.1:1/cart
        headers: { authorization: "Bearer \${token}" }
`);
    const found = diagnostics(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`checks.yaml:${lineOf(text, 'body:')}:`);
    expect(found[0]).toContain(`environment variable ${UNSET} is not set here`);
  });

  it('an http check warns that ${NAME} is sent as written', () => {
    const text = checkYaml(
      `  type: http\n  http:\n    url: http://127.0.0.1:1/\n    headers: { authorization: "Bearer \${TOKEN}" }\n`,
    );
    expect(diagnostics(text)).toEqual([
      expect.stringMatching(
        /warning: check web: \$\{TOKEN\} is sent as written: only multistep steps have variables \(for an environment variable write \$\{env\.TOKEN\}\)$/,
      ),
    ]);
  });

  describe('browser scripts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ballast-env-refs-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('an inline script reading env.NAME that is not set warns with the script line', () => {
      const text = checkYaml(
        `  type: browser\n  browser:\n    script: |\n      await page.goto('http://127.0.0.1:1/');\n      await page.fill('#password', env.${UNSET});\n`,
      );
      expect(diagnostics(text)).toEqual([
        expect.stringMatching(/warning: check web: .* \(line 2 of the script\)$/),
      ]);
    });

    it('a script file reading env.NAME that is not set warns at that file and line', () => {
      const script = join(dir, 'login.js');
      writeFileSync(
        script,
        `await page.goto('http://127.0.0.1:1/');\n\nawait page.fill('#p', env.${UNSET});\n`,
      );
      const file = join(dir, 'checks.yaml');
      const found = diagnostics(checkYaml(`  type: browser\n  browser:\n    scriptFile: login.js\n`), file);
      expect(found).toEqual([
        `${script}:3:23: warning: check web: environment variable ${UNSET} is not set here: runs of this check fail with a config error until the process that runs it (ballast serve, ballast check run) has it`,
      ]);
    });
  });
});
