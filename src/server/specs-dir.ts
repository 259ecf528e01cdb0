import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type ApplyTargets, applySpecSources, type SpecSource } from './apply-specs.ts';

type Log = (level: 'info' | 'warn' | 'error', msg: string) => void;

/** Reads every `.yaml`/`.yml` file under `dir`, recursively, with paths relative to the working directory. */
export async function readSpecDirectory(dir: string): Promise<SpecSource[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  return Promise.all(
    files.map(async (file) => ({
      file: relative(process.cwd(), file) || file,
      content: await readFile(file, 'utf8'),
    })),
  );
}

/** Applies a spec directory once; logs diagnostics and the outcome, never throws for bad specs. */
export async function applySpecDirectory(dir: string, targets: ApplyTargets, log: Log): Promise<boolean> {
  const sources = await readSpecDirectory(dir);
  const outcome = await applySpecSources(targets, sources);
  if (!outcome.ok) {
    for (const line of outcome.formatted) log('warn', line);
    log('error', `specs in ${dir} have errors; nothing was applied`);
    return false;
  }
  for (const line of outcome.warnings) log('warn', line);
  const { created, updated, unchanged } = outcome.result;
  log(
    'info',
    `applied ${dir}: ${created.length} created, ${updated.length} updated, ${unchanged.length} unchanged`,
  );
  return true;
}

/**
 * Watches a spec directory and re-applies it after edits settle (debounced,
 * because editors write a file in several steps). Returns the stop function.
 */
export function watchSpecDirectory(
  dir: string,
  targets: ApplyTargets,
  log: Log,
  debounceMs = 300,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const rerun = () => {
    timer = undefined;
    running = running
      .then(() => applySpecDirectory(dir, targets, log))
      .then(
        () => {},
        (err: unknown) =>
          log('error', `re-applying ${dir} failed: ${err instanceof Error ? err.message : String(err)}`),
      );
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { recursive: true }, () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(rerun, debounceMs);
    });
  } catch (err) {
    log('warn', `cannot watch ${dir}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return () => {
    if (timer) clearTimeout(timer);
    watcher?.close();
  };
}
