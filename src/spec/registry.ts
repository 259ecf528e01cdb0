/**
 * The kind registry: which `apiVersion`/`kind` pairs Ballast reads and with
 * which schema. Later capabilities register their `ballast.dev/v1` kinds here.
 */
import type { z } from 'zod';
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
