/**
 * Registers the Experiment kind and the bundle check for what its documents
 * name elsewhere in the spec set: the service, Checks and SLOs of probes, and
 * LoadTests of method steps (imported for its effect).
 */
import { type BundleView, type Diagnostic, registerBundleCheck, registerKind } from '../../spec/index.ts';
import { experimentFromDocument } from './model.ts';
import { type ExperimentDocument, experimentDocumentSchema } from './spec.ts';

registerKind({ apiVersion: 'ballast.dev/v1', kind: 'Experiment', schema: experimentDocumentSchema });
registerBundleCheck(experimentReferences);

const list = (names: Iterable<string>) => [...names].sort().join(', ') || 'none';

function experimentReferences(bundle: BundleView): Diagnostic[] {
  const out: Diagnostic[] = [];
  const services = new Set(bundle.services.map((s) => s.name));
  const slos = new Set(bundle.slos.map((s) => s.name));
  const named = (kind: string) =>
    new Set(
      bundle.documents.filter((d) => d.apiVersion === 'ballast.dev/v1' && d.kind === kind).map((d) => d.name),
    );
  const checks = named('Check');
  const loadTests = named('LoadTest');
  for (const doc of bundle.documents) {
    if (doc.apiVersion !== 'ballast.dev/v1' || doc.kind !== 'Experiment') continue;
    const parsed = experimentDocumentSchema.safeParse(doc.body);
    if (!parsed.success) continue;
    const spec: ExperimentDocument['spec'] = parsed.data.spec;
    // Abort references, blast radius and fault bodies: what the schema alone cannot judge.
    out.push(...experimentFromDocument(doc).diagnostics);
    const error = (path: (string | number)[], message: string) =>
      out.push({ file: doc.file, ...doc.locate(path), severity: 'error', message });
    if (!services.has(spec.service))
      error(
        ['spec', 'service'],
        `service "${spec.service}" is not defined: defined services are ${list(services)}`,
      );
    const probes: {
      path: (string | number)[];
      p: { check?: string | undefined; slo?: string | undefined };
    }[] = [
      ...spec.steadyState.probes.map((p, i) => ({ path: ['spec', 'steadyState', 'probes', i], p })),
      ...(spec.abort ?? []).map((p, i) => ({
        path: ['spec', 'abort', i],
        p: p as { check?: string; slo?: string },
      })),
    ];
    for (const { path, p } of probes) {
      if (p.check !== undefined && !checks.has(p.check))
        error(
          [...path, 'check'],
          `probe names check "${p.check}", which is not defined: defined checks are ${list(checks)}`,
        );
      if (p.slo !== undefined && !slos.has(p.slo))
        error(
          [...path, 'slo'],
          `probe names SLO "${p.slo}", which is not defined: defined SLOs are ${list(slos)}`,
        );
    }
    spec.method.forEach((s, i) => {
      if (s.load !== undefined && !loadTests.has(s.load))
        error(
          ['spec', 'method', i, 'load'],
          `step names LoadTest "${s.load}", which is not defined: defined load tests are ${list(loadTests)}`,
        );
    });
  }
  return out;
}
