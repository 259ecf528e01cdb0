import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.ts';

describe('parseCsv', () => {
  it.each([
    [
      'plain fields become records keyed by the header',
      'id,name\n1,ann\n2,bob\n',
      [
        { id: '1', name: 'ann' },
        { id: '2', name: 'bob' },
      ],
    ],
    ['CRLF line ends are one line end', 'id,name\r\n1,ann\r\n', [{ id: '1', name: 'ann' }]],
    ['a quoted field keeps commas and line breaks', 'id,note\n1,"a, b\nc"\n', [{ id: '1', note: 'a, b\nc' }]],
    ['a doubled quote inside quotes is one quote', 'id,q\n1,"say ""hi"""\n', [{ id: '1', q: 'say "hi"' }]],
    ['an empty quoted field is an empty string', 'a,b\n"",x\n', [{ a: '', b: 'x' }]],
    ['empty fields stay empty', 'a,b,c\n,,\n', [{ a: '', b: '', c: '' }]],
    ['a missing final line end still ends the row', 'a\n1', [{ a: '1' }]],
    ['blank lines are skipped', 'a\n\n1\n\n', [{ a: '1' }]],
    ['a byte order mark is dropped', '\ufeffa\n1\n', [{ a: '1' }]],
  ])('%s', (_name, text, rows) => {
    const r = parseCsv(text);
    expect(r).toMatchObject({ ok: true, rows });
  });

  it.each([
    ['a row with too few fields names its line', 'a,b\n1,2\n3\n', 3, '1 fields, the header has 2'],
    ['an unterminated quote names the line it opened on', 'a\n"x\ny\n', 2, 'unterminated'],
    ['text after a closing quote is refused', 'a\n"x"y\n', 2, 'after a closing quote'],
    ['an empty file needs a header', '', 1, 'header row'],
    ['duplicate columns are refused', 'a,a\n1,2\n', 1, 'duplicate column "a"'],
  ])('%s', (_name, text, line, message) => {
    const r = parseCsv(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.line).toBe(line);
    expect(r.error).toContain(message);
  });
});
