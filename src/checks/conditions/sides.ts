/**
 * Checks that need both sides of a condition: something observed is compared,
 * pat/any sit on the right of == or !=, durations sit beside time
 * placeholders (and become ms), and ordering operators get numbers.
 */
import {
  type ComparisonOperator,
  type LiteralOperand,
  type Operand,
  PLACEHOLDER_NAMES,
  TIME_PLACEHOLDERS,
} from './ast.ts';
import { closest } from './did-you-mean.ts';
import { fail } from './syntax-error.ts';

/** A number as written in a condition: `200`, `-3`, `1.5`. */
export const NUMBER_LITERAL = /^-?\d+(?:\.\d+)?$/;

/**
 * Validates the two sides of `left operator right` and returns them with
 * literals beside a time placeholder turned into ms. Throws a syntax error.
 */
export function checkSides(left: Operand, operator: ComparisonOperator, right: Operand): [Operand, Operand] {
  checkPlaceholderPresent(left, right);
  checkRightOnly(left, operator, right);
  const bound: [Operand, Operand] = [bindTime(left, right), bindTime(right, left)];
  if (operator !== '==' && operator !== '!=') {
    checkOrderable(bound[0], operator, right);
    checkOrderable(bound[1], operator, left);
  }
  return bound;
}

const readsExecution = (o: Operand): boolean =>
  o.kind === 'placeholder' || o.kind === 'len' || o.kind === 'has';

/** `200 == 200` or `STATUS == 200` (brackets forgotten) compares nothing observed. */
function checkPlaceholderPresent(left: Operand, right: Operand): void {
  if (readsExecution(left) || readsExecution(right)) return;
  const word = left.kind === 'literal' && !left.quoted ? String(left.value) : '';
  const suggestion = closest(word, PLACEHOLDER_NAMES);
  fail(
    left.column,
    'expected a placeholder such as [STATUS] on one side',
    suggestion ? `did you mean [${suggestion}]?` : undefined,
  );
}

function checkRightOnly(left: Operand, operator: ComparisonOperator, right: Operand): void {
  if (left.kind === 'pat' || left.kind === 'any') {
    fail(left.column, `${left.kind}( belongs on the right side`, `e.g. [STATUS] == ${left.text}`);
  }
  if ((right.kind === 'pat' || right.kind === 'any') && operator !== '==' && operator !== '!=') {
    fail(right.column, `${right.kind}( works only with == or !=`);
  }
}

const isTimePlaceholder = (o: Operand): boolean => o.kind === 'placeholder' && TIME_PLACEHOLDERS.has(o.name);

/**
 * Beside `[RESPONSE_TIME]` or `[CERTIFICATE_EXPIRATION]`, a literal is a
 * number of ms or a duration; durations become ms here so evaluation only
 * compares numbers.
 */
function bindTime(operand: Operand, other: Operand): Operand {
  if (!isTimePlaceholder(other)) return operand;
  if (operand.kind === 'literal') return toMilliseconds(operand);
  if (operand.kind === 'any') return { ...operand, options: operand.options.map(toMilliseconds) };
  return operand;
}

function toMilliseconds(literal: LiteralOperand): LiteralOperand {
  if (typeof literal.value === 'number') return literal;
  if (literal.durationMs !== undefined) return { ...literal, value: literal.durationMs };
  return fail(
    literal.column,
    `expected a number of ms or a duration such as 300ms, 2s or 1h30m, found ${literal.text}`,
  );
}

/** `<`, `<=`, `>`, `>=` compare numbers: reject operands that can never be one. */
function checkOrderable(operand: Operand, operator: ComparisonOperator, other: Operand): void {
  const reason = notOrderable(operand, other);
  if (reason) fail(operand.column, `${operator} compares numbers, and ${reason}`);
}

function notOrderable(operand: Operand, other: Operand): string | undefined {
  switch (operand.kind) {
    case 'has':
      return `${operand.text} is true or false`;
    case 'placeholder':
      return operand.name === 'CONNECTED' || operand.name === 'IP' || operand.name === 'DNS_RCODE'
        ? `[${operand.name}] is not a number`
        : undefined;
    case 'literal':
      if (typeof operand.value === 'number') return undefined;
      if (operand.durationMs !== undefined && !isTimePlaceholder(other)) {
        return `${operand.text} is a duration, which compares only with [RESPONSE_TIME] or [CERTIFICATE_EXPIRATION]`;
      }
      if (operand.quoted && typeof operand.value === 'string' && NUMBER_LITERAL.test(operand.value))
        return undefined;
      return `${operand.text} is not a number`;
    default:
      return undefined;
  }
}
