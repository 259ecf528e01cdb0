/**
 * Exit codes, the same for every command (documented in the README):
 * scripts and CI jobs branch on them.
 */
export const ExitCode = {
  /** Everything passed. */
  Ok: 0,
  /**
   * The command ran and found a failure: a failed threshold or check, a closed gate, a deviation; for
   * the commands that judge specs (validate, apply, slo rules), a spec error.
   */
  Failed: 1,
  /**
   * Bad input: usage errors, unreadable files, unknown names, an unreachable server; for the commands
   * that run what specs describe (check run, load run), specs that do not load, since nothing ran.
   */
  BadInput: 2,
  /** The run itself was not valid (load generator fell behind) or was aborted. */
  Invalid: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
