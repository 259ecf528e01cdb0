/**
 * The shape of a parsed condition (`LEFT OP RIGHT`). The parser builds it once
 * per spec load; the evaluator reads it on every execution.
 */

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** Longest first, so `<=` is not read as `<` followed by `=`. */
export const OPERATORS: readonly ComparisonOperator[] = ['==', '!=', '<=', '>=', '<', '>'];

export type PlaceholderName =
  | 'STATUS'
  | 'RESPONSE_TIME'
  | 'BODY'
  | 'HEADER'
  | 'CONNECTED'
  | 'IP'
  | 'CERTIFICATE_EXPIRATION'
  | 'DNS_RCODE';

export const PLACEHOLDER_NAMES: readonly PlaceholderName[] = [
  'STATUS',
  'RESPONSE_TIME',
  'BODY',
  'HEADER',
  'CONNECTED',
  'IP',
  'CERTIFICATE_EXPIRATION',
  'DNS_RCODE',
];

/** Placeholders holding a duration in ms: literals beside them may be durations (`300ms`, `7d`). */
export const TIME_PLACEHOLDERS: ReadonlySet<PlaceholderName> = new Set([
  'RESPONSE_TIME',
  'CERTIFICATE_EXPIRATION',
]);

/** One step of a JSON path: `.key`, `["odd-key"]` or `[0]`. */
export type PathSegment = { key: string } | { index: number };

interface OperandBase {
  /** The operand as written, shown back in outcomes. */
  text: string;
  /** 1-based column of the operand in the condition. */
  column: number;
}

export interface PlaceholderOperand extends OperandBase {
  kind: 'placeholder';
  name: PlaceholderName;
  /** JSON path into the body (`[BODY]` only; empty: the whole body as text). */
  path: PathSegment[];
  /** Lower-case header name (`[HEADER]` only). */
  header?: string;
}

/** `len(X)`: characters of a string, items of an array, keys of an object. */
export interface LengthOperand extends OperandBase {
  kind: 'len';
  target: PlaceholderOperand;
}

/** `has(X)`: X has a value (the JSON path exists, the header was sent). */
export interface HasOperand extends OperandBase {
  kind: 'has';
  target: PlaceholderOperand;
}

/** `pat(glob)`, right side only: `*` any run, `?` one character. */
export interface PatternOperand extends OperandBase {
  kind: 'pat';
  glob: string;
}

/** `any(a, b, c)`, right side only: equal to one of the values. */
export interface AnyOperand extends OperandBase {
  kind: 'any';
  options: LiteralOperand[];
}

export type LiteralValue = number | string | boolean | null;

export interface LiteralOperand extends OperandBase {
  kind: 'literal';
  /** Durations beside a time placeholder are already turned into ms here. */
  value: LiteralValue;
  /** Written in double quotes: always text. */
  quoted: boolean;
  /** Set when the bare word reads as a duration (`300ms`, `1h30m`). */
  durationMs?: number;
}

export type Operand =
  | PlaceholderOperand
  | LengthOperand
  | HasOperand
  | PatternOperand
  | AnyOperand
  | LiteralOperand;

/** Operands that read the execution (as opposed to values written in the condition). */
export type ValueOperand = PlaceholderOperand | LengthOperand | HasOperand;

export interface ParsedCondition {
  /** The condition exactly as written. */
  readonly source: string;
  readonly left: Operand;
  readonly operator: ComparisonOperator;
  readonly right: Operand;
  /** The bare `has(X)` form, read as `has(X) == true`. */
  readonly implicit: boolean;
}

export interface ConditionParseError {
  /** What was expected, ending with `at column N` (and a hint in parentheses when there is one). */
  message: string;
  /** 1-based, into the condition text. */
  column: number;
}
