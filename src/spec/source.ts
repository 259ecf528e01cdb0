/**
 * Step one of loading: YAML text → plain values plus a locator that maps a
 * field path back to the file position of its node. Nothing after this file
 * sees YAML nodes.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import type { Diagnostic, Position } from './diagnostics.ts';

/** A path into a document: object keys and array indexes. */
export type FieldPath = readonly PropertyKey[];

/** One YAML document of a file, as plain data, with positions for diagnostics. */
export interface ParsedDocument {
  file: string;
  value: unknown;
  /** Where the document's content starts. */
  start: Position;
  /** Position of the node at `path`, or of its deepest existing ancestor. */
  locate(path: FieldPath): Position;
  /** Position of the key `key` inside the mapping at `path` (for unknown fields). */
  locateKey(path: FieldPath, key: string): Position;
}

/**
 * Parses every document of one file. Malformed YAML becomes error diagnostics
 * at the parser's own position; a document with errors is dropped so later
 * steps never see half-parsed data.
 */
export function parseYamlSource(file: string, content: string, diagnostics: Diagnostic[]): ParsedDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(content, { lineCounter, prettyErrors: false });
  const at = (offset: number): Position => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (!Array.isArray(docs)) return [];
  const out: ParsedDocument[] = [];
  for (const doc of docs) {
    for (const [severity, problems] of [
      ['error', doc.errors],
      ['warning', doc.warnings],
    ] as const) {
      for (const p of problems) {
        diagnostics.push({ file, ...at(p.pos[0]), severity, message: firstLine(p.message) });
      }
    }
    if (doc.errors.length > 0 || doc.contents === null) continue;
    const root = doc.contents as Node;
    const nodeAt = (node: Node | null | undefined): Position => at(node?.range?.[0] ?? root.range?.[0] ?? 0);
    out.push({
      file,
      value: doc.toJS({ maxAliasCount: 1000 }),
      start: nodeAt(root),
      locate: (path) => nodeAt(walk(root, path)),
      locateKey: (path, key) => {
        const parent = walk(root, path);
        const pair = isMap(parent) ? parent.items.find((p) => keyName(p.key) === key) : undefined;
        return nodeAt((pair?.key as Node | undefined) ?? parent);
      },
    });
  }
  return out;
}

/** Follows `path` from `root`, stopping at the deepest node that exists. */
function walk(root: Node, path: FieldPath): Node {
  let node: Node = root;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyName(p.key) === String(step));
      if (!pair) return node;
      // `key:` with no value has no value node: point at the key.
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof step === 'number' && node.items[step]) {
      node = node.items[step] as Node;
    } else {
      return node;
    }
  }
  return node;
}

function keyName(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}
