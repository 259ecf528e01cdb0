/**
 * The built web UI for browser tests: `ballast serve` serves web/dist, so a
 * test of the pages needs a build that exists (and, where the test covers
 * pages still being written, one newer than web/src).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const INDEX = path.join(ROOT, 'web', 'dist', 'index.html');

/** Modification time of web/dist/index.html, or undefined when there is no build. */
function builtAt(): number | undefined {
  try {
    return statSync(INDEX).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Newest modification time of any file below `dir`. */
function newest(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(path.join(dir, e.name)) : statSync(path.join(dir, e.name)).mtimeMs,
    ),
  );
}

/** True when web/dist holds a build. */
export function webBuildExists(): boolean {
  return builtAt() !== undefined;
}

/** True when there is no build or a web/src file is newer than it. */
export function webBuildIsStale(): boolean {
  const built = builtAt();
  return built === undefined || newest(path.join(ROOT, 'web', 'src')) > built;
}

/** Builds the web UI into web/dist with Vite (synchronously, output to the test log). */
export function buildWebUi(): void {
  execFileSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}
