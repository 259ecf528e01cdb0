/** Shaping a response for the conditions: headers as one string per name, the body capped and decoded. Pure. */
import type { IncomingHttpHeaders } from 'node:http';

/** Lower-case names (undici already lowers them), repeated headers joined with `, `. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Collects a body up to `limit` bytes; what comes past the cap is counted, not kept. */
export class CappedBody {
  readonly limit: number;
  /** Bytes received, including any past the cap. */
  bytesRead = 0;
  readonly #chunks: Buffer[] = [];
  #kept = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Adds a chunk; false once the body has passed the cap (the caller stops reading). */
  push(chunk: Buffer): boolean {
    this.bytesRead += chunk.length;
    const room = this.limit - this.#kept;
    if (room > 0) {
      const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.#chunks.push(kept);
      this.#kept += kept.length;
    }
    return !this.overflowed;
  }

  get overflowed(): boolean {
    return this.bytesRead > this.limit;
  }

  /**
   * The kept bytes as UTF-8. A capped body may end inside a multi-byte
   * character: that partial character is left out rather than shown as U+FFFD.
   */
  text(): string {
    const bytes = Buffer.concat(this.#chunks);
    return new TextDecoder('utf-8').decode(bytes, { stream: this.overflowed });
  }
}
