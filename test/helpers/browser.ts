/**
 * Chromium for UI tests: Debian's /usr/bin/chromium driven by playwright-core,
 * pages that collect their own errors, and screenshots under
 * test-output/screenshots (git-ignored, so test runs leave the tree clean).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../src/checks/runners/browser.ts';

/** Where screenshots go; created on first use. */
export const SCREENSHOTS_DIR = path.resolve(import.meta.dirname, '..', '..', 'test-output', 'screenshots');

/** Headless Chromium with the same flags as browser checks (no connection a test did not ask for). */
export { launchChromium };

/** Options for {@link openPage}. */
export interface OpenPageOptions {
  /** Default 1440×900. */
  viewport?: { width: number; height: number };
  /** Console errors this returns true for are expected (e.g. requests the test aborts on purpose). */
  ignoreConsoleError?: (text: string) => boolean;
}

/**
 * A new page whose uncaught exceptions and console errors land in `errors`,
 * so a test can end with `expect(errors).toEqual([])`.
 */
export async function openPage(
  browser: Browser,
  options: OpenPageOptions = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !options.ignoreConsoleError?.(msg.text())) errors.push(msg.text());
  });
  return { page, errors };
}

/** Saves a full-page screenshot as SCREENSHOTS_DIR/`name` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
