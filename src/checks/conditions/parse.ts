/**
 * Parser for one condition line: `LEFT OP RIGHT` (or the bare `has(X)`).
 * Errors name the 1-based column and what was expected there, so a spec
 * author can fix the line without reading this file.
 */
import { parseDuration } from '../../spec/index.ts';
import {
  type AnyOperand,
  type ComparisonOperator,
  type ConditionParseError,
  type LiteralOperand,
  OPERATORS,
  type Operand,
  type ParsedCondition,
  type PathSegment,
  type PatternOperand,
  PLACEHOLDER_NAMES,
  type PlaceholderName,
  type PlaceholderOperand,
} from './ast.ts';
import { closest } from './did-you-mean.ts';
import { checkSides, NUMBER_LITERAL } from './sides.ts';
import { ConditionSyntaxError, fail } from './syntax-error.ts';

const OPERATOR_LIST = '==, !=, <, <=, >, >=';
const FUNCTION_NAMES = ['len', 'has', 'pat', 'any'];
const FUNCTION_CALL = /([A-Za-z_][A-Za-z0-9_]*)\(/y;
const PLACEHOLDER_NAME = /[A-Za-z0-9_]*/y;
const HEADER_NAME = /[A-Za-z0-9_.-]+/y;
const DIGITS = /\d+/y;
const SPACE = /\s/;
/** Where a bare word ends, by position: the right side runs to the next space, so `/a?b=c` needs no quotes. */
const WORD_END = {
  left: /[\s"=!<>(),[\]]/,
  right: /\s/,
  any: /[\s"(),]/,
} as const;
/** Where a `.key` path segment ends. */
const KEY_END = /[\s.[\]=!<>(),"]/;

type WordPosition = keyof typeof WORD_END;

interface Scanner {
  readonly text: string;
  pos: number;
}

const columnOf = (pos: number): number => pos + 1;
const atEnd = (s: Scanner): boolean => s.pos >= s.text.length;
const peek = (s: Scanner): string => s.text[s.pos] ?? '';

function skipSpace(s: Scanner): void {
  while (!atEnd(s) && SPACE.test(peek(s))) s.pos++;
}

function matchSticky(s: Scanner, pattern: RegExp): RegExpExecArray | null {
  pattern.lastIndex = s.pos;
  return pattern.exec(s.text);
}

/**
 * Parses one condition line, e.g. `[STATUS] == 200`, `len([BODY].items) > 0`,
 * `[HEADER].content-type == pat(application/json*)` or `has([BODY].token)`.
 * Never throws for bad input: it returns an error naming the column instead.
 */
export function parseCondition(
  text: string,
): { condition: ParsedCondition } | { error: ConditionParseError } {
  try {
    return { condition: parseOrThrow(text) };
  } catch (error) {
    if (error instanceof ConditionSyntaxError)
      return { error: { message: error.message, column: error.column } };
    throw error;
  }
}

function parseOrThrow(source: string): ParsedCondition {
  const s: Scanner = { text: source, pos: 0 };
  skipSpace(s);
  if (atEnd(s)) fail(columnOf(s.pos), 'expected a condition', 'e.g. [STATUS] == 200');
  const left = parseOperand(s, 'left');
  skipSpace(s);
  if (atEnd(s) && left.kind === 'has') {
    const right: LiteralOperand = {
      kind: 'literal',
      text: 'true',
      column: columnOf(s.pos),
      value: true,
      quoted: false,
    };
    return { source, left, operator: '==', right, implicit: true };
  }
  const operator = parseOperator(s);
  skipSpace(s);
  if (atEnd(s)) fail(columnOf(s.pos), `expected a value after ${operator}`);
  const right = parseOperand(s, 'right');
  skipSpace(s);
  if (!atEnd(s)) {
    const rest = s.text.slice(s.pos).split(/\s/)[0] as string;
    fail(columnOf(s.pos), `unexpected ${rest}`, 'put text with spaces in double quotes: "a b"');
  }
  const [boundLeft, boundRight] = checkSides(left, operator, right);
  return { source, left: boundLeft, operator, right: boundRight, implicit: false };
}

function parseOperator(s: Scanner): ComparisonOperator {
  for (const operator of OPERATORS) {
    if (s.text.startsWith(operator, s.pos)) {
      s.pos += operator.length;
      return operator;
    }
  }
  const found = atEnd(s) ? undefined : (s.text.slice(s.pos).split(/\s/)[0] as string);
  return fail(
    columnOf(s.pos),
    `expected an operator (${OPERATOR_LIST})`,
    found === undefined ? 'the condition ends there' : `found ${found}`,
  );
}

function parseOperand(s: Scanner, position: 'left' | 'right'): Operand {
  const c = peek(s);
  if (c === '[') return parsePlaceholder(s);
  if (c === '"') return parseQuoted(s);
  const call = matchSticky(s, FUNCTION_CALL);
  if (call) return parseFunction(s, call[1] as string);
  return parseWord(s, position);
}

function parsePlaceholder(s: Scanner): PlaceholderOperand {
  const start = s.pos;
  s.pos++; // [
  const name = (matchSticky(s, PLACEHOLDER_NAME) as RegExpExecArray)[0];
  s.pos += name.length;
  if (peek(s) !== ']') fail(columnOf(s.pos), `expected ] to close [${name}`);
  s.pos++;
  if (!(PLACEHOLDER_NAMES as readonly string[]).includes(name)) {
    const suggestion = closest(name, PLACEHOLDER_NAMES);
    fail(
      columnOf(start),
      `unknown placeholder [${name}]`,
      suggestion
        ? `did you mean [${suggestion}]?`
        : `placeholders: ${PLACEHOLDER_NAMES.map((n) => `[${n}]`).join(', ')}`,
    );
  }
  const placeholder = name as PlaceholderName;
  const operand: PlaceholderOperand = {
    kind: 'placeholder',
    name: placeholder,
    path: [],
    text: '',
    column: columnOf(start),
  };
  if (placeholder === 'BODY') {
    operand.path = parsePath(s);
  } else if (placeholder === 'HEADER') {
    if (peek(s) !== '.') fail(columnOf(s.pos), '[HEADER] needs a header name', 'e.g. [HEADER].content-type');
    s.pos++;
    const header = matchSticky(s, HEADER_NAME);
    if (!header)
      fail(columnOf(s.pos), 'expected a header name after [HEADER].', 'e.g. [HEADER].content-type');
    s.pos += header[0].length;
    operand.header = header[0].toLowerCase();
  } else if (peek(s) === '.' || peek(s) === '[') {
    fail(columnOf(s.pos), `[${placeholder}] takes no path`, 'only [BODY] and [HEADER] do');
  }
  operand.text = s.text.slice(start, s.pos);
  return operand;
}

/** `.data[0].id`, `[0]`, `["odd-key"]` after `[BODY]`. */
function parsePath(s: Scanner): PathSegment[] {
  const path: PathSegment[] = [];
  for (;;) {
    const c = peek(s);
    if (c === '.') {
      s.pos++;
      const start = s.pos;
      while (!atEnd(s) && !KEY_END.test(peek(s))) s.pos++;
      if (s.pos === start) fail(columnOf(s.pos), 'expected a key after .', 'e.g. [BODY].data[0].id');
      path.push({ key: s.text.slice(start, s.pos) });
    } else if (c === '[') {
      const open = s.pos;
      s.pos++;
      if (peek(s) === '"') {
        path.push({ key: readQuoted(s) });
      } else {
        const digits = matchSticky(s, DIGITS);
        if (!digits)
          fail(columnOf(s.pos), 'expected an index or a quoted key after [', 'e.g. [0] or ["odd-key"]');
        s.pos += digits[0].length;
        path.push({ index: Number(digits[0]) });
      }
      if (peek(s) !== ']') fail(columnOf(s.pos), 'expected ]', `to close the [ at column ${columnOf(open)}`);
      s.pos++;
    } else {
      return path;
    }
  }
}

/** Reads `"..."` (with `\"` and `\\` escapes) and returns its content. */
function readQuoted(s: Scanner): string {
  const open = s.pos;
  s.pos++;
  let content = '';
  while (!atEnd(s)) {
    const c = peek(s);
    if (c === '"') {
      s.pos++;
      return content;
    }
    if (c === '\\' && s.pos + 1 < s.text.length) {
      content += s.text[s.pos + 1];
      s.pos += 2;
      continue;
    }
    content += c;
    s.pos++;
  }
  return fail(columnOf(open), 'unclosed "');
}

function parseQuoted(s: Scanner): LiteralOperand {
  const start = s.pos;
  const value = readQuoted(s);
  return { kind: 'literal', value, quoted: true, text: s.text.slice(start, s.pos), column: columnOf(start) };
}

function parseWord(s: Scanner, position: WordPosition): LiteralOperand {
  const start = s.pos;
  while (!atEnd(s) && !WORD_END[position].test(peek(s))) s.pos++;
  const text = s.text.slice(start, s.pos);
  if (text === '') {
    return position === 'left'
      ? fail(columnOf(start), 'expected a placeholder such as [STATUS]')
      : fail(columnOf(start), 'expected a value');
  }
  return wordLiteral(text, columnOf(start));
}

/** A bare word: a number, true/false/null, or text (which may also read as a duration). */
function wordLiteral(text: string, column: number): LiteralOperand {
  const base = { kind: 'literal' as const, text, column, quoted: false };
  if (NUMBER_LITERAL.test(text)) return { ...base, value: Number(text) };
  if (text === 'true' || text === 'false') return { ...base, value: text === 'true' };
  if (text === 'null') return { ...base, value: null };
  const durationMs = parseDuration(text);
  return durationMs === undefined ? { ...base, value: text } : { ...base, value: text, durationMs };
}

function parseFunction(s: Scanner, name: string): Operand {
  const start = s.pos;
  s.pos += name.length + 1; // name(
  switch (name) {
    case 'len':
    case 'has': {
      skipSpace(s);
      if (atEnd(s)) fail(columnOf(start), `unclosed ${name}(`);
      if (peek(s) !== '[') fail(columnOf(s.pos), `${name}( takes a placeholder`, 'e.g. [BODY].items');
      const target = parsePlaceholder(s);
      closeCall(s, name, start);
      return { kind: name, target, text: s.text.slice(start, s.pos), column: columnOf(start) };
    }
    case 'pat':
      return parsePattern(s, start);
    case 'any':
      return parseAny(s, start);
    default: {
      const suggestion = closest(name, FUNCTION_NAMES);
      return fail(
        columnOf(start),
        `unknown function ${name}(`,
        suggestion ? `did you mean ${suggestion}?` : `functions: ${FUNCTION_NAMES.join(', ')}`,
      );
    }
  }
}

/** Expects the `)` of a call opened at `start`, after optional spaces. */
function closeCall(s: Scanner, name: string, start: number): void {
  skipSpace(s);
  if (atEnd(s)) fail(columnOf(start), `unclosed ${name}(`);
  if (peek(s) !== ')')
    fail(columnOf(s.pos), 'expected )', `to close the ${name}( at column ${columnOf(start)}`);
  s.pos++;
}

/** `pat(glob)`: the glob is everything up to the first `)`; `pat("...")` allows `)` and edge spaces. */
function parsePattern(s: Scanner, start: number): PatternOperand {
  let glob: string;
  if (peek(s) === '"') {
    glob = readQuoted(s);
    closeCall(s, 'pat', start);
  } else {
    const close = s.text.indexOf(')', s.pos);
    if (close === -1) fail(columnOf(start), 'unclosed pat(');
    glob = s.text.slice(s.pos, close);
    s.pos = close + 1;
  }
  return { kind: 'pat', glob, text: s.text.slice(start, s.pos), column: columnOf(start) };
}

/** `any(a, b, c)`: literal values separated by commas. */
function parseAny(s: Scanner, start: number): AnyOperand {
  const options: LiteralOperand[] = [];
  skipSpace(s);
  if (peek(s) === ')') fail(columnOf(s.pos), 'any( needs at least one value', 'e.g. any(200, 204)');
  for (;;) {
    skipSpace(s);
    if (atEnd(s)) fail(columnOf(start), 'unclosed any(');
    const c = peek(s);
    if (c === '[' || matchSticky(s, FUNCTION_CALL)) {
      fail(columnOf(s.pos), 'any( takes values, not placeholders or functions', 'e.g. any(200, 204)');
    }
    options.push(c === '"' ? parseQuoted(s) : parseWord(s, 'any'));
    skipSpace(s);
    if (atEnd(s)) fail(columnOf(start), 'unclosed any(');
    if (peek(s) === ')') break;
    if (peek(s) !== ',') fail(columnOf(s.pos), 'expected , or ) in any(');
    s.pos++;
  }
  s.pos++;
  return { kind: 'any', options, text: s.text.slice(start, s.pos), column: columnOf(start) };
}
