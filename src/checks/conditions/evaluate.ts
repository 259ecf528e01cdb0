/**
 * Judging a parsed condition against what one execution observed, and
 * showing it with the actual values filled in, as Gatus does:
 * `[STATUS] (503) == 200`.
 */
import type { ConditionContext, ConditionOutcome } from '../types.ts';
import type { ComparisonOperator, LiteralOperand, Operand, ParsedCondition } from './ast.ts';
import { valueText } from './display.ts';
import { matchGlob } from './glob.ts';
import type { JsonValue } from './json-path.ts';
import { type Resolution, resolve } from './resolve.ts';

const NUMERIC_TEXT = /^\s*-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * Evaluates `condition` against `ctx`. A missing value (no body, an absent
 * JSON path, a body that is not JSON, a placeholder the check type does not
 * provide) fails the condition and says so in `shown`; this never throws.
 *
 * @example
 * evaluateCondition(parsed, { status: 503, responseTimeMs: 12 })
 * // { condition: '[STATUS] == 200', ok: false, shown: '[STATUS] (503) == 200' }
 */
export function evaluateCondition(condition: ParsedCondition, ctx: ConditionContext): ConditionOutcome {
  try {
    return evaluateOrThrow(condition, ctx);
  } catch (error) {
    // Only a bug gets here; a check result must still come out of it.
    const message = error instanceof Error ? error.message : String(error);
    return {
      condition: condition.source,
      ok: false,
      shown: `${condition.left.text} ${condition.operator} ${condition.right.text} (could not evaluate: ${message})`,
    };
  }
}

function evaluateOrThrow(condition: ParsedCondition, ctx: ConditionContext): ConditionOutcome {
  const { left, operator, right } = condition;
  const leftValue = operandValue(left, ctx);
  const rightValue = right.kind === 'pat' || right.kind === 'any' ? undefined : operandValue(right, ctx);
  const outcome = (ok: boolean, note?: string): ConditionOutcome => ({
    condition: condition.source,
    ok,
    shown: `${show(left, leftValue)} ${operator} ${show(right, rightValue)}${note ? ` (${note})` : ''}`,
  });

  if ('problem' in leftValue || (rightValue && 'problem' in rightValue)) return outcome(false);
  if (right.kind === 'pat')
    return outcome(negateFor(operator, matchGlob(right.glob, valueText(leftValue.value))));
  if (right.kind === 'any') {
    const found = right.options.some((option) => equal(leftValue.value, option.value));
    return outcome(negateFor(operator, found));
  }
  const result = compare(operator, leftValue.value, (rightValue as { value: JsonValue }).value);
  return result === undefined ? outcome(false, `${operator} compares numbers only`) : outcome(result);
}

/** `==` keeps a match, `!=` turns it around (the parser allows nothing else beside pat/any). */
const negateFor = (operator: ComparisonOperator, matched: boolean): boolean =>
  operator === '!=' ? !matched : matched;

function operandValue(operand: Operand, ctx: ConditionContext): Resolution {
  if (operand.kind === 'literal') return literalValue(operand);
  if (operand.kind === 'pat' || operand.kind === 'any') return { problem: `${operand.kind}( on the left` };
  return resolve(operand, ctx);
}

const literalValue = (literal: LiteralOperand): Resolution => ({ value: literal.value, shown: literal.text });

/** Values read from the execution carry them in parentheses; literals show as written. */
function show(operand: Operand, value: Resolution | undefined): string {
  if (operand.kind === 'literal' || operand.kind === 'pat' || operand.kind === 'any' || value === undefined) {
    return operand.text;
  }
  return `${operand.text} (${'problem' in value ? value.problem : value.shown})`;
}

/** Numbers compare as numbers; anything else by its text, so JSON 5 equals `5` and JSON true equals `true`. */
function equal(a: JsonValue, b: JsonValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return valueText(a) === valueText(b);
}

/** A number, or text that reads as one (header values are text: `content-length` < 1000). */
function asNumber(value: JsonValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMERIC_TEXT.test(value)) return Number(value);
  return undefined;
}

/** The comparison's result, or undefined when an ordering operator meets a non-number. */
function compare(operator: ComparisonOperator, a: JsonValue, b: JsonValue): boolean | undefined {
  if (operator === '==') return equal(a, b);
  if (operator === '!=') return !equal(a, b);
  const x = asNumber(a);
  const y = asNumber(b);
  if (x === undefined || y === undefined) return undefined;
  switch (operator) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}
