/**
 * An incremental HTTP/1.1 response parser working on Buffers as they come off
 * the socket. One parser lives per connection and is reused for every response
 * on it. The head is scanned as bytes for the status and the framing headers
 * (content-length, transfer-encoding, connection) only; the full header record
 * (strings) is built only when the caller asked for it (`keepHeaders`), and
 * bodies are counted, and copied only when the caller asked to keep them.
 * Nothing the parser keeps points into the caller's buffer, so the caller may
 * reuse it for the next read.
 *
 * Not supported, on purpose: bare-LF line endings, trailers (read and
 * dropped), protocol upgrades (a 101 ends the response and the connection).
 */

/** `execute` needs more bytes to finish the current response. */
export const NEED_MORE = -1;
/** `execute` found a protocol error; `error` says what. The connection must be dropped. */
export const PARSE_ERROR = -2;
/** Internal: the one-pass head reader leaves the head to the general path. */
const UNDECIDED = -3;

const MAX_HEAD = 64 * 1024;
const MAX_TRAILER = 16 * 1024;
/** Larger than any body a load test should see; guards the hex accumulator. */
const MAX_CHUNK = 2 ** 40;

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
  /** Build the header record (`headers`); otherwise it is the shared empty `NO_HEADERS`. */
  keepHeaders: boolean;
  /** The response being parsed answers a HEAD request (set before `execute`). */
  headRequest = false;

  /** Results of the last completed (or current) response. */
  status = 0;
  headers: Record<string, string> = NO_HEADERS;
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
  // Framing headers of the head being scanned.
  private contentLength = -1;
  private teSeen = false;
  private teChunked = false;
  private connClose = false;
  private connKeepAlive = false;

  constructor(keepBody = false, keepHeaders = false) {
    this.keepBody = keepBody;
    this.keepHeaders = keepHeaders;
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
    this.headers = NO_HEADERS;
    this.bytes = 0;
    this.shouldClose = false;
    this.remaining = 0;
    this.trailerBytes = 0;
    if (this.parts.length > 0) this.parts = [];
  }

  /**
   * Consumes bytes `[off, end)` of `buf` (`end` defaults to its length). Returns the offset just past
   * the end of a completed response (call `reset` before feeding the rest),
   * NEED_MORE when everything was consumed, or PARSE_ERROR.
   */
  execute(buf: Buffer, off: number, end = buf.length): number {
    let i = off;
    while (i < end) {
      if (this.state === S_HEAD) {
        const r = this.parseHead(buf, i, end);
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
  private parseHead(buf: Buffer, off: number, end: number): number {
    let data = buf;
    let dataEnd = end;
    let start = off;
    let from = off;
    let carried = 0;
    if (this.partial !== undefined) {
      carried = this.partial.length;
      data = Buffer.concat([this.partial, buf.subarray(off, end)]);
      dataEnd = data.length;
      start = 0;
      from = Math.max(0, carried - 3);
    } else {
      // A server may send an empty line before the status line (RFC 9112 §2.2).
      while (from < end && (buf[from] === CR || buf[from] === LF)) from++;
      start = from;
      this.bytes += from - off;
      if (!this.keepHeaders) {
        const r = this.wholeHead(buf, start, end);
        if (r !== UNDECIDED) return r;
      }
    }
    const idx = headEndOf(data, from, dataEnd);
    // Line ends were recorded from `from`, not from the start of a carried head.
    if (carried > 0) lineCount = -1;
    if (idx < 0) {
      if (dataEnd - start > MAX_HEAD) return this.fail('response head too large');
      this.bytes += dataEnd - start - carried;
      if (dataEnd > start) this.partial = Buffer.from(data.subarray(start, dataEnd));
      return NEED_MORE;
    }
    const headEnd = idx + 4;
    if (headEnd - start > MAX_HEAD) return this.fail('response head too large');
    this.bytes += headEnd - start - carried;
    this.partial = undefined;
    const consumedTo = carried > 0 ? off + (headEnd - carried) : headEnd;
    const r = this.applyHead(data, start, idx);
    return r < 0 ? r : consumedTo;
  }

  /**
   * The common case in one pass: a whole, well-formed head in `[start, end)` and
   * no header record wanted. Each line is read once (the name through the token
   * table, the value up to its CR), where the general path first finds the end of
   * the head and then walks the lines again: that halves the cost of a parse.
   * Returns the offset past the head, PARSE_ERROR (from the framing headers), or
   * UNDECIDED, having changed nothing the general path depends on, when the head
   * is incomplete or anything in it is unusual, so that path decides and words the error.
   */
  private wholeHead(data: Buffer, start: number, end: number): number {
    let e = start + 12;
    while (e < end && data[e] !== CR) e++;
    if (e + 1 >= end || data[e + 1] !== LF) return UNDECIDED;
    const status = statusOf(data, start, e);
    if (status < 0) return UNDECIDED;
    this.contentLength = -1;
    this.teSeen = false;
    this.teChunked = false;
    this.connClose = false;
    this.connKeepAlive = false;
    let pos = e + 2;
    for (;;) {
      if (pos + 1 >= end) return UNDECIDED;
      if (data[pos] === CR) {
        if (data[pos + 1] !== LF) return UNDECIDED;
        break;
      }
      let i = pos;
      while (i < end && TOKEN[data[i] as number] === 1) i++;
      if (i === pos || i >= end || data[i] !== COLON) return UNDECIDED;
      e = valueEndOf(data, i + 1, end);
      if (e < 0) return UNDECIDED;
      const n = i - pos;
      if (n === 14 || n === 10 || n === 17) {
        let vs = i + 1;
        let ve = e;
        while (vs < ve && (data[vs] === SP || data[vs] === HT)) vs++;
        while (ve > vs && (data[ve - 1] === SP || data[ve - 1] === HT)) ve--;
        const r = this.framingHeader(data, pos, n, vs, ve);
        if (r < 0) return r;
      }
      pos = e + 2;
    }
    const headEnd = pos + 2;
    if (headEnd - start > MAX_HEAD) return UNDECIDED;
    this.bytes += headEnd - start;
    // Interim response (100 Continue, 103 Early Hints): skipped, as in applyHead.
    if (status < 200 && status !== 101) return headEnd;
    this.status = status;
    this.headers = NO_HEADERS;
    const r = this.chooseFraming(status, data[start + 7] === 0x30);
    return r < 0 ? r : headEnd;
  }

  /**
   * Scans the head bytes `[start, end)` (without the final CRLFCRLF): the status
   * line, every header name (validated), and the values of only the framing
   * headers. The header record is built only with `keepHeaders`.
   */
  private applyHead(data: Buffer, start: number, end: number): number {
    // Line ends recorded by headEndOf when it scanned this head from its start, else found here.
    const known = lineCount > 0 ? lineCount : 0;
    let li = 0;
    let lineEnd = known > 0 ? (lineEnds[li++] as number) : lineEndOf(data, start, end);
    const status = statusOf(data, start, lineEnd);
    if (status < 0) {
      return this.fail(
        `bad status line ${JSON.stringify(data.toString('latin1', start, lineEnd).slice(0, 60))}`,
      );
    }
    const http10 = data[start + 7] === 0x30;
    const headers: Record<string, string> | undefined = this.keepHeaders ? {} : undefined;
    this.contentLength = -1;
    this.teSeen = false;
    this.teChunked = false;
    this.connClose = false;
    this.connKeepAlive = false;
    for (let pos = lineEnd + 2; pos < end; pos = lineEnd + 2) {
      lineEnd = li < known ? (lineEnds[li++] as number) : lineEndOf(data, pos, end);
      let i = pos;
      while (i < lineEnd && TOKEN[data[i] as number] === 1) i++;
      if (i === pos || data[i] !== COLON) return this.badHeaderLine(data, pos, lineEnd);
      const n = i - pos;
      // Only the framing headers' values (names of 10, 14 or 17 bytes) are read unless headers are kept.
      if (headers === undefined && n !== 14 && n !== 10 && n !== 17) continue;
      let vs = i + 1;
      let ve = lineEnd;
      while (vs < ve && (data[vs] === SP || data[vs] === HT)) vs++;
      while (ve > vs && (data[ve - 1] === SP || data[ve - 1] === HT)) ve--;
      const r = this.framingHeader(data, pos, n, vs, ve);
      if (r < 0) return r;
      if (headers !== undefined) {
        const name = data.toString('latin1', pos, i).toLowerCase();
        const value = data.toString('latin1', vs, ve);
        const prev = headers[name];
        headers[name] = prev === undefined ? value : `${prev}, ${value}`;
      }
    }
    if (status < 200 && status !== 101) {
      // Interim response (100 Continue, 103 Early Hints): skip it, the real one follows.
      return 0;
    }
    this.status = status;
    this.headers = headers ?? NO_HEADERS;
    return this.chooseFraming(status, http10);
  }

  /** Records content-length, transfer-encoding and connection; other names are ignored. */
  private framingHeader(data: Buffer, name: number, n: number, vs: number, ve: number): number {
    if (n === 14 && equalsLower(data, name, 'content-length')) {
      const len = parseContentLength(data, vs, ve);
      if (len < 0 || (this.contentLength >= 0 && len !== this.contentLength)) {
        return this.fail(
          `bad content-length ${JSON.stringify(data.toString('latin1', vs, ve).slice(0, 40))}`,
        );
      }
      this.contentLength = len;
    } else if (n === 17 && equalsLower(data, name, 'transfer-encoding')) {
      // Chunked must be the last coding; with repeated headers the last one holds it.
      this.teSeen = true;
      this.teChunked = endsWithChunked(data, vs, ve);
    } else if (n === 10 && equalsLower(data, name, 'connection')) {
      // The usual single values first: the general scan costs a fifth of a whole parse.
      if (ve - vs === 10 && equalsLower(data, vs, 'keep-alive')) this.connKeepAlive = true;
      else if (ve - vs === 5 && equalsLower(data, vs, 'close')) this.connClose = true;
      else {
        if (containsLower(data, vs, ve, 'close')) this.connClose = true;
        if (containsLower(data, vs, ve, 'keep-alive')) this.connKeepAlive = true;
      }
    }
    return 0;
  }

  private badHeaderLine(data: Buffer, pos: number, lineEnd: number): number {
    const line = data.toString('latin1', pos, lineEnd);
    const colon = line.indexOf(':');
    if (colon <= 0) return this.fail(`bad header line ${JSON.stringify(line.slice(0, 60))}`);
    return this.fail(`bad header name ${JSON.stringify(line.slice(0, colon).toLowerCase().slice(0, 60))}`);
  }

  private chooseFraming(status: number, http10: boolean): number {
    this.shouldClose = http10 ? !this.connKeepAlive : this.connClose;
    if (status === 101) {
      this.shouldClose = true;
      return 0;
    }
    if (this.headRequest || status === 204 || status === 304) return 0;
    if (this.teSeen) {
      if (this.teChunked) {
        this.state = S_CHUNK_SIZE;
        this.chunkDigits = 0;
        this.remaining = 0;
        return 0;
      }
      this.state = S_UNTIL_CLOSE;
      this.shouldClose = true;
      return 0;
    }
    if (this.contentLength >= 0) {
      if (this.contentLength > 0) {
        this.state = S_LENGTH;
        this.remaining = this.contentLength;
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

const COLON = 0x3a;
const SP = 0x20;
const HT = 0x09;
const COMMA = 0x2c;

/** The empty header record of responses parsed without `keepHeaders` (shared, frozen). */
export const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** 1 for the bytes allowed in a header name (RFC 9110 token). */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TOKEN[c.charCodeAt(0)] = 1;
}

/** Most line ends `headEndOf` records; a head with more lines is re-scanned by `lineEndOf`. */
const LINE_CAP = 128;
/** The CR positions of the lines of the head `headEndOf` last found (status line first). */
const lineEnds = new Int32Array(LINE_CAP);
/** How many entries of `lineEnds` belong to that head; -1 when they must not be used. */
let lineCount = -1;

/**
 * Index of the first CRLFCRLF in `[from, end)`, or -1; records the CRLF of each
 * line on the way (`lineEnds`) so `applyHead` need not scan the bytes again.
 * A JS scan rather than `Buffer.indexOf` (whose native call cost more than the
 * scan of a ~150-byte head), bounded by `end` because `data` may be a reused
 * read buffer holding stale bytes past it. It looks at every other byte: a
 * CRLF covers two adjacent bytes, so one of them is always looked at.
 */
function headEndOf(data: Buffer, from: number, end: number): number {
  let n = 0;
  let prev = -3;
  for (let k = from + 1; k < end; k += 2) {
    const d = data[k];
    let c: number;
    if (d === LF) {
      if (data[k - 1] !== CR) continue;
      c = k - 1;
    } else if (d === CR) {
      if (k + 1 >= end || data[k + 1] !== LF) continue;
      c = k;
    } else continue;
    if (c === prev + 2) {
      lineCount = n <= LINE_CAP ? n : -1;
      return prev;
    }
    if (n < LINE_CAP) lineEnds[n] = c;
    n++;
    prev = c;
  }
  lineCount = -1;
  return -1;
}

/**
 * The CR of the CRLF that ends the header value starting at `from`, or -1 when
 * there is none before `end`. Looks at every other byte, as `headEndOf` does; a
 * bare CR or LF is part of the value, as there.
 */
function valueEndOf(data: Buffer, from: number, end: number): number {
  for (let k = from; k < end; k += 2) {
    const d = data[k];
    if (d === LF) {
      if (k > from && data[k - 1] === CR) return k - 1;
    } else if (d === CR && k + 1 < end && data[k + 1] === LF) return k;
  }
  return -1;
}

/** Index of the CR of the next CRLF at or after `pos`, or `end`. */
function lineEndOf(data: Buffer, pos: number, end: number): number {
  for (let i = pos; i < end; i++) if (data[i] === CR && data[i + 1] === LF) return i;
  return end;
}

/** The status code of `HTTP/1.x NNN[ reason]` in `[start, end)`, or -1. */
function statusOf(data: Buffer, start: number, end: number): number {
  const n = end - start;
  if (n < 12 || (n > 12 && data[start + 12] !== SP)) return -1;
  // "HTTP/1." then 0 or 1, a space, and three digits, the first 1-9.
  if (data[start] !== 0x48 || data[start + 1] !== 0x54 || data[start + 2] !== 0x54) return -1;
  if (data[start + 3] !== 0x50 || data[start + 4] !== 0x2f || data[start + 5] !== 0x31) return -1;
  if (data[start + 6] !== 0x2e || data[start + 8] !== SP) return -1;
  const minor = data[start + 7] as number;
  if (minor !== 0x30 && minor !== 0x31) return -1;
  const a = (data[start + 9] as number) - 0x30;
  const b = (data[start + 10] as number) - 0x30;
  const c = (data[start + 11] as number) - 0x30;
  if (a < 1 || a > 9 || b < 0 || b > 9 || c < 0 || c > 9) return -1;
  return a * 100 + b * 10 + c;
}

/** `data[at, at + lower.length)` equals `lower` ignoring ASCII case (`lower` is lower-case letters and `-`). */
function equalsLower(data: Buffer, at: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) {
    if (((data[at + k] as number) | 0x20) !== lower.charCodeAt(k)) return false;
  }
  return true;
}

function containsLower(data: Buffer, from: number, to: number, lower: string): boolean {
  for (let i = from; i + lower.length <= to; i++) if (equalsLower(data, i, lower)) return true;
  return false;
}

/** The value ends with the coding `chunked` (after a comma or at the start). */
function endsWithChunked(data: Buffer, vs: number, ve: number): boolean {
  if (ve - vs < 7 || !equalsLower(data, ve - 7, 'chunked')) return false;
  let i = ve - 8;
  while (i >= vs && (data[i] === SP || data[i] === HT)) i--;
  return i < vs || data[i] === COMMA;
}

/** Content-Length, allowing a repeated identical value (`5, 5`); -1 when invalid. */
function parseContentLength(data: Buffer, vs: number, ve: number): number {
  let result = -1;
  let i = vs;
  for (;;) {
    while (i < ve && (data[i] === SP || data[i] === HT)) i++;
    let n = 0;
    let digits = 0;
    while (i < ve && (data[i] as number) >= 0x30 && (data[i] as number) <= 0x39) {
      n = n * 10 + ((data[i] as number) - 0x30);
      i++;
      if (++digits > 15) return -1;
    }
    if (digits === 0 || (result >= 0 && n !== result)) return -1;
    result = n;
    while (i < ve && (data[i] === SP || data[i] === HT)) i++;
    if (i >= ve) return result;
    if (data[i] !== COMMA) return -1;
    i++;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
