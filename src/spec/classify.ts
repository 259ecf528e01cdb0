/** Reads a document's envelope (`apiVersion`, `kind`, name) and validates it against its kind's schema. */
import type { ValidDoc } from './context.ts';
import type { Diagnostic } from './diagnostics.ts';
import { issuesToDiagnostics } from './issues.ts';
import { kindsOf, knownApiVersions } from './registry.ts';
import { slothFileSchema } from './schemas/sloth.ts';
import type { ParsedDocument } from './source.ts';

/** What the loader returns for every document with a readable envelope (stored by `apply`). */
export interface LoadedDocument {
  apiVersion: string;
  kind: string;
  name: string;
  body: unknown;
  file: string;
  line: number;
  /**
   * Position of the node at a field path (or of its deepest existing ancestor),
   * for diagnostics that capabilities find after the schema (unknown service,
   * missing data file).
   */
  locate(path: readonly PropertyKey[]): { line: number; column: number };
}

/** Sloth's plain file form has no apiVersion; it is filed under this pseudo version. */
export const SLOTH_FILE_VERSION = 'prometheus/v1';

export interface Classified {
  loaded?: LoadedDocument;
  valid?: ValidDoc;
}

/** Checks the envelope, then the schema; every problem goes to `diagnostics`. */
export function classify(doc: ParsedDocument, diagnostics: Diagnostic[]): Classified {
  const error = (path: readonly PropertyKey[], message: string) =>
    diagnostics.push({ file: doc.file, ...doc.locate(path), severity: 'error', message });
  const v = doc.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    error([], 'a spec document must be a mapping with apiVersion, kind, metadata and spec');
    return {};
  }
  const body = v as Record<string, unknown>;
  if (body.apiVersion === undefined && body.version !== undefined)
    return classifySlothFile(doc, body, diagnostics);
  if (typeof body.apiVersion !== 'string') {
    error(
      ['apiVersion'],
      body.apiVersion === undefined ? 'missing required field apiVersion' : 'apiVersion: expected a string',
    );
    return {};
  }
  const kinds = kindsOf(body.apiVersion);
  if (!kinds) {
    error(
      ['apiVersion'],
      `unknown apiVersion "${body.apiVersion}": expected one of ${knownApiVersions().join(', ')}`,
    );
    return {};
  }
  if (typeof body.kind !== 'string') {
    error(['kind'], body.kind === undefined ? 'missing required field kind' : 'kind: expected a string');
    return {};
  }
  const entry = kinds.get(body.kind);
  if (!entry) {
    error(
      ['kind'],
      `unknown kind "${body.kind}" for ${body.apiVersion}: expected one of ${[...kinds.keys()].join(', ')}`,
    );
    return {};
  }
  if (!entry.schema) {
    error(['kind'], `kind ${body.kind} of ${body.apiVersion} is not supported by this version`);
    return {};
  }
  const metadata = body.metadata as { name?: unknown } | undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
  const loaded =
    name === undefined
      ? undefined
      : {
          apiVersion: body.apiVersion,
          kind: body.kind,
          name,
          body,
          file: doc.file,
          line: doc.start.line,
          locate: doc.locate,
        };
  const result = entry.schema.safeParse(body, { reportInput: true });
  if (!result.success) {
    diagnostics.push(...issuesToDiagnostics(doc, result.error.issues));
    return { loaded };
  }
  const valid = {
    doc,
    apiVersion: body.apiVersion,
    kind: body.kind,
    name: name as string,
    namePath: ['metadata', 'name'],
    data: result.data,
  };
  return { loaded, valid };
}

function classifySlothFile(
  doc: ParsedDocument,
  body: Record<string, unknown>,
  diagnostics: Diagnostic[],
): Classified {
  if (body.version !== SLOTH_FILE_VERSION) {
    diagnostics.push({
      file: doc.file,
      ...doc.locate(['version']),
      severity: 'error',
      message: `unsupported Sloth version ${JSON.stringify(body.version)}: expected "${SLOTH_FILE_VERSION}"`,
    });
    return {};
  }
  const kind = 'PrometheusServiceLevel';
  const name = typeof body.service === 'string' ? body.service : undefined;
  const loaded =
    name === undefined
      ? undefined
      : {
          apiVersion: SLOTH_FILE_VERSION,
          kind,
          name,
          body,
          file: doc.file,
          line: doc.start.line,
          locate: doc.locate,
        };
  const result = slothFileSchema.safeParse(body, { reportInput: true });
  if (!result.success) {
    diagnostics.push(...issuesToDiagnostics(doc, result.error.issues));
    return { loaded };
  }
  return {
    loaded,
    valid: {
      doc,
      apiVersion: SLOTH_FILE_VERSION,
      kind,
      name: name as string,
      namePath: ['service'],
      data: result.data,
    },
  };
}
