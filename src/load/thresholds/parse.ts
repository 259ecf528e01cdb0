/**
 * The threshold expression language (k6 style): `p(99) < 300ms`, `avg < 200`,
 * `rate(failed) < 0.1%`, `rps > 900`, `count(failed) < 10`, `service_p(99) < 100ms`.
 * A hand-written scanner so errors carry the exact column of the bad character.
 */

/** What a threshold measures. Latency metrics are in ms, rates are ratios in [0, 1]. */
export type ThresholdMetric =
  | { kind: 'latency_p'; percentile: number }
  | { kind: 'service_p'; percentile: number }
  | { kind: 'avg' }
  | { kind: 'max' }
  | { kind: 'rate'; of: 'failed' | 'ok' }
  | { kind: 'count'; of: 'failed' | 'ok' | 'total' }
  | { kind: 'rps' };

export type ThresholdOp = '<' | '<=' | '>' | '>=';

/** A parsed expression: `metric op value`, value normalised (ms for latency, ratio for rates). */
export interface ParsedThreshold {
  metric: ThresholdMetric;
  op: ThresholdOp;
  value: number;
}

export type ParseResult =
  | { ok: true; threshold: ParsedThreshold }
  | { ok: false; error: string; column: number };

const LATENCY_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

class ParseError extends Error {
  readonly column: number;
  constructor(message: string, column: number) {
    super(message);
    this.column = column;
  }
}

/** A cursor over the expression; columns are 1-based. */
class Scanner {
  readonly text: string;
  pos = 0;
  constructor(text: string) {
    this.text = text;
  }
  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }
  fail(expected: string): never {
    this.skipSpace();
    const ch = this.text[this.pos];
    const got = ch === undefined ? 'end of expression' : `'${ch}'`;
    throw new ParseError(`unexpected ${got} at column ${this.pos + 1}: expected ${expected}`, this.pos + 1);
  }
  word(): string {
    this.skipSpace();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) return '';
    this.pos += m[0].length;
    return m[0];
  }
  expect(ch: string, what = `'${ch}'`): void {
    this.skipSpace();
    if (this.text[this.pos] !== ch) this.fail(what);
    this.pos++;
  }
  number(what: string): number {
    this.skipSpace();
    const m = /^\d+(\.\d+)?|^\.\d+/.exec(this.text.slice(this.pos));
    if (!m) this.fail(what);
    this.pos += m[0].length;
    return Number(m[0]);
  }
}

/**
 * Parses one threshold expression.
 *
 * @example parseThreshold('p(99) < 300ms') // { ok: true, threshold: { metric: { kind: 'latency_p', percentile: 99 }, op: '<', value: 300 } }
 * @example parseThreshold('p(99) < 3x') // { ok: false, error: "unexpected 'x' at column 10: ...", column: 10 }
 */
export function parseThreshold(expr: string): ParseResult {
  const s = new Scanner(expr);
  try {
    const metric = parseMetric(s);
    const op = parseOp(s);
    const value = parseValue(s, metric);
    s.skipSpace();
    if (s.pos < expr.length) s.fail('end of expression');
    return { ok: true, threshold: { metric, op, value } };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, error: err.message, column: err.column };
    throw err;
  }
}

const METRICS = 'p(N), service_p(N), avg, max, rate(failed|ok), count(failed|ok|total) or rps';

function parseMetric(s: Scanner): ThresholdMetric {
  const start = s.pos;
  const name = s.word();
  switch (name) {
    case 'p':
    case 'service_p': {
      s.expect('(');
      const p = s.number('a percentile such as 99 or 99.9');
      if (p <= 0 || p > 100) throw new ParseError(`percentile ${p} must be in (0, 100]`, start + 1);
      s.expect(')');
      return { kind: name === 'p' ? 'latency_p' : 'service_p', percentile: p };
    }
    case 'avg':
    case 'max':
    case 'rps':
      return { kind: name };
    case 'rate':
    case 'count': {
      s.expect('(');
      const at = s.pos;
      const of = s.word();
      const allowed = name === 'rate' ? ['failed', 'ok'] : ['failed', 'ok', 'total'];
      if (!allowed.includes(of)) {
        s.pos = at;
        s.fail(allowed.join(' or '));
      }
      s.expect(')');
      return name === 'rate'
        ? { kind: 'rate', of: of as 'failed' | 'ok' }
        : { kind: 'count', of: of as 'failed' | 'ok' | 'total' };
    }
    default:
      s.pos = start;
      if (name) {
        s.skipSpace();
        throw new ParseError(
          `unknown metric '${name}' at column ${s.pos + 1}: expected ${METRICS}`,
          s.pos + 1,
        );
      }
      return s.fail(METRICS);
  }
}

function parseOp(s: Scanner): ThresholdOp {
  s.skipSpace();
  const two = s.text.slice(s.pos, s.pos + 2);
  if (two === '<=' || two === '>=') {
    s.pos += 2;
    return two;
  }
  const one = s.text[s.pos];
  if (one === '<' || one === '>') {
    s.pos++;
    return one;
  }
  return s.fail("a comparison '<', '<=', '>' or '>='");
}

function parseValue(s: Scanner, metric: ThresholdMetric): number {
  const n = s.number('a number');
  const unitAt = s.pos;
  const unit = /^(ms|s|m|%)/.exec(s.text.slice(s.pos))?.[0];
  if (unit) s.pos += unit.length;
  const rejectUnit = (expected: string): never => {
    s.pos = unitAt;
    return s.fail(expected);
  };
  switch (metric.kind) {
    case 'latency_p':
    case 'service_p':
    case 'avg':
    case 'max':
      if (unit === '%') rejectUnit('a latency unit (ms, s, m) or none (ms)');
      return n * (LATENCY_UNITS[unit ?? 'ms'] as number);
    case 'rate': {
      if (unit && unit !== '%') rejectUnit("'%' or a ratio such as 0.001");
      const ratio = unit === '%' ? n / 100 : n;
      if (ratio > 1)
        throw new ParseError(`a rate must be at most 100% (or 1), got ${n}${unit ?? ''}`, unitAt + 1);
      return ratio;
    }
    default:
      if (unit) rejectUnit('a plain number');
      return n;
  }
}
