/**
 * The kind registry: which `apiVersion`/`kind` pairs Ballast reads and with
 * which schema. Later capabilities register their `ballast.dev/v1` kinds here.
 */
import type { z } from 'zod';
import type { ServiceDefinition, SloDefinition } from '../slo/model.ts';
import type { LoadedDocument } from './classify.ts';
import type { Diagnostic } from './diagnostics.ts';
import { openSloSchemas } from './schemas/openslo.ts';
import { slothK8sSchema } from './schemas/sloth.ts';

export interface KindEntry {
  apiVersion: string;
  kind: string;
  /** Undefined: the kind is reserved but not supported by this version. */
  schema?: z.ZodType;
}

const registry = new Map<string, Map<string, KindEntry>>();

/** Adds (or replaces) a kind. */
export function registerKind(entry: KindEntry): void {
  let kinds = registry.get(entry.apiVersion);
  if (!kinds) {
    kinds = new Map();
    registry.set(entry.apiVersion, kinds);
  }
  kinds.set(entry.kind, entry);
}

/** The kinds known for an apiVersion, or undefined when the apiVersion is unknown. */
export function kindsOf(apiVersion: string): Map<string, KindEntry> | undefined {
  return registry.get(apiVersion);
}

export function knownApiVersions(): string[] {
  return [...registry.keys()];
}

/** What a bundle check sees: every document with a readable envelope, and the model built from them. */
export interface BundleView {
  documents: LoadedDocument[];
  services: ServiceDefinition[];
  slos: SloDefinition[];
}

/**
 * A check across the whole spec set, run after the model is built, for the
 * references a kind's schema cannot see (a Check naming an unknown service,
 * an SLO naming an unknown Check). It must skip documents that fail their schema
 * (those are already reported).
 */
export type BundleCheck = (bundle: BundleView) => Diagnostic[];

const bundleChecks: BundleCheck[] = [];

/** Adds a bundle check; capabilities register theirs on import, next to `registerKind`. */
export function registerBundleCheck(check: BundleCheck): void {
  if (!bundleChecks.includes(check)) bundleChecks.push(check);
}

export function runBundleChecks(bundle: BundleView): Diagnostic[] {
  return bundleChecks.flatMap((check) => check(bundle));
}

for (const [kind, schema] of Object.entries(openSloSchemas)) {
  registerKind({ apiVersion: 'openslo/v1', kind, schema });
}
registerKind({ apiVersion: 'sloth.slok.dev/v1', kind: 'PrometheusServiceLevel', schema: slothK8sSchema });
// Owned by later issues: reserved now so the error says "not supported yet" rather than "unknown".
for (const kind of [
  'LoadTest',
  'Experiment',
  'Check',
  'Schedule',
  'EscalationPolicy',
  'ErrorBudgetPolicy',
  'Scorecard',
]) {
  registerKind({ apiVersion: 'ballast.dev/v1', kind });
}
