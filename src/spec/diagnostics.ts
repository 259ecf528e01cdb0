/**
 * Diagnostics: how the spec loader reports problems in user input. Every
 * problem is collected (loading never stops at the first) and points at a
 * file, line and column so editors and CI annotations can jump to it.
 */

/** One problem found in a spec file. Lines and columns are 1-based. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
}

/** A position inside a file (1-based). */
export interface Position {
  line: number;
  column: number;
}

/**
 * Formats a diagnostic the way compilers do, so terminals and editors link it.
 *
 * @example formatDiagnostic(d) // 'specs/slo.yaml:12:15: error: spec.objectives[0].target must be in (0, 1)'
 */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

/** True when any diagnostic is an error (warnings alone do not fail a validation). */
export function hasErrors(diagnostics: Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, line and column; stable for equal positions. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
  );
}
