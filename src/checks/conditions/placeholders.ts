/** Which placeholders a parsed condition reads. Pure. */
import type { Operand, ParsedCondition, PlaceholderName } from './ast.ts';

function collect(operand: Operand, into: Set<PlaceholderName>): void {
  if (operand.kind === 'placeholder') into.add(operand.name);
  else if (operand.kind === 'len' || operand.kind === 'has') into.add(operand.target.name);
}

/** The placeholders `condition` reads, on either side and inside `len()`/`has()`. */
export function placeholdersOf(condition: ParsedCondition): ReadonlySet<PlaceholderName> {
  const out = new Set<PlaceholderName>();
  collect(condition.left, out);
  collect(condition.right, out);
  return out;
}
