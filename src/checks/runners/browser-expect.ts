/**
 * The `expect` a browser check script receives. Playwright's own assertion
 * library ships with `@playwright/test`, which Ballast does not depend on, so
 * this is a small stand-in with the same spelling for the common cases:
 * synchronous matchers on plain values, and waiting matchers on locators
 * (`await expect(page.locator('h1')).toHaveText('Welcome')`).
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import type { Locator } from 'playwright-core';

/** How long locator matchers wait when the script does not say (Playwright's expect waits as long). */
export const DEFAULT_EXPECT_TIMEOUT_MS = 5_000;

/** Pause between two reads of a locator's text while waiting for it to match. */
const TEXT_POLL_MS = 100;

export interface LocatorAssertionOptions {
  /** ms to wait for the locator to satisfy the matcher (default {@link DEFAULT_EXPECT_TIMEOUT_MS}). */
  timeout?: number;
}

/** What `expect(value)` returns. Locator matchers return promises: the script must `await` them. */
export interface Expectation {
  /** Same value (`Object.is`). */
  toBe(expected: unknown): void;
  /** Deeply equal (`util.isDeepStrictEqual`). */
  toEqual(expected: unknown): void;
  /** A string containing a substring, or an array containing an item. */
  toContain(item: unknown): void;
  /** A string matching a regular expression (a string pattern is a substring). */
  toMatch(pattern: RegExp | string): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  /** The locator's element becomes visible. */
  toBeVisible(options?: LocatorAssertionOptions): Promise<void>;
  /** The locator's element is hidden or absent. */
  toBeHidden(options?: LocatorAssertionOptions): Promise<void>;
  /** The element's text, whitespace collapsed, equals the string (or matches the expression). */
  toHaveText(expected: string | RegExp, options?: LocatorAssertionOptions): Promise<void>;
  /** The element's text, whitespace collapsed, contains the string. */
  toContainText(expected: string, options?: LocatorAssertionOptions): Promise<void>;
}

export type Expect = (actual: unknown) => Expectation;

/** Values shown on one line and shortened, so a failure message stays a readable one-liner. */
function show(value: unknown): string {
  return inspect(value, { depth: 3, breakLength: Number.POSITIVE_INFINITY, maxStringLength: 200 });
}

function fail(message: string): never {
  throw new Error(message);
}

function isLocator(value: unknown): value is Locator {
  const candidate = value as Partial<Locator> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.waitFor === 'function' &&
    typeof candidate.textContent === 'function'
  );
}

function requireLocator(value: unknown, matcher: string): Locator {
  if (!isLocator(value)) {
    throw new TypeError(
      `${matcher} needs a locator, as in expect(page.locator('#id')).${matcher}(), got ${show(value)}`,
    );
  }
  return value;
}

function isTimeoutError(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}

/** Tests without the `lastIndex` state a global or sticky expression carries between calls. */
function testPattern(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(text);
}

/** Playwright's toHaveText compares text with runs of whitespace collapsed and the ends trimmed. */
export function normalizeWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Reads the locator's text until `matches` accepts it or `timeoutMs` passes.
 * The loop is bounded by the deadline: every read waits at most the time left.
 */
async function waitForText(
  locator: Locator,
  matches: (text: string) => boolean,
  wanted: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last: string | undefined;
  for (let remaining = timeoutMs; remaining > 0; remaining = deadline - performance.now()) {
    try {
      last = normalizeWhitespace((await locator.textContent({ timeout: remaining })) ?? '');
    } catch (err) {
      if (!isTimeoutError(err)) throw err;
      break;
    }
    if (matches(last)) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(TEXT_POLL_MS, Math.max(0, remaining))));
  }
  const got = last === undefined ? 'no such element' : `its text was ${show(last)}`;
  fail(`expected ${String(locator)} to ${wanted} within ${timeoutMs} ms, but ${got}`);
}

async function waitForState(
  locator: Locator,
  state: 'visible' | 'hidden',
  options: LocatorAssertionOptions | undefined,
): Promise<void> {
  const timeout = options?.timeout ?? DEFAULT_EXPECT_TIMEOUT_MS;
  try {
    await locator.waitFor({ state, timeout });
  } catch (err) {
    if (!isTimeoutError(err)) throw err;
    fail(`expected ${String(locator)} to be ${state} within ${timeout} ms`);
  }
}

/** The `expect` handed to browser check scripts. */
export const expect: Expect = (actual) => ({
  toBe(expected) {
    if (!Object.is(actual, expected)) fail(`expected ${show(actual)} to be ${show(expected)}`);
  },
  toEqual(expected) {
    if (!isDeepStrictEqual(actual, expected)) fail(`expected ${show(actual)} to equal ${show(expected)}`);
  },
  toContain(item) {
    const contains =
      typeof actual === 'string'
        ? typeof item === 'string' && actual.includes(item)
        : Array.isArray(actual) && actual.includes(item);
    if (!contains) fail(`expected ${show(actual)} to contain ${show(item)}`);
  },
  toMatch(pattern) {
    const matches =
      typeof actual === 'string' &&
      (typeof pattern === 'string' ? actual.includes(pattern) : testPattern(pattern, actual));
    if (!matches) fail(`expected ${show(actual)} to match ${show(pattern)}`);
  },
  toBeTruthy() {
    if (!actual) fail(`expected ${show(actual)} to be truthy`);
  },
  toBeFalsy() {
    if (actual) fail(`expected ${show(actual)} to be falsy`);
  },
  async toBeVisible(options) {
    await waitForState(requireLocator(actual, 'toBeVisible'), 'visible', options);
  },
  async toBeHidden(options) {
    await waitForState(requireLocator(actual, 'toBeHidden'), 'hidden', options);
  },
  async toHaveText(expected, options) {
    const locator = requireLocator(actual, 'toHaveText');
    const matches =
      typeof expected === 'string'
        ? (text: string) => text === normalizeWhitespace(expected)
        : (text: string) => testPattern(expected, text);
    await waitForText(
      locator,
      matches,
      `have text ${show(expected)}`,
      options?.timeout ?? DEFAULT_EXPECT_TIMEOUT_MS,
    );
  },
  async toContainText(expected, options) {
    const locator = requireLocator(actual, 'toContainText');
    const wanted = normalizeWhitespace(expected);
    await waitForText(
      locator,
      (text) => text.includes(wanted),
      `contain text ${show(expected)}`,
      options?.timeout ?? DEFAULT_EXPECT_TIMEOUT_MS,
    );
  },
});
