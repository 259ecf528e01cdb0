/**
 * An incremental HTTP/1.1 response parser working on Buffers as they come off
 * the socket. One parser lives per connection and is reused for every response
 * on it. Only the head is turned into a string (it is small); bodies are
 * counted, and copied only when the caller asked to keep them.
 *
 * Not supported, on purpose: bare-LF line endings, trailers (read and
 * dropped), protocol upgrades (a 101 ends the response and the connection).
 */

/** `execute` needs more bytes to finish the current response. */
export const NEED_MORE = -1;
/** `execute` found a protocol error; `error` says what. The connection must be dropped. */
export const PARSE_ERROR = -2;

const MAX_HEAD = 64 * 1024;
const MAX_TRAILER = 16 * 1024;
/** Larger than any body a load test should see; guards the hex accumulator. */
const MAX_CHUNK = 2 ** 40;
const CRLFCRLF = Buffer.from('\r\n\r\n');

const S_HEAD = 0;
const S_LENGTH = 1;
const S_CHUNK_SIZE = 2;
const S_CHUNK_EXT = 3;
const S_CHUNK_SIZE_LF = 4;
const S_CHUNK_DATA = 5;
const S_CHUNK_DATA_CR = 6;
const S_CHUNK_DATA_LF = 7;
const S_TRAILER = 8;
const S_TRAILER_LF = 9;
const S_UNTIL_CLOSE = 10;

const CR = 13;
const LF = 10;

/** Reusable incremental parser; see the module comment. */
export class ResponseParser {
  /** Keep body bytes (copied out of socket buffers) for `body()`. */
  keepBody: boolean;
  /** The response being parsed answers a HEAD request (set before `execute`). */
  headRequest = false;

  /** Results of the last completed (or current) response. */
  status = 0;
  headers: Record<string, string> = {};
  /** Total bytes of the response so far: heads (incl. skipped 1xx), framing and body. */
  bytes = 0;
  /** The server wants the connection closed after this response (or the body runs to close). */
  shouldClose = false;
  /** Why the last `execute` returned PARSE_ERROR. */
  error = '';

  private state = S_HEAD;
  private partial: Buffer | undefined;
  private remaining = 0;
  private chunkDigits = 0;
  private lineLength = 0;
  private trailerBytes = 0;
  private parts: Buffer[] = [];

  constructor(keepBody = false) {
    this.keepBody = keepBody;
  }

  /** True once any byte of the current response has arrived. */
  get started(): boolean {
    return this.bytes > 0;
  }

  /** True when the current response's body is delimited by the connection closing. */
  get untilClose(): boolean {
    return this.state === S_UNTIL_CLOSE;
  }

  /** Body of the last completed response (only when `keepBody`). */
  body(): Buffer | undefined {
    if (!this.keepBody) return undefined;
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
  }

  /** Forget the current response and get ready for the next one. */
  reset(): void {
    this.state = S_HEAD;
    this.partial = undefined;
    this.status = 0;
    this.headers = {};
    this.bytes = 0;
    this.shouldClose = false;
    this.remaining = 0;
    this.trailerBytes = 0;
    if (this.parts.length > 0) this.parts = [];
  }

  /**
   * Consumes bytes from `buf` starting at `off`. Returns the offset just past
   * the end of a completed response (call `reset` before feeding the rest),
   * NEED_MORE when everything was consumed, or PARSE_ERROR.
   */
  execute(buf: Buffer, off: number): number {
    let i = off;
    const end = buf.length;
    while (i < end) {
      if (this.state === S_HEAD) {
        const r = this.parseHead(buf, i);
        if (r < 0) return r;
        i = r;
        if (this.state === S_HEAD && this.status !== 0) return i; // no body
        continue;
      }
      if (this.state === S_LENGTH || this.state === S_CHUNK_DATA) {
        const take = Math.min(this.remaining, end - i);
        this.takeBody(buf, i, take);
        i += take;
        this.remaining -= take;
        if (this.remaining > 0) continue;
        if (this.state === S_LENGTH) return i;
        this.state = S_CHUNK_DATA_CR;
        continue;
      }
      if (this.state === S_UNTIL_CLOSE) {
        this.takeBody(buf, i, end - i);
        return NEED_MORE;
      }
      const r = this.chunkByte(buf[i] as number);
      i++;
      this.bytes++;
      if (r === PARSE_ERROR) return r;
      if (r === 1) return i;
    }
    return NEED_MORE;
  }

  /** The connection ended: true when that completes the current (close-delimited) response. */
  finishOnEof(): boolean {
    return this.state === S_UNTIL_CLOSE;
  }

  private takeBody(buf: Buffer, at: number, n: number): void {
    if (n === 0) return;
    this.bytes += n;
    if (this.keepBody) this.parts.push(Buffer.from(buf.subarray(at, at + n)));
  }

