/**
 * The statuses of a chaos run, without zod, so the web UI can import them too.
 * How a run ended, as its controller reports it:
 */
export const CHAOS_OUTCOMES = [
  'held',
  'deviated',
  'aborted',
  'precondition_failed',
  'refused',
  'failed',
] as const;
/** Every status a stored run can have: running, an outcome, or lost (its controller went silent). */
export const CHAOS_RUN_STATUSES = ['running', ...CHAOS_OUTCOMES, 'lost'] as const;
