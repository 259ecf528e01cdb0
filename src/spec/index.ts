/**
 * The spec module's public face: load YAML specs (OpenSLO v1, Sloth
 * prometheus/v1) into the domain model, with file:line:col diagnostics.
 */
export { defaultAlerting } from './alerting.ts';
export type { LoadedDocument } from './classify.ts';
export { type Diagnostic, formatDiagnostic, hasErrors } from './diagnostics.ts';
export { formatDuration, parseCalendarDuration, parseDuration } from './duration.ts';
export {
  countField,
  durationField,
  metadataSchema,
  NAME_PATTERN,
  nonNegativeField,
  positiveField,
  regexField,
} from './fields.ts';
export {
  listSpecFiles,
  loadSpecDirectory,
  loadSpecSources,
  readFileWithSpecs,
  type SpecBundle,
} from './load.ts';
export {
  type BundleCheck,
  type BundleView,
  type KindEntry,
  registerBundleCheck,
  registerKind,
} from './registry.ts';