  /** Chunked framing, one byte at a time (sizes, extensions, CRLFs and trailers are short). Returns 1 when the response completed. */
  private chunkByte(c: number): number {
    switch (this.state) {
      case S_CHUNK_SIZE: {
        const d = hexValue(c);
        if (d >= 0) {
          this.remaining = this.remaining * 16 + d;
          this.chunkDigits++;
          if (this.remaining > MAX_CHUNK) return this.fail('chunk size too large');
          return 0;
        }
        if (this.chunkDigits === 0) return this.fail('chunk size is not hexadecimal');
        if (c === CR) this.state = S_CHUNK_SIZE_LF;
        else if (c === 0x3b || c === 0x20 || c === 0x09) this.state = S_CHUNK_EXT;
        else return this.fail('chunk size is not hexadecimal');
        return 0;
      }
      case S_CHUNK_EXT:
        if (c === CR) this.state = S_CHUNK_SIZE_LF;
        else if (c === LF) return this.fail('bare LF in chunk extension');
        else if (++this.trailerBytes > MAX_TRAILER) return this.fail('chunk extension too long');
        return 0;
      case S_CHUNK_SIZE_LF:
        if (c !== LF) return this.fail('chunk size line not ended by CRLF');
        this.state = this.remaining === 0 ? S_TRAILER : S_CHUNK_DATA;
        this.lineLength = 0;
        return 0;
      case S_CHUNK_DATA_CR:
        if (c !== CR) return this.fail('chunk data longer than its size');
        this.state = S_CHUNK_DATA_LF;
        return 0;
      case S_CHUNK_DATA_LF:
        if (c !== LF) return this.fail('chunk data not ended by CRLF');
        this.state = S_CHUNK_SIZE;
        this.chunkDigits = 0;
        this.remaining = 0;
        return 0;
      case S_TRAILER:
        if (c === CR) this.state = S_TRAILER_LF;
        else if (c === LF) return this.fail('bare LF in trailer');
        else this.lineLength++;
        if (++this.trailerBytes > MAX_TRAILER) return this.fail('trailers too long');
        return 0;
      case S_TRAILER_LF:
        if (c !== LF) return this.fail('trailer line not ended by CRLF');
        if (this.lineLength === 0) return 1;
        this.lineLength = 0;
        this.state = S_TRAILER;
        return 0;
      default:
        return this.fail('parser in an unknown state');
    }
  }

  /** Finds the end of the head (possibly across packets), parses it, and picks the body framing. */
  private parseHead(buf: Buffer, off: number): number {
    let data = buf;
    let start = off;
    let from = off;
    let carried = 0;
    if (this.partial !== undefined) {
      carried = this.partial.length;
      data = Buffer.concat([this.partial, buf.subarray(off)]);
      start = 0;
      from = Math.max(0, carried - 3);
    } else {
      // A server may send an empty line before the status line (RFC 9112 §2.2).
      while (from < buf.length && (buf[from] === CR || buf[from] === LF)) from++;
      start = from;
      this.bytes += from - off;
    }
    const idx = data.indexOf(CRLFCRLF, from);
    if (idx < 0) {
      if (data.length - start > MAX_HEAD) return this.fail('response head too large');
      this.bytes += data.length - start - carried;
      if (data.length > start) this.partial = Buffer.from(data.subarray(start));
      return NEED_MORE;
    }
    const headEnd = idx + 4;
    if (headEnd - start > MAX_HEAD) return this.fail('response head too large');
    this.bytes += headEnd - start - carried;
    this.partial = undefined;
    const consumedTo = carried > 0 ? off + (headEnd - carried) : headEnd;
    const r = this.applyHead(data.toString('latin1', start, idx));
    return r < 0 ? r : consumedTo;
  }

  private applyHead(head: string): number {
    const lines = head.split('\r\n');
    const statusLine = lines[0] ?? '';
    const m = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: |$)/.exec(statusLine);
    if (m === null) return this.fail(`bad status line ${JSON.stringify(statusLine.slice(0, 60))}`);
    const status = Number(m[2]);
    const headers: Record<string, string> = {};
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k] as string;
      const colon = line.indexOf(':');
      if (colon <= 0) return this.fail(`bad header line ${JSON.stringify(line.slice(0, 60))}`);
      const name = line.slice(0, colon).toLowerCase();
      if (!HEADER_NAME.test(name)) return this.fail(`bad header name ${JSON.stringify(name.slice(0, 60))}`);
      const value = line.slice(colon + 1).trim();
      const prev = headers[name];
      headers[name] = prev === undefined ? value : `${prev}, ${value}`;
    }
    if (status < 200 && status !== 101) {
      // Interim response (100 Continue, 103 Early Hints): skip it, the real one follows.
      return 0;
    }
    this.status = status;
    this.headers = headers;
    return this.chooseFraming(status, m[1] === '0', headers);
  }

  private chooseFraming(status: number, http10: boolean, headers: Record<string, string>): number {
    const conn = headers.connection?.toLowerCase();
    this.shouldClose = http10 ? !conn?.includes('keep-alive') : conn?.includes('close') === true;
    if (status === 101) {
      this.shouldClose = true;
      return 0;
    }
    if (this.headRequest || status === 204 || status === 304) return 0;
    const te = headers['transfer-encoding'];
    if (te !== undefined) {
      if (/(?:^|,)\s*chunked\s*$/i.test(te)) {
        this.state = S_CHUNK_SIZE;
        this.chunkDigits = 0;
        this.remaining = 0;
        return 0;
      }
      this.state = S_UNTIL_CLOSE;
      this.shouldClose = true;
      return 0;
    }
    const cl = headers['content-length'];
    if (cl !== undefined) {
      const n = parseContentLength(cl);
      if (n < 0) return this.fail(`bad content-length ${JSON.stringify(cl.slice(0, 40))}`);
      if (n > 0) {
        this.state = S_LENGTH;
        this.remaining = n;
      }
      return 0;
    }
    this.state = S_UNTIL_CLOSE;
    this.shouldClose = true;
    return 0;
  }

  private fail(message: string): number {
    this.error = message;
    return PARSE_ERROR;
  }
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** Content-Length, allowing a repeated identical value (`5, 5`); -1 when invalid. */
function parseContentLength(value: string): number {
  let result = -1;
  for (const part of value.split(',')) {
    const t = part.trim();
    if (!/^\d{1,15}$/.test(t)) return -1;
    const n = Number(t);
    if (result >= 0 && n !== result) return -1;
    result = n;
  }
  return result;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
