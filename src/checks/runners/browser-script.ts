/**
 * A browser check's script as code: compiling its text into an async function
 * of `(page, context, expect, env)`, and turning what it throws back into one line
 * that points at the script's own line. No IO, no browser.
 */
import { inspect, stripVTControlCharacters } from 'node:util';
import vm from 'node:vm';
import type { BrowserContext, Page } from 'playwright-core';
import type { Expect } from './browser-expect.ts';

/** The variables a script reads as `env.NAME`, filled in for one run. */
export type ScriptEnv = Readonly<Record<string, string>>;

/** A compiled check script: the body of an async function of `(page, context, expect, env)`. */
export type CheckScript = (
  page: Page,
  context: BrowserContext,
  expect: Expect,
  env: ScriptEnv,
) => Promise<unknown>;

/** Name the script's stack frames carry (`//# sourceURL`), so they stand out from Ballast's and Playwright's. */
export const SCRIPT_SOURCE_URL = 'ballast-browser-check.js';

/**
 * Lines V8 writes before the body of a `new AsyncFunction(...)`:
 * `async function anonymous(page,context,expect,env` and `) {` (the ES2019 Function.prototype.toString shape).
 */
const FUNCTION_HEADER_LINES = 2;

/** Lines of the wrapper used to locate syntax errors before the script's first line. */
const SYNTAX_PROBE_HEADER_LINES = 1;

const AsyncFunction = (async () => {}).constructor as new (...paramsAndBody: string[]) => CheckScript;

/** JS's own error types signal a mistake in the script, so their name is worth keeping in the message. */
const BUILTIN_ERROR_NAMES = new Set([
  'TypeError',
  'ReferenceError',
  'SyntaxError',
  'RangeError',
  'URIError',
  'EvalError',
]);

export type CompiledScript = { ok: true; run: CheckScript } | { ok: false; message: string };

/**
 * Compiles a check script. A syntax error comes back as a one-line message
 * naming the script file and, when V8 tells, the line.
 */
export function compileScript(script: string, scriptFile?: string): CompiledScript {
  try {
    const run = new AsyncFunction(
      'page',
      'context',
      'expect',
      'env',
      `${script}\n//# sourceURL=${SCRIPT_SOURCE_URL}`,
    );
    return { ok: true, run };
  } catch (err) {
    return { ok: false, message: withLocation(errorHeadline(err), scriptFile, syntaxErrorLine(script)) };
  }
}

/**
 * One line describing what a script threw: the message's first line, the first
 * entry of a Playwright call log (which says what was being waited for), and
 * the script line from the stack when the error passed through the script.
 */
export function describeScriptError(err: unknown, scriptFile?: string): string {
  const stack = err instanceof Error ? err.stack : undefined;
  return withLocation(errorHeadline(err), scriptFile, scriptLineFromStack(stack));
}

/** The script line (1-based) of the innermost stack frame inside the script, if any. */
export function scriptLineFromStack(stack: string | undefined): number | undefined {
  if (!stack) return undefined;
  const frame = new RegExp(`${escapeRegExp(SCRIPT_SOURCE_URL)}:(\\d+):\\d+`).exec(stack);
  if (!frame) return undefined;
  const line = Number(frame[1]) - FUNCTION_HEADER_LINES;
  return line >= 1 ? line : undefined;
}

/** `message (file:line)`, `message (script line N)`, `message (file)` or just `message`. */
export function withLocation(
  message: string,
  scriptFile: string | undefined,
  line: number | undefined,
): string {
  if (line !== undefined)
    return `${message} (${scriptFile ? `${scriptFile}:${line}` : `script line ${line}`})`;
  return scriptFile ? `${message} (${scriptFile})` : message;
}

/**
 * `new AsyncFunction` does not say where a syntax error is; parsing the same
 * body with vm.Script (compiled, never run) puts `file:line` on the stack's first line.
 */
function syntaxErrorLine(script: string): number | undefined {
  try {
    new vm.Script(`(async function (page, context, expect, env) {\n${script}\n})`, {
      filename: SCRIPT_SOURCE_URL,
    });
  } catch (err) {
    const stack = err instanceof Error ? (err.stack ?? '') : '';
    const match = new RegExp(`^${escapeRegExp(SCRIPT_SOURCE_URL)}:(\\d+)`).exec(stack);
    if (!match) return undefined;
    // An unclosed block is reported on the wrapper's closing line: point at the script's last line instead.
    const lines = script.split('\n').length;
    return Math.max(1, Math.min(lines, Number(match[1]) - SYNTAX_PROBE_HEADER_LINES));
  }
  return undefined;
}

/** First line of the error's message, plus the first step of a Playwright call log when there is one. */
function errorHeadline(err: unknown): string {
  if (!(err instanceof Error))
    return (
      firstLine(typeof err === 'string' ? err : inspect(err, { breakLength: Number.POSITIVE_INFINITY })) ||
      'threw a falsy value'
    );
  const text = stripVTControlCharacters(err.message);
  let headline = firstLine(text) || err.name;
  if (BUILTIN_ERROR_NAMES.has(err.name)) headline = `${err.name}: ${headline}`;
  const waitingFor = callLogFirstStep(text);
  return waitingFor ? `${headline.replace(/\.$/, '')}, ${waitingFor}` : headline;
}

/** Playwright appends "Call log:\n  - waiting for locator('#x')\n ..." to action errors. */
function callLogFirstStep(message: string): string | undefined {
  const log = message.split(/\r?\n/);
  const start = log.findIndex((line) => line.trim() === 'Call log:');
  if (start < 0) return undefined;
  const step = log.slice(start + 1).find((line) => /^\s*-\s+\S/.test(line));
  return step?.replace(/^\s*-\s+/, '').trim();
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/, 1)[0] ?? '').trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
