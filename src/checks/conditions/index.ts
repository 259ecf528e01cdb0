/**
 * The conditions language of synthetic checks, in the spirit of Gatus:
 * `[STATUS] == 200`, `[RESPONSE_TIME] < 300ms`, `len([BODY].items) > 0`,
 * `[HEADER].content-type == pat(application/json*)`, `[STATUS] == any(200, 204)`,
 * `has([BODY].token)`. Pure: parse once when specs load, evaluate per execution.
 */
export type {
  ComparisonOperator,
  ConditionParseError,
  Operand,
  ParsedCondition,
  PlaceholderName,
} from './ast.ts';
export { PLACEHOLDER_NAMES } from './ast.ts';
export { SHOWN_VALUE_MAX } from './display.ts';
export { evaluateCondition } from './evaluate.ts';
export { parseCondition } from './parse.ts';
export { placeholdersOf } from './placeholders.ts';
