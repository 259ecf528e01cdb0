import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expect as scriptExpect } from './browser-expect.ts';
import { compileScript, describeScriptError, scriptLineFromStack, withLocation } from './browser-script.ts';

/** Compiles `lines` and runs them without a browser; returns what they threw. */
async function thrownBy(lines: string[]): Promise<unknown> {
  const compiled = compileScript(lines.join('\n'));
  if (!compiled.ok) throw new Error(`did not compile: ${compiled.message}`);
  try {
    await compiled.run({} as Page, {} as BrowserContext, scriptExpect, {});
  } catch (err) {
    return err;
  }
  throw new Error('the script did not throw');
}

describe('compileScript', () => {
  it('compiles a body that receives page, context, expect and env', async () => {
    const compiled = compileScript('return [typeof page, typeof context, typeof expect, env.USER_NAME];');
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    const page = {} as Page;
    expect(await compiled.run(page, {} as BrowserContext, scriptExpect, { USER_NAME: 'probe' })).toEqual([
      'object',
      'object',
      'function',
      'probe',
    ]);
  });

  it.each([
    {
      name: 'a stray token names the file and its line',
      script: 'const a = 1;\nconst = 2;',
      file: 'checks/login.js',
      message: "SyntaxError: Unexpected token '=' (checks/login.js:2)",
    },
    {
      name: 'without a file the line is named alone',
      script: 'await page.goto("/");\n\nawait page.click(;',
      file: undefined,
      message: "SyntaxError: Unexpected token ';' (script line 3)",
    },
    {
      name: "an unclosed block points at the script's last line",
      script: 'if (true) {\n  await page.goto("/");',
      file: 'a.js',
      // V8 reads on into the wrapper's closing `})`; the line is clamped to the script's last.
      message: "SyntaxError: Unexpected token ')' (a.js:2)",
    },
    {
      name: 'a closing brace cannot break out of the function body',
      script: '}); (async function () {',
      file: 'a.js',
      // V8 refuses the body outright; the probe parses it, so there is no line to name.
      message: 'SyntaxError: Single function literal required (a.js)',
    },
  ])('$name', ({ script, file, message }) => {
    expect(compileScript(script, file)).toEqual({ ok: false, message });
  });
});

describe('describeScriptError', () => {
  it.each([
    {
      name: 'a thrown Error keeps its message and names the throwing line',
      lines: ['const a = 1;', '', "throw new Error('boom');"],
      message: 'boom (script line 3)',
    },
    {
      name: "JS's own error types keep their name",
      lines: ['const x = null;', 'x.y;'],
      message: "TypeError: Cannot read properties of null (reading 'y') (script line 2)",
    },
    {
      name: 'only the first line of a long message is kept',
      lines: ["throw new Error('first\\nsecond\\nthird');"],
      message: 'first (script line 1)',
    },
    {
      name: 'an error thrown after awaiting a timer still names its line',
      lines: ['await null;', 'await new Promise((r) => setTimeout(r, 1));', "throw new Error('late');"],
      message: 'late (script line 3)',
    },
    {
      name: "a failed expect names the script's line, not the helper's",
      lines: ['const title = "Home";', '', '', "expect(title).toBe('Welcome');"],
      message: "expected 'Home' to be 'Welcome' (script line 4)",
    },
  ])('$name', async ({ lines, message }) => {
    expect(describeScriptError(await thrownBy(lines))).toBe(message);
  });

  it.each([
    {
      name: 'a thrown string is the message',
      thrown: 'plain words\nmore',
      message: 'plain words (home.js)',
    },
    {
      name: 'a Playwright call log adds what was being waited for, without terminal colours',
      thrown: new Error(
        "page.click: Timeout 300ms exceeded.\nCall log:\n\u001b[2m  - waiting for locator('#missing')\u001b[22m\n",
      ),
      message: "page.click: Timeout 300ms exceeded, waiting for locator('#missing') (home.js)",
    },
    {
      name: 'an error with an empty message is named by its type',
      thrown: new RangeError(''),
      message: 'RangeError: RangeError (home.js)',
    },
  ])('$name', ({ thrown, message }) => {
    expect(describeScriptError(thrown, 'home.js')).toBe(message);
  });
});

describe('scriptLineFromStack', () => {
  it.each([
    { name: 'no stack has no line', stack: undefined, line: undefined },
    {
      name: 'a stack without script frames has no line',
      stack: 'Error: x\n    at f (file:///app/a.js:10:3)',
      line: undefined,
    },
    {
      name: 'the innermost script frame wins, less the two header lines',
      stack: [
        'Error: x',
        '    at Object.toBe (file:///app/browser-expect.ts:10:3)',
        '    at eval (ballast-browser-check.js:9:5)',
        '    at async eval (ballast-browser-check.js:4:1)',
      ].join('\n'),
      line: 7,
    },
  ])('$name', ({ stack, line }) => {
    expect(scriptLineFromStack(stack)).toBe(line);
  });
});

describe('withLocation', () => {
  it.each([
    { name: 'file and line', file: 'a.js', line: 3, shown: 'oops (a.js:3)' },
    { name: 'line without a file', file: undefined, line: 3, shown: 'oops (script line 3)' },
    { name: 'file without a line', file: 'a.js', line: undefined, shown: 'oops (a.js)' },
    { name: 'neither', file: undefined, line: undefined, shown: 'oops' },
  ])('$name', ({ file, line, shown }) => {
    expect(withLocation('oops', file, line)).toBe(shown);
  });
});
