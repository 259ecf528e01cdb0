/**
 * Loads `ballast chaos run FILE [--specs DIR]`: the Experiment in FILE, with
 * the Checks, SLOs and LoadTests of FILE and DIR that its probes and steps
 * name, mapped to what the runner needs. Every problem is a diagnostic.
 */
import { dirname, resolve } from 'node:path';
import { type CheckDefinition, checkFromDocument } from '../../checks/index.ts';
import { loadPlanFromDocument } from '../../load/index.ts';
import type { LoadPlan } from '../../load/types.ts';
import type { SloDefinition } from '../../slo/model.ts';
import { type Diagnostic, loadSpecSources, readFileWithSpecs } from '../../spec/index.ts';
import { type ExperimentDefinition, experimentFromDocument } from './model.ts';

export interface LoadedExperiment {
  experiment?: ExperimentDefinition;
  checks: Map<string, CheckDefinition>;
  loadTests: Map<string, LoadPlan>;
  slos: Map<string, SloDefinition>;
  baseDir: string;
  diagnostics: Diagnostic[];
}

/** The one Experiment of `file` (or the one named `name` when the file holds several). */
export async function loadExperimentFile(
  file: string,
  opts: { specsDir?: string; name?: string } = {},
): Promise<LoadedExperiment> {
  const out: LoadedExperiment = {
    checks: new Map(),
    loadTests: new Map(),
    slos: new Map(),
    baseDir: dirname(resolve(file)),
    diagnostics: [],
  };
  const fail = (message: string) => {
    out.diagnostics.push({ file, line: 1, column: 1, severity: 'error', message });
    return out;
  };
  const read = await readFileWithSpecs(file, opts.specsDir);
  if ('error' in read) return fail(read.error);
  const bundle = loadSpecSources(read.sources);
  out.diagnostics.push(...bundle.diagnostics);
  out.slos = new Map(bundle.slos.map((s) => [s.name, s]));
  const experiments = bundle.documents.filter(
    (d) => d.apiVersion === 'ballast.dev/v1' && d.kind === 'Experiment' && d.file === file,
  );
  const chosen = opts.name !== undefined ? experiments.filter((d) => d.name === opts.name) : experiments;
  if (chosen.length === 0)
    return fail(
      opts.name !== undefined
        ? `no Experiment named ${opts.name} in this file (it has ${experiments.map((d) => d.name).join(', ') || 'none'})`
        : 'no Experiment document in this file (apiVersion: ballast.dev/v1, kind: Experiment)',
    );
  if (chosen.length > 1)
    return fail(
      `this file has ${chosen.length} Experiments (${chosen.map((d) => d.name).join(', ')}): pick one with --experiment NAME`,
    );
  const doc = chosen[0]!;
  // Schema errors are already reported by the loader; only the mapper's own are added.
  const seen = new Set(out.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}`));
  const mapped = experimentFromDocument(doc);
  for (const d of mapped.diagnostics)
    if (!seen.has(`${d.file}:${d.line}:${d.column}`)) out.diagnostics.push(d);
  if (mapped.experiment) out.experiment = mapped.experiment;
  const services = new Set(bundle.services.map((s) => s.name));
  for (const d of bundle.documents) {
    if (d.apiVersion !== 'ballast.dev/v1') continue;
    if (d.kind === 'Check') {
      const r = checkFromDocument(d, { baseDir: dirname(resolve(d.file)), knownServices: services });
      if (r.check) out.checks.set(r.check.name, r.check);
    } else if (d.kind === 'LoadTest') {
      const r = loadPlanFromDocument(d, {
        services: bundle.services,
        slos: bundle.slos,
        baseDir: dirname(d.file),
      });
      if (r.plan) out.loadTests.set(d.name, r.plan);
    }
  }
  return out;
}
