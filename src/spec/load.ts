/** Loading entry points: a directory on disk, or in-memory sources (the server's apply endpoint). */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { ServiceDefinition, SloDefinition } from '../slo/model.ts';
import { buildModel, findDuplicates, type NameClaim, slothClaims } from './build.ts';
import { classify, type LoadedDocument } from './classify.ts';
import type { ValidDoc } from './context.ts';
import { type Diagnostic, sortDiagnostics } from './diagnostics.ts';
import { runBundleChecks } from './registry.ts';
import { parseYamlSource } from './source.ts';

/** Everything a spec set holds: raw documents, the derived model, and every problem found. */
export interface SpecBundle {
  documents: LoadedDocument[];
  services: ServiceDefinition[];
  slos: SloDefinition[];
  diagnostics: Diagnostic[];
}

const YAML_FILE = /\.ya?ml$/;

/**
 * Loads specs from strings; `file` names appear in diagnostics. Sources are
 * processed in file order so results do not depend on the caller's order.
 */
export function loadSpecSources(sources: { file: string; content: string }[]): SpecBundle {
  const diagnostics: Diagnostic[] = [];
  const documents: LoadedDocument[] = [];
  const valid: ValidDoc[] = [];
  const claims: NameClaim[] = [];
  const sorted = [...sources].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const source of sorted) {
    for (const doc of parseYamlSource(source.file, source.content, diagnostics)) {
      const { loaded, valid: ok } = classify(doc, diagnostics);
      if (loaded) documents.push(loaded);
      if (ok) valid.push(ok);
      if (ok && ok.kind === 'PrometheusServiceLevel') claims.push(...slothClaims(ok));
      else if (loaded && loaded.kind !== 'PrometheusServiceLevel')
        claims.push({ doc, kind: loaded.kind, name: loaded.name, path: ['metadata', 'name'] });
    }
  }
  const losers = findDuplicates(claims, diagnostics);
  const model = buildModel(
    valid.filter((v) => !losers.has(v.doc)),
    diagnostics,
  );
  diagnostics.push(...runBundleChecks({ documents, ...model }));
  return { documents, ...model, diagnostics: sortDiagnostics(diagnostics) };
}

/**
 * Lists the YAML files of a spec directory, recursively, sorted. Hidden
 * entries (`.git`, `.ballast`) and `node_modules` are skipped. Paths are `dir`
 * joined with the relative path, with forward slashes.
 */
export async function listSpecFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const e of entries) {
    if (!e.isFile() || !YAML_FILE.test(e.name)) continue;
    const full = join(e.parentPath, e.name);
    const rel = relative(dir, full).split('\\').join('/');
    if (rel.split('/').some((part) => part.startsWith('.') || part === 'node_modules')) continue;
    files.push(join(dir, rel).split('\\').join('/'));
  }
  return files.sort();
}

/** Loads every `*.yaml`/`*.yml` under `dir`. A missing or unreadable directory is a diagnostic, not a throw. */
export async function loadSpecDirectory(dir: string): Promise<SpecBundle> {
  const fail = (message: string): SpecBundle => ({
    documents: [],
    services: [],
    slos: [],
    diagnostics: [{ file: dir, line: 1, column: 1, severity: 'error', message }],
  });
  try {
    if (!(await stat(dir)).isDirectory())
      return fail('not a directory: give the directory that holds the spec files');
  } catch {
    return fail('spec directory not found');
  }
  const sources: { file: string; content: string }[] = [];
  const unreadable: Diagnostic[] = [];
  for (const file of await listSpecFiles(dir)) {
    try {
      sources.push({ file, content: await readFile(file, 'utf8') });
    } catch (err) {
      unreadable.push({
        file,
        line: 1,
        column: 1,
        severity: 'error',
        message: `cannot read file: ${(err as Error).message}`,
      });
    }
  }
  const bundle = loadSpecSources(sources);
  return { ...bundle, diagnostics: sortDiagnostics([...unreadable, ...bundle.diagnostics]) };
}

/**
 * Reads one spec file and, when `specsDir` is given, every spec file under it
 * (the file itself once): what `ballast load run FILE --specs DIR` and
 * `ballast chaos run FILE --specs DIR` load. A read error comes back as one
 * message for a diagnostic at the file's first line.
 */
export async function readFileWithSpecs(
  file: string,
  specsDir?: string,
): Promise<{ sources: { file: string; content: string }[] } | { error: string }> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? 'file not found' : `cannot read file (${code})` };
  }
  const sources = [{ file, content }];
  if (specsDir === undefined) return { sources };
  try {
    for (const f of await listSpecFiles(specsDir))
      if (resolve(f) !== resolve(file)) sources.push({ file: f, content: await readFile(f, 'utf8') });
  } catch (err) {
    return {
      error: `--specs ${specsDir}: cannot read the spec directory (${(err as NodeJS.ErrnoException).code})`,
    };
  }
  return { sources };
}
