/**
 * The script's `expect`: value matchers as tables; locator matchers against a
 * real Chromium page whose content changes while the matcher waits.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from '../../../test/helpers/browser.ts';
import { type Expectation, normalizeWhitespace, expect as scriptExpect } from './browser-expect.ts';

type Check = (e: Expectation) => void;

describe('value matchers', () => {
  it.each<{ name: string; actual: unknown; check: Check }>([
    { name: 'toBe holds for the same primitive', actual: 3, check: (e) => e.toBe(3) },
    { name: 'toBe treats NaN as itself', actual: Number.NaN, check: (e) => e.toBe(Number.NaN) },
    { name: 'toEqual compares structure', actual: { a: [1, 2] }, check: (e) => e.toEqual({ a: [1, 2] }) },
    { name: 'toContain finds a substring', actual: 'Welcome home', check: (e) => e.toContain('home') },
    { name: 'toContain finds an array item', actual: ['a', 'b'], check: (e) => e.toContain('b') },
    { name: 'toMatch tests a regular expression', actual: 'order #42', check: (e) => e.toMatch(/#\d+/) },
    {
      name: 'toMatch with a global expression holds twice in a row',
      actual: 'abc',
      check: (e) => {
        const pattern = /b/g;
        e.toMatch(pattern);
        e.toMatch(pattern);
      },
    },
    { name: 'toBeTruthy accepts a non-empty string', actual: 'x', check: (e) => e.toBeTruthy() },
    { name: 'toBeFalsy accepts null', actual: null, check: (e) => e.toBeFalsy() },
  ])('$name', ({ actual, check }) => {
    expect(() => check(scriptExpect(actual))).not.toThrow();
  });

  it.each<{ name: string; actual: unknown; check: Check; message: string }>([
    {
      name: 'toBe shows both values',
      actual: 'Home',
      check: (e) => e.toBe('Welcome'),
      message: "expected 'Home' to be 'Welcome'",
    },
    {
      name: 'toBe does not compare structure',
      actual: { a: 1 },
      check: (e) => e.toBe({ a: 1 }),
      message: 'expected { a: 1 } to be { a: 1 }',
    },
    {
      name: 'toEqual shows the difference',
      actual: [1],
      check: (e) => e.toEqual([2]),
      message: 'expected [ 1 ] to equal [ 2 ]',
    },
    {
      name: 'toContain on a string misses a substring',
      actual: 'abc',
      check: (e) => e.toContain('z'),
      message: "expected 'abc' to contain 'z'",
    },
    {
      name: 'toContain on a number is never true',
      actual: 123,
      check: (e) => e.toContain('2'),
      message: "expected 123 to contain '2'",
    },
    {
      name: 'toMatch needs a string',
      actual: 5,
      check: (e) => e.toMatch(/5/),
      message: 'expected 5 to match /5/',
    },
    {
      name: 'toBeTruthy rejects zero',
      actual: 0,
      check: (e) => e.toBeTruthy(),
      message: 'expected 0 to be truthy',
    },
    {
      name: 'toBeFalsy rejects a string',
      actual: 'x',
      check: (e) => e.toBeFalsy(),
      message: "expected 'x' to be falsy",
    },
  ])('$name', ({ actual, check, message }) => {
    expect(() => check(scriptExpect(actual))).toThrow(message);
  });

  it('a locator matcher on a plain value says it needs a locator', async () => {
    await expect(scriptExpect('#id').toBeVisible()).rejects.toThrow(/toBeVisible needs a locator/);
  });

  it.each([
    { name: 'runs of whitespace collapse to one space', text: ' a \n\t b  ', normalized: 'a b' },
    { name: 'text without extra whitespace is unchanged', text: 'a b', normalized: 'a b' },
  ])('$name', ({ text, normalized }) => {
    expect(normalizeWhitespace(text)).toBe(normalized);
  });
});

describe('locator matchers (Chromium)', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    ({ page } = await openPage(browser));
    // #late appears and #gone disappears 300 ms after load, so matchers must wait for them.
    await page.setContent(`
      <p id="greeting">  Hello,
        world </p>
      <p id="late" hidden>later</p>
      <p id="gone">going</p>
      <script>
        setTimeout(() => {
          document.querySelector('#late').hidden = false;
          document.querySelector('#late').textContent = 'ready now';
          document.querySelector('#gone').remove();
        }, 300);
      </script>`);
    return () => page.close();
  });

  it('toHaveText compares text with whitespace collapsed', async () => {
    await scriptExpect(page.locator('#greeting')).toHaveText('Hello, world');
    await scriptExpect(page.locator('#greeting')).toHaveText(/^Hello/);
  });

  it('toHaveText waits for the text to change', async () => {
    await scriptExpect(page.locator('#late')).toHaveText('ready now', { timeout: 5_000 });
  });

  it('toContainText waits for a substring', async () => {
    await scriptExpect(page.locator('#late')).toContainText('ready', { timeout: 5_000 });
  });

  it('toHaveText reports the last text it saw after its timeout', async () => {
    await expect(
      scriptExpect(page.locator('#greeting')).toHaveText('Bye', { timeout: 2_000 }),
    ).rejects.toThrow(
      `expected locator('#greeting') to have text 'Bye' within 2000 ms, but its text was 'Hello, world'`,
    );
  });

  it('toHaveText on a missing element says there was none', async () => {
    await expect(scriptExpect(page.locator('#nothing')).toHaveText('x', { timeout: 300 })).rejects.toThrow(
      'but no such element',
    );
  });

  it('toBeVisible waits for a hidden element to show', async () => {
    await scriptExpect(page.locator('#late')).toBeVisible({ timeout: 5_000 });
  });

  it('toBeVisible fails with the locator and the wait after its timeout', async () => {
    await expect(scriptExpect(page.locator('#nothing')).toBeVisible({ timeout: 200 })).rejects.toThrow(
      "expected locator('#nothing') to be visible within 200 ms",
    );
  });

  it('toBeHidden waits for an element to go away', async () => {
    await scriptExpect(page.locator('#gone')).toBeHidden({ timeout: 5_000 });
    expect(await page.locator('#gone').count()).toBe(0);
  });
});
