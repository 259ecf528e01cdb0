/** The one error type of the HTTP fault mode, with a code an API route can map to a status. */

/** One problem with user input: the field (`abort.status`, `(rule)`) and what is wrong with it. */
export interface HttpFaultIssue {
  path: string;
  message: string;
}

/**
 * What went wrong: `invalid_rule` and `invalid_config` (bad input, see `issues`; an API answers 400),
 * `not_found` (no such proxy or rule: 404), `conflict` (a name or rule id already taken: 409),
 * `listen_failed` (the listen address could not be bound).
 */
export type HttpFaultErrorCode =
  | 'invalid_rule'
  | 'invalid_config'
  | 'not_found'
  | 'conflict'
  | 'listen_failed';

/** Thrown by the proxy and the registry; `issues` lists every bad field of the input, not just the first. */
export class HttpFaultError extends Error {
  readonly code: HttpFaultErrorCode;
  readonly issues: HttpFaultIssue[];
  constructor(code: HttpFaultErrorCode, message: string, issues: HttpFaultIssue[] = []) {
    super(message);
    this.name = 'HttpFaultError';
    this.code = code;
    this.issues = issues;
  }
}

/** `invalid rule: percentage: must be at most 100; abort.status: ...` */
export function invalidInput(
  code: 'invalid_rule' | 'invalid_config',
  issues: HttpFaultIssue[],
): HttpFaultError {
  const what = code === 'invalid_rule' ? 'rule' : 'proxy config';
  const list = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new HttpFaultError(code, `invalid ${what}: ${list}`, issues);
}
