/** Turns zod issues into diagnostics that name the field and point at its node. */
import type { z } from 'zod';
import type { Diagnostic } from './diagnostics.ts';
import type { FieldPath, ParsedDocument } from './source.ts';

/** `spec.objectives[0].target` */
export function pathLabel(path: FieldPath): string {
  let out = '';
  for (const step of path) {
    out += typeof step === 'number' ? `[${step}]` : `${out ? '.' : ''}${String(step)}`;
  }
  return out;
}

/** One diagnostic per problem; unknown fields get one each, at the key. */
export function issuesToDiagnostics(
  doc: ParsedDocument,
  issues: z.core.$ZodIssue[],
  basePath: FieldPath = [],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = [...basePath, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const where = pathLabel(path) || 'the document';
        out.push({
          file: doc.file,
          ...doc.locateKey(path, key),
          severity: 'error',
          message: `unknown field "${key}" in ${where}`,
        });
      }
      continue;
    }
    out.push({ file: doc.file, ...doc.locate(path), severity: 'error', message: describe(issue, path) });
  }
  return out;
}

function describe(issue: z.core.$ZodIssue, path: FieldPath): string {
  const label = pathLabel(path);
  const prefix = label ? `${label}: ` : '';
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined) {
    return `missing required field ${label}`;
  }
  switch (issue.code) {
    case 'invalid_type':
      return `${prefix}expected ${issue.expected}, got ${typeName(issue.input)}`;
    case 'invalid_value':
      return `${prefix}must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(issue.input)}`;
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'custom':
    case 'invalid_union':
      return `${prefix}${issue.message.replace(/^Invalid input: /, '')}`;
    default:
      return `${prefix}${issue.message}`;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
