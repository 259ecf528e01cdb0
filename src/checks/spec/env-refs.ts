/**
 * Environment references as a Check document holds them: which fields may
 * carry `${env.NAME}` (and `env.NAME` in a browser script), syntax problems
 * and references in fields that are never filled in (errors), and variables
 * the loading process does not have (warnings: the process that runs the
 * check may still have them, but usually it is this one).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Diagnostic, LoadedDocument } from '../../spec/index.ts';
import { envNamesIn, envReferenceProblem, scriptEnvNames } from '../env.ts';

/** A text of the document where references are filled in at run time. */
export interface EnvField {
  path: (string | number)[];
  text: string;
  /** A browser script (`env.NAME`), not a `${env.NAME}` template. */
  script: boolean;
}

type Body = Record<string, unknown>;

const isBody = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

function requestFields(request: Body, at: (string | number)[]): EnvField[] {
  const out: EnvField[] = [];
  if (typeof request.url === 'string') out.push({ path: [...at, 'url'], text: request.url, script: false });
  if (isBody(request.headers))
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === 'string') out.push({ path: [...at, 'headers', name], text: value, script: false });
  if (typeof request.body === 'string')
    out.push({ path: [...at, 'body'], text: request.body, script: false });
  return out;
}

/** The fields of a Check's `spec` whose references are filled in when it runs. */
export function envFields(spec: Body): EnvField[] {
  const base = ['spec'];
  if (isBody(spec.http)) return requestFields(spec.http, [...base, 'http']);
  if (isBody(spec.multistep) && Array.isArray(spec.multistep.steps))
    return spec.multistep.steps.flatMap((s, i) =>
      isBody(s) ? requestFields(s, [...base, 'multistep', 'steps', i]) : [],
    );
  if (isBody(spec.tcp) && typeof spec.tcp.send === 'string')
    return [{ path: [...base, 'tcp', 'send'], text: spec.tcp.send, script: false }];
  if (isBody(spec.browser) && typeof spec.browser.script === 'string')
    return [{ path: [...base, 'browser', 'script'], text: spec.browser.script, script: true }];
  return [];
}

/** The blocks of the check types: where someone might expect a reference to be filled in. */
const TYPE_BLOCKS = ['http', 'multistep', 'tcp', 'dns', 'tls', 'browser', 'heartbeat'];

/** Paths of texts in the type block that hold `${env.` but are never filled in (a host, a servername). */
export function strayEnvReferences(spec: Body): (string | number)[][] {
  const filled = new Set(envFields(spec).map((f) => f.path.join('\0')));
  const out: (string | number)[][] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (typeof value === 'string') {
      if (/\$\{\s*env\b/.test(value) && !filled.has(path.join('\0'))) out.push(path);
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, [...path, i]);
    } else if (isBody(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    }
  };
  for (const block of TYPE_BLOCKS) walk(spec[block], ['spec', block]);
  return out;
}

/** Problems the schema reports as errors: bad reference syntax, references where nothing is filled in. */
export function envReferenceErrors(spec: Body): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  for (const f of envFields(spec)) {
    const problem = f.script ? undefined : envReferenceProblem(f.text);
    if (problem) out.push({ path: f.path, message: problem });
  }
  for (const path of strayEnvReferences(spec))
    out.push({
      path,
      message:
        'environment references are filled in only in a request url, headers and body, in tcp.send and (as env.NAME) in a browser script',
    });
  return out;
}

/** 1-based line of `index` in `text`. */
const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/**
 * Warnings for one valid Check document: variables it reads that `env` does
 * not have, and `${NAME}` in an http or tcp check, which has no variables and
 * sends the text as written. A script file's references point into that file.
 */
export function envWarnings(
  doc: LoadedDocument,
  spec: Body,
  env: Readonly<Record<string, string | undefined>>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const warn = (message: string, where: { file: string; line: number; column: number }) =>
    out.push({ ...where, severity: 'warning', message: `check ${doc.name}: ${message}` });
  const unset = (name: string) =>
    `environment variable ${name} is not set here: runs of this check fail with a config error until the process that runs it (ballast serve, ballast check run) has it`;
  for (const f of envFields(spec)) {
    const at = { file: doc.file, ...doc.locate(f.path) };
    const names = f.script ? scriptEnvNames(f.text) : envNamesIn(f.text);
    for (const name of names) {
      if (env[name] !== undefined) continue;
      const index = f.text.indexOf(f.script ? `env.${name}` : `\${env.${name}}`);
      const line = lineOf(f.text, index);
      warn(
        `${unset(name)}${line > 1 || f.script ? ` (line ${line} of the ${f.script ? 'script' : 'value'})` : ''}`,
        at,
      );
    }
    if (!f.script && spec.type !== 'multistep')
      for (const m of f.text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g))
        warn(
          `${m[0]} is sent as written: only multistep steps have variables (for an environment variable write \${env.${m[1]}})`,
          at,
        );
  }
  const browser = spec.browser;
  if (isBody(browser) && typeof browser.scriptFile === 'string') {
    const file = join(dirname(doc.file), browser.scriptFile);
    let script: string | undefined;
    try {
      script = readFileSync(file, 'utf8');
    } catch {
      // A missing file is the mapping's error to report, with its field.
    }
    for (const name of script === undefined ? [] : scriptEnvNames(script)) {
      if (env[name] !== undefined) continue;
      const index = script?.indexOf(`env.${name}`) ?? 0;
      const line = lineOf(script ?? '', index);
      const column = index - (script ?? '').lastIndexOf('\n', index - 1);
      warn(unset(name), { file, line, column });
    }
  }
  return out;
}
