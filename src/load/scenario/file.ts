/**
 * `ballast load run FILE [--specs DIR]`: loads the LoadTests of one file.
 * Services and SLOs they reference come from the same file and, when given,
 * from the spec directory `specsDir` (read as `ballast validate` reads it).
 */
import { dirname } from 'node:path';
import type { ServiceDefinition, SloDefinition } from '../../slo/index.ts';
import { type Diagnostic, loadSpecSources, readFileWithSpecs } from '../../spec/index.ts';
import type { LoadPlan } from '../types.ts';
import { loadPlanFromDocument } from './map.ts';
import './register.ts';

export interface LoadedPlans {
  plans: LoadPlan[];
  /** Every problem: the file's own, and errors in `specsDir` (a broken SLO spec blocks its thresholds). */
  diagnostics: Diagnostic[];
  slos: Map<string, SloDefinition>;
  services: ServiceDefinition[];
}

/**
 * Loads every `LoadTest` document of `file`. Data files are relative to the
 * file's directory. No plan is returned for a document with errors; the file
 * having no LoadTest at all is an error too.
 */
export async function loadPlansFromFile(
  file: string,
  opts: { specsDir?: string } = {},
): Promise<LoadedPlans> {
  const empty = (message: string): LoadedPlans => ({
    plans: [],
    diagnostics: [{ file, line: 1, column: 1, severity: 'error', message }],
    slos: new Map(),
    services: [],
  });
  const read = await readFileWithSpecs(file, opts.specsDir);
  if ('error' in read) return empty(read.error);
  const bundle = loadSpecSources(read.sources);
  const diagnostics = [...bundle.diagnostics];
  const seen = new Set(diagnostics.map(key));
  const plans: LoadPlan[] = [];
  const docs = bundle.documents.filter(
    (d) => d.kind === 'LoadTest' && d.apiVersion === 'ballast.dev/v1' && d.file === file,
  );
  for (const doc of docs) {
    const r = loadPlanFromDocument(doc, {
      services: bundle.services,
      slos: bundle.slos,
      baseDir: dirname(file),
    });
    // Schema errors were already reported by the spec loader.
    for (const d of r.diagnostics) if (!seen.has(key(d))) diagnostics.push(d);
    if (r.plan) plans.push(r.plan);
  }
  if (docs.length === 0 && !diagnostics.some((d) => d.file === file && d.severity === 'error')) {
    diagnostics.push({
      file,
      line: 1,
      column: 1,
      severity: 'error',
      message: 'no LoadTest document (apiVersion: ballast.dev/v1, kind: LoadTest) in this file',
    });
  }
  return {
    plans,
    diagnostics,
    slos: new Map(bundle.slos.map((s) => [s.name, s])),
    services: bundle.services,
  };
}

function key(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}:${d.message}`;
}
