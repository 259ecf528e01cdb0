/** Data files behind `csv:` and `json:` variables: rows of string values keyed by column. */
import { readFileSync } from 'node:fs';
import { parseCsv } from './csv.ts';

export type DataFile =
  | { ok: true; columns: string[]; rows: Record<string, string>[] }
  | { ok: false; error: string };

/**
 * Reads a CSV file (header row) or a JSON file (an array of objects; values
 * become strings, nested values JSON text). At least one row is required.
 * Read synchronously: it runs once, before the run starts.
 */
export function readDataFile(path: string, kind: 'csv' | 'json'): DataFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      error: code === 'ENOENT' ? `data file not found: ${path}` : `cannot read ${path}: ${code}`,
    };
  }
  const parsed = kind === 'csv' ? fromCsv(text, path) : fromJson(text, path);
  if (parsed.ok && parsed.rows.length === 0) return { ok: false, error: `data file ${path} has no rows` };
  return parsed;
}

function fromCsv(text: string, path: string): DataFile {
  const r = parseCsv(text);
  return r.ok ? r : { ok: false, error: `${path}:${r.line}: ${r.error}` };
}

function fromJson(text: string, path: string): DataFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `${path}: not valid JSON (${(err as Error).message})` };
  }
  if (!Array.isArray(value)) return { ok: false, error: `${path}: expected a JSON array of objects` };
  const columns = new Set<string>();
  const rows: Record<string, string>[] = [];
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return { ok: false, error: `${path}: item ${i} is not an object` };
    }
    const row: Record<string, string> = {};
    for (const [k, v] of Object.entries(item)) {
      columns.add(k);
      row[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    rows.push(row);
  }
  return { ok: true, columns: [...columns], rows };
}
