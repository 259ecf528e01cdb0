/** Shared plumbing of the validation passes: reporting at a field, and validated documents. */
import type { Diagnostic } from './diagnostics.ts';
import type { FieldPath, ParsedDocument } from './source.ts';

/** Reports a problem at a field of one document (path relative to the reporter's base). */
export type Report = (path: FieldPath, severity: 'error' | 'warning', message: string) => void;

/** A reporter for `doc`, its paths prefixed with `base`. */
export function reporter(doc: ParsedDocument, diagnostics: Diagnostic[], base: FieldPath = []): Report {
  return (path, severity, message) => {
    diagnostics.push({ file: doc.file, ...doc.locate([...base, ...path]), severity, message });
  };
}

/** A reporter whose paths are prefixed once more, for nested objects. */
export function nested(report: Report, base: FieldPath): Report {
  return (path, severity, message) => report([...base, ...path], severity, message);
}

/** A document that passed its kind's schema. */
export interface ValidDoc<T = unknown> {
  doc: ParsedDocument;
  apiVersion: string;
  kind: string;
  name: string;
  /** Where the name is written, for duplicate-name diagnostics. */
  namePath: FieldPath;
  data: T;
}
