/**
 * How the parser reports a mistake: thrown deep inside, caught once at the
 * top and returned as a ConditionParseError.
 */

/** Thrown inside the parser only; `parseCondition` turns it into a `ConditionParseError`. */
export class ConditionSyntaxError extends Error {
  readonly column: number;
  constructor(message: string, column: number) {
    super(message);
    this.column = column;
  }
}

/** Throws a syntax error worded `WHAT at column N (HINT)`. */
export function fail(column: number, what: string, hint?: string): never {
  const message = `${what} at column ${column}${hint ? ` (${hint})` : ''}`;
  throw new ConditionSyntaxError(message, column);
}
