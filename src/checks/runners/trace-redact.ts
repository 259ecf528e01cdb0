/**
 * Takes a browser check's secrets out of its Playwright trace. A trace records
 * what the script typed (`page.fill(sel, env.PASSWORD)`), request headers and
 * bodies (`Authorization: Bearer …`) and DOM snapshots, so a failed login check
 * would otherwise store its password beside the screenshot. Every entry of the
 * zip is rewritten with each value replaced by `[redacted: env.NAME]`, in the
 * forms a trace writes it: as is, escaped inside JSON, and URL-encoded.
 * What it cannot reach: a value only inside an image (the screenshots, the
 * trace's screencast frames) or encoded otherwise (Basic auth's base64).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { unzipSync, zipSync } from 'fflate';
import { MIN_REDACTED_LENGTH } from '../env.ts';

/** The byte strings `value` may appear as in a trace, longest first, without repeats. */
export function secretForms(value: string): Buffer[] {
  const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
  return [...forms].sort((a, b) => b.length - a.length).map((f) => Buffer.from(f, 'utf8'));
}

/** `data` with every occurrence of `needle` replaced; the same Buffer when there is none. */
export function replaceBytes(data: Uint8Array, needle: Uint8Array, replacement: Uint8Array): Uint8Array {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let at = buf.indexOf(needle);
  if (at < 0) return data;
  const parts: Uint8Array[] = [];
  let from = 0;
  while (at >= 0) {
    parts.push(buf.subarray(from, at), replacement);
    from = at + needle.length;
    at = buf.indexOf(needle, from);
  }
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}

/**
 * The zip with the secrets (`[name, value]`) replaced in every entry, and how
 * many entries changed. Values shorter than {@link MIN_REDACTED_LENGTH} are left,
 * as everywhere else in check results.
 */
export function redactZip(
  zip: Uint8Array,
  secrets: ReadonlyArray<readonly [string, string]>,
): { zip: Uint8Array; changed: number } {
  const rules = secrets
    .filter(([, v]) => v.length >= MIN_REDACTED_LENGTH)
    // A longer value first, so one that contains a shorter one is replaced whole.
    .sort((a, b) => b[1].length - a[1].length)
    .flatMap(([name, v]) =>
      secretForms(v).map((form) => ({ form, with: Buffer.from(`[redacted: env.${name}]`) })),
    );
  if (rules.length === 0) return { zip, changed: 0 };
  const entries = unzipSync(zip);
  let changed = 0;
  for (const [name, data] of Object.entries(entries)) {
    let out: Uint8Array = data;
    for (const r of rules) out = replaceBytes(out, r.form, r.with);
    if (out !== data) {
      entries[name] = out as Uint8Array<ArrayBuffer>;
      changed++;
    }
  }
  return changed === 0 ? { zip, changed } : { zip: zipSync(entries), changed };
}

/** Rewrites the trace file in place (whole or not at all); resolves with the entries changed. */
export async function redactTraceFile(
  file: string,
  secrets: ReadonlyArray<readonly [string, string]>,
): Promise<number> {
  const { zip, changed } = redactZip(await readFile(file), secrets);
  if (changed === 0) return 0;
  const tmp = `${file}.redacting`;
  await writeFile(tmp, zip);
  await rename(tmp, file);
  return changed;
}
