/**
 * A small RFC 4180 CSV parser: quoted fields, doubled quotes inside quotes,
 * CRLF or LF line ends, a header row naming the columns.
 */

export type CsvResult =
  | { ok: true; columns: string[]; rows: Record<string, string>[] }
  | { ok: false; error: string; line: number };

/** Parses CSV text into records (one per data row, keyed by the header row). Blank lines are skipped. */
export function parseCsv(text: string): CsvResult {
  const records = parseRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (!records.ok) return records;
  const [header, ...data] = records.rows;
  if (!header)
    return { ok: false, error: 'the file is empty: a header row naming the columns is required', line: 1 };
  const columns = header.fields.map((c) => c.trim());
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup !== undefined)
    return { ok: false, error: `duplicate column "${dup}" in the header row`, line: header.line };
  const rows: Record<string, string>[] = [];
  for (const r of data) {
    if (r.fields.length !== columns.length) {
      return {
        ok: false,
        error: `row has ${r.fields.length} fields, the header has ${columns.length}`,
        line: r.line,
      };
    }
    const row: Record<string, string> = {};
    columns.forEach((c, i) => {
      row[c] = r.fields[i] as string;
    });
    rows.push(row);
  }
  return { ok: true, columns, rows };
}

type Records =
  | { ok: true; rows: { fields: string[]; line: number }[] }
  | { ok: false; error: string; line: number };

function parseRecords(text: string): Records {
  const rows: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let i = 0;
  // `atStart`: the next character begins a field (a quote there opens a quoted field).
  let atStart = true;
  let rowHasContent = false;
  const endRow = () => {
    if (rowHasContent) rows.push({ fields: [...fields, field], line: rowLine });
    fields = [];
    field = '';
    atStart = true;
    rowHasContent = false;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"' && atStart) {
      const quoteLine = line;
      i++;
      for (;;) {
        if (i >= text.length) return { ok: false, error: 'unterminated quoted field', line: quoteLine };
        const c = text[i] as string;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      atStart = false;
      rowHasContent = true;
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        return { ok: false, error: `unexpected ${JSON.stringify(next)} after a closing quote`, line };
      }
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      atStart = true;
      rowHasContent = true;
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRow();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      rowLine = line;
    } else {
      field += ch;
      atStart = false;
      rowHasContent = true;
      i++;
    }
  }
  endRow();
  return { ok: true, rows };
}
