import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { redactZip, replaceBytes, secretForms } from './trace-redact.ts';

const text = (u: Uint8Array) => Buffer.from(u).toString('utf8');

describe('secretForms', () => {
  it.each([
    ['hunter22', ['hunter22']],
    ['p@ss word', ['p%40ss%20word', 'p@ss word']],
    ['say "hi"\\', ['say%20%22hi%22%5C', 'say \\"hi\\"\\\\', 'say "hi"\\']],
  ])('%s appears as itself, JSON-escaped and URL-encoded', (value, forms) => {
    expect(secretForms(value).map(text)).toEqual(forms);
  });
});

describe('replaceBytes', () => {
  it.each([
    ['abcabc', 'bc', 'X', 'aXaX'],
    ['no match here', 'zz', 'X', 'no match here'],
    ['secretsecret', 'secret', '[r]', '[r][r]'],
    ['', 'a', 'b', ''],
  ])('%s with %s → %s gives %s', (data, needle, by, want) => {
    expect(text(replaceBytes(Buffer.from(data), Buffer.from(needle), Buffer.from(by)))).toBe(want);
  });

  it('returns the input itself when nothing matches (so callers can tell nothing changed)', () => {
    const data = Buffer.from('plain');
    expect(replaceBytes(data, Buffer.from('zz'), Buffer.from('y'))).toBe(data);
  });
});

describe('redactZip', () => {
  const trace = [
    JSON.stringify({ type: 'action', method: 'fill', params: { selector: '#pw', value: 'Tr0ub4dor&3' } }),
    JSON.stringify({ type: 'action', method: 'fill', params: { value: 'quote"d-secret' } }),
  ].join('\n');
  const network = JSON.stringify({
    request: {
      url: 'http://127.0.0.1/login?token=Tr0ub4dor%263',
      headers: [{ name: 'authorization', value: 'Bearer tok-12345' }],
    },
  });
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]);
  const zip = zipSync({
    'trace.trace': strToU8(trace),
    'trace.network': strToU8(network),
    'resources/a.png': png,
  });
  const secrets: [string, string][] = [
    ['PASSWORD', 'Tr0ub4dor&3'],
    ['TOKEN', 'tok-12345'],
    ['QUOTED', 'quote"d-secret'],
    ['SHORT', 'abc'],
  ];

  it('replaces every value in every form, leaves other entries as they were, and counts the changed ones', () => {
    const out = redactZip(zip, secrets);
    expect(out.changed).toBe(2);
    const entries = unzipSync(out.zip);
    const all = Object.values(entries)
      .map((e) => strFromU8(e))
      .join('\n');
    for (const v of ['Tr0ub4dor', 'tok-12345', 'quote']) expect(all).not.toContain(v);
    expect(strFromU8(entries['trace.trace'] as Uint8Array)).toContain('"value":"[redacted: env.PASSWORD]"');
    expect(strFromU8(entries['trace.trace'] as Uint8Array)).toContain('"value":"[redacted: env.QUOTED]"');
    expect(strFromU8(entries['trace.network'] as Uint8Array)).toContain('token=[redacted: env.PASSWORD]');
    expect(strFromU8(entries['trace.network'] as Uint8Array)).toContain('Bearer [redacted: env.TOKEN]');
    expect([...(entries['resources/a.png'] as Uint8Array)]).toEqual([...png]);
    // The redacted trace still parses line by line as the viewer reads it.
    for (const line of strFromU8(entries['trace.trace'] as Uint8Array).split('\n')) JSON.parse(line);
  });

  it('gives the same zip back when no value is in it, or every value is too short to hide', () => {
    expect(redactZip(zip, [['OTHER', 'not-present-anywhere']])).toEqual({ zip, changed: 0 });
    expect(redactZip(zip, [['SHORT', 'abc']])).toEqual({ zip, changed: 0 });
  });

  it('replaces a longer value whole when a shorter one is inside it', () => {
    const z = zipSync({ t: strToU8('key=abcd-efgh and abcd') });
    const out = unzipSync(
      redactZip(z, [
        ['PART', 'abcd'],
        ['WHOLE', 'abcd-efgh'],
      ]).zip,
    );
    expect(strFromU8(out.t as Uint8Array)).toBe('key=[redacted: env.WHOLE] and [redacted: env.PART]');
  });
});
