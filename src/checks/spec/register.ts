/**
 * Registers the `Check` and `ErrorBudgetPolicy` kinds with the spec loader, and
 * the references only the whole spec set can judge: their service, and the
 * Check an SLO takes its SLI from (imported for its effect).
 */
import { type BundleView, type Diagnostic, registerBundleCheck, registerKind } from '../../spec/index.ts';
import { errorBudgetPolicySchema } from '../gate/policy.ts';
import { envWarnings } from './env-refs.ts';
import { unknownService } from './map.ts';
import { checkDocumentSchema } from './schema.ts';

registerKind({ apiVersion: 'ballast.dev/v1', kind: 'Check', schema: checkDocumentSchema });
registerKind({ apiVersion: 'ballast.dev/v1', kind: 'ErrorBudgetPolicy', schema: errorBudgetPolicySchema });
registerBundleCheck(checkReferences);
registerBundleCheck(checkEnvironment);

/** Variables valid Checks read that this process does not have (a warning: the runner may have them). */
function checkEnvironment(bundle: BundleView): Diagnostic[] {
  return bundle.documents.flatMap((doc) => {
    if (doc.apiVersion !== 'ballast.dev/v1' || doc.kind !== 'Check') return [];
    const parsed = checkDocumentSchema.safeParse(doc.body);
    return parsed.success ? envWarnings(doc, parsed.data.spec as Record<string, unknown>, process.env) : [];
  });
}

function checkReferences(bundle: BundleView): Diagnostic[] {
  const out: Diagnostic[] = [];
  const services = new Set(bundle.services.map((s) => s.name));
  const checks = new Set<string>();
  for (const doc of bundle.documents) {
    if (doc.apiVersion !== 'ballast.dev/v1' || (doc.kind !== 'Check' && doc.kind !== 'ErrorBudgetPolicy'))
      continue;
    // An invalid Check is still defined (its own errors are reported): an SLO naming it is not "unknown".
    if (doc.kind === 'Check') checks.add(doc.name);
    const parsed = (doc.kind === 'Check' ? checkDocumentSchema : errorBudgetPolicySchema).safeParse(doc.body);
    if (!parsed.success) continue;
    const service = parsed.data.spec.service;
    if (!services.has(service))
      out.push({
        file: doc.file,
        ...doc.locate(['spec', 'service']),
        severity: 'error',
        message: unknownService(service, services),
      });
  }
  for (const slo of bundle.slos) {
    const source = slo.indicator.source;
    if (source.kind !== 'check' || checks.has(source.check)) continue;
    const doc = bundle.documents.find((d) => d.kind === 'SLO' && d.name === slo.name) ?? bundle.documents[0];
    if (!doc) continue;
    const known = [...checks].sort();
    out.push({
      file: doc.file,
      ...doc.locate(['spec', 'indicator']),
      severity: 'error',
      message: `SLO ${slo.name} takes its SLI from check "${source.check}", which is not defined: ${known.length ? `defined checks are ${known.join(', ')}` : 'add a Check document (apiVersion: ballast.dev/v1, kind: Check)'}`,
    });
  }
  return out;
}
