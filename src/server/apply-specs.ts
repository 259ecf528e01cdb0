// Registers the ballast.dev/v1 kinds that capabilities own (LoadTest, ...), so applied specs may hold them.
import '../load/index.ts';
import { formatDiagnostic, hasErrors, loadSpecSources } from '../spec/index.ts';
import type { ApplyResult, Store } from '../store/types.ts';
import type { SloRuntime } from './runtime.ts';

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
export async function applySpecSources(
  store: Store,
  runtime: SloRuntime,
  sources: SpecSource[],
): Promise<ApplyOutcome> {
  const bundle = loadSpecSources(sources);
  const formatted = bundle.diagnostics.map((d) => formatDiagnostic(d));
  if (hasErrors(bundle.diagnostics)) {
    const errors = bundle.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => ({ path: `${d.file}:${d.line}:${d.column}`, message: d.message }));
    return { ok: false, diagnostics: errors, formatted };
  }
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
  await runtime.reload();
  return { ok: true, result, warnings: formatted };
}
