/**
 * What makes apply all-or-nothing and revert guaranteed: every step that
 * changes the host pushes its undo here as soon as it has succeeded, and
 * unwinding runs the undos newest first. An undo that fails stays on the
 * stack, so unwinding again retries exactly what is left.
 */
import { HostFaultError } from './errors.ts';

/** One undo step: a label for errors and details, and the action (idempotent: safe to run twice). */
export interface UndoStep {
  label: string;
  run: () => Promise<void>;
}

/** The undo steps of one fault, newest last. */
export class UndoStack {
  readonly #steps: UndoStep[] = [];

  /** Records the undo of a step that has just been done. */
  push(label: string, run: () => Promise<void>): void {
    this.#steps.push({ label, run });
  }

  /** Labels of the steps still to undo, oldest first. */
  get pending(): string[] {
    return this.#steps.map((s) => s.label);
  }

  /**
   * Runs every undo, newest first; one failing does not stop the others. Returns the
   * failures (empty: all undone); the failed steps stay for the next call.
   */
  async unwind(): Promise<string[]> {
    const failed: UndoStep[] = [];
    const errors: string[] = [];
    while (this.#steps.length > 0) {
      const step = this.#steps.pop() as UndoStep;
      try {
        await step.run();
      } catch (err) {
        failed.unshift(step);
        errors.push(`${step.label}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.#steps.push(...failed);
    return errors;
  }
}

/**
 * Runs `apply` with a fresh undo stack. If it throws, the steps it did are undone
 * (newest first) and its error is rethrown; if undoing failed too, the error says
 * what was left behind so nobody believes the host is clean.
 */
export async function transact<T>(
  apply: (undo: UndoStack) => Promise<T>,
): Promise<{ value: T; undo: UndoStack }> {
  const undo = new UndoStack();
  try {
    return { value: await apply(undo), undo };
  } catch (err) {
    const left = await undo.unwind();
    if (left.length === 0) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new HostFaultError(
      'revert_failed',
      `${message}; undoing the steps already done failed too, so they may still be in effect: ${left.join('; ')}`,
      { cause: err },
    );
  }
}
