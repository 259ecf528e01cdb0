import { dirname } from 'node:path';
// Registers the ballast.dev/v1 kinds that capabilities own (LoadTest, Check, ...), so applied specs may hold them.
import { type CheckDefinition, type CheckMonitor, checkFromDocument } from '../checks/index.ts';
import '../capabilities.ts';
import { type Diagnostic, formatDiagnostic, hasErrors, loadSpecSources } from '../spec/index.ts';
import type { ApplyResult, Store } from '../store/types.ts';
import type { SloRuntime } from './runtime.ts';

/** What applying specs updates: the store, the live SLO set, and the live checks. */
export interface ApplyTargets {
  store: Store;
  runtime: SloRuntime;
  checks?: CheckMonitor;
}

/** One file of a spec directory, as `POST /apply` receives it. */
export interface SpecSource {
  file: string;
  content: string;
}

export type ApplyOutcome =
  | { ok: true; result: ApplyResult; warnings: string[] }
  | { ok: false; diagnostics: { path: string; message: string }[]; formatted: string[] };

/**
 * Validates spec sources and, only when there is no error, stores them and
 * refreshes the live SLO set. The same path serves `POST /apply` and the
 * `--specs` directory watcher, so both behave identically.
 */
export async function applySpecSources(targets: ApplyTargets, sources: SpecSource[]): Promise<ApplyOutcome> {
  const { store, runtime } = targets;
  const bundle = loadSpecSources(sources);
  const diagnostics = [...bundle.diagnostics];
  const checks: CheckDefinition[] = [];
  if (!hasErrors(diagnostics)) {
    // Certificate and script files are read now, relative to each spec file, and stored with the check.
    for (const doc of bundle.documents) {
      if (doc.apiVersion !== 'ballast.dev/v1' || doc.kind !== 'Check') continue;
      const r = checkFromDocument(doc, { baseDir: dirname(doc.file) });
      diagnostics.push(...r.diagnostics);
      if (r.check) checks.push(r.check);
    }
  }
  const formatted = diagnostics.map((d) => formatDiagnostic(d));
  if (hasErrors(diagnostics)) return { ok: false, diagnostics: errorsOf(diagnostics), formatted };
  const result = await store.applyDocuments({
    documents: bundle.documents.map((d) => ({
      apiVersion: d.apiVersion,
      kind: d.kind,
      name: d.name,
      body: d.body,
    })),
    services: bundle.services,
    slos: bundle.slos,
  });
  if (checks.length > 0) mergeInto(result, await store.applyChecks(checks));
  await runtime.reload();
  await targets.checks?.reload();
  return { ok: true, result, warnings: formatted };
}

function errorsOf(diagnostics: Diagnostic[]): { path: string; message: string }[] {
  return diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => ({ path: `${d.file}:${d.line}:${d.column}`, message: d.message }));
}

/** A Check document and its derived check both report as `Check/name`: keep the stronger status once. */
function mergeInto(into: ApplyResult, from: ApplyResult): void {
  const rank = { unchanged: 0, updated: 1, created: 2 } as const;
  const status = new Map<string, keyof typeof rank>();
  for (const k of ['unchanged', 'updated', 'created'] as const) {
    for (const key of [...into[k], ...from[k]]) {
      const before = status.get(key);
      if (before === undefined || rank[k] > rank[before]) status.set(key, k);
    }
  }
  into.created = [];
  into.updated = [];
  into.unchanged = [];
  for (const [key, k] of status) into[k].push(key);
  for (const list of [into.created, into.updated, into.unchanged]) list.sort();
}
