/**
 * The spec module's public face: load YAML specs (OpenSLO v1, Sloth
 * prometheus/v1) into the domain model, with file:line:col diagnostics.
 */
export { defaultAlerting } from './alerting.ts';
export type { LoadedDocument } from './classify.ts';
export { type Diagnostic, formatDiagnostic, hasErrors } from './diagnostics.ts';
export { formatDuration, parseCalendarDuration, parseDuration } from './duration.ts';
export { listSpecFiles, loadSpecDirectory, loadSpecSources, type SpecBundle } from './load.ts';
export { type KindEntry, registerKind } from './registry.ts';
