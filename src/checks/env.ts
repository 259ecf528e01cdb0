/**
 * Environment references in checks: `${env.NAME}` in the fields that carry
 * request data (an HTTP request's URL, header values and body, a multistep
 * step's, a TCP check's `send`) and `env.NAME` in a browser script, which
 * gets an `env` object. Values come from the environment of the process that
 * runs the check, at run time: definitions keep the reference, and results
 * show `[redacted: env.NAME]` wherever a value would appear. Pure (the
 * environment is passed in).
 */
import type { CheckResult, CheckTypeSpec, HttpRequestSpec } from './types.ts';

/** An environment variable name: letters, digits and `_`, not starting with a digit. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `${env.NAME}` with a well-formed name. */
const ENV_PLACEHOLDER = /\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Anything that tries to be an environment reference, well-formed or not. */
const ENV_ATTEMPT = /\$\{\s*env\s*(\.[^}]*)?(\}|$)/g;

/** `env.NAME` in script text, but not `process.env.NAME` or `myenv.NAME`. */
const SCRIPT_ENV = /(?<![\w$.])env\.([A-Za-z_][A-Za-z0-9_]*)/g;

/** Shorter values are not secrets worth hiding, and would be replaced inside every number. */
export const MIN_REDACTED_LENGTH = 4;

/** What is wrong with the environment references in `text`, if anything (one problem, the first). */
export function envReferenceProblem(text: string): string | undefined {
  for (const m of text.matchAll(ENV_ATTEMPT)) {
    const [whole, dotted, close] = m;
    if (close !== '}') return `${whole} is not closed: write \${env.NAME}`;
    if (dotted === undefined) return `${whole} names no variable: write \${env.NAME}`;
    const name = dotted.slice(1);
    if (whole !== `\${env.${name}}` || !ENV_NAME.test(name))
      return `${whole}: an environment variable name is letters, digits and _, not starting with a digit, with no spaces (\${env.API_TOKEN})`;
  }
  return undefined;
}

/** The names `${env.NAME}` references in `text`, in order, each once. */
export function envNamesIn(text: string): string[] {
  return [...new Set([...text.matchAll(ENV_PLACEHOLDER)].map((m) => m[1] as string))];
}

/** The names a browser script reads as `env.NAME`, in order, each once. */
export function scriptEnvNames(script: string): string[] {
  return [...new Set([...script.matchAll(SCRIPT_ENV)].map((m) => m[1] as string))];
}

/** Replaces `${env.NAME}` from `values` in one pass (a value is never scanned again). */
export function fillEnv(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(ENV_PLACEHOLDER, (whole, name: string) => values.get(name) ?? whole);
}

function requestTexts(r: HttpRequestSpec): string[] {
  return [r.url, ...Object.values(r.headers), ...(r.body === undefined ? [] : [r.body])];
}

/** Every environment variable a check reads when it runs, in order, each once. */
export function checkEnvNames(spec: CheckTypeSpec): string[] {
  switch (spec.type) {
    case 'http':
      return [...new Set(requestTexts(spec.request).flatMap(envNamesIn))];
    case 'multistep':
      return [...new Set(spec.steps.flatMap((s) => requestTexts(s.request)).flatMap(envNamesIn))];
    case 'tcp':
      return spec.send === undefined ? [] : envNamesIn(spec.send);
    case 'browser':
      return scriptEnvNames(spec.script);
    default:
      return [];
  }
}

export type ResolvedEnv =
  | {
      ok: true;
      /** The spec to run: references filled in (multistep steps keep theirs: the runner fills them with its variables). */
      spec: CheckTypeSpec;
      /** The values read, by name (for multistep steps and for redaction). */
      values: ReadonlyMap<string, string>;
    }
  | { ok: false; missing: string };

function fillRequestEnv(r: HttpRequestSpec, values: ReadonlyMap<string, string>): HttpRequestSpec {
  const out: HttpRequestSpec = {
    method: r.method,
    url: fillEnv(r.url, values),
    headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, fillEnv(v, values)])),
  };
  if (r.body !== undefined) out.body = fillEnv(r.body, values);
  return out;
}

/**
 * Reads the variables `spec` references from `env`; the first one that is
 * not set is reported instead. The returned spec is for this run only: it
 * holds secrets and must never be stored or shown.
 */
export function resolveEnv(
  spec: CheckTypeSpec,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedEnv {
  const values = new Map<string, string>();
  for (const name of checkEnvNames(spec)) {
    const value = env[name];
    if (value === undefined) return { ok: false, missing: name };
    values.set(name, value);
  }
  if (values.size === 0) return { ok: true, spec, values };
  switch (spec.type) {
    case 'http':
      return { ok: true, spec: { ...spec, request: fillRequestEnv(spec.request, values) }, values };
    case 'tcp':
      return spec.send === undefined
        ? { ok: true, spec, values }
        : { ok: true, spec: { ...spec, send: fillEnv(spec.send, values) }, values };
    case 'browser':
      return { ok: true, spec: { ...spec, env: Object.fromEntries(values) }, values };
    default:
      return { ok: true, spec, values };
  }
}

/** The message of a run that could not start because a variable is not set. */
export function missingEnvMessage(name: string): string {
  return `environment variable ${name} is not set (the check reads \${env.${name}}): set it for the process that runs the check (ballast serve or ballast check run)`;
}

function redactText(text: string, secrets: readonly [string, string][]): string {
  let out = text;
  for (const [name, value] of secrets) out = out.split(value).join(`[redacted: env.${name}]`);
  return out;
}

function redactValue(value: unknown, secrets: readonly [string, string][]): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets)]));
  return value;
}

/**
 * The result with every value of `values` replaced by `[redacted: env.NAME]`
 * in all of its texts (reasons, errors, conditions as shown, extracted
 * variables): a server that echoes a header must not put the token into
 * stored results. Longer values go first, so one that contains another is
 * hidden whole.
 */
export function redactResult(result: CheckResult, values: ReadonlyMap<string, string>): CheckResult {
  const secrets = [...values]
    .filter(([, v]) => v.length >= MIN_REDACTED_LENGTH)
    .sort((a, b) => b[1].length - a[1].length);
  return secrets.length === 0 ? result : (redactValue(result, secrets) as CheckResult);
}
